import { describe, expect, it } from 'vitest';
import { payeeKey, suggestRules } from './suggest.js';

const h = (payee: string, ...labels: string[]) => ({ payee, labels });

describe('suggestRules', () => {
  it('GIVEN a payee labelled the same way three times THEN a rule is proposed', () => {
    const history = [h('LIDL 1234 BERLIN', 'groceries'), h('Lidl 99 Berlin', 'groceries'), h('lidl berlin', 'groceries'), h('Shell', 'car'), h('Shell', 'car')];
    expect(suggestRules(history)).toEqual([{ pattern: 'lidl berlin', label: 'groceries', count: 3 }]);
  });

  it('GIVEN typed records THEN the note stands for the payee; unlabelled records do not count', () => {
    const history = [
      { note: 'Coffee', labels: ['cafe'] },
      { note: 'coffee', labels: ['cafe'] },
      { note: 'COFFEE!', labels: ['cafe'] },
      { note: 'coffee', labels: [] },
      { payee: '', note: '', labels: ['x'] },
    ];
    expect(suggestRules(history)).toEqual([{ pattern: 'coffee', label: 'cafe', count: 3 }]);
  });

  it('GIVEN a payee split between labels THEN nothing is proposed unless one label has most', () => {
    const split = [h('Amazon', 'books'), h('Amazon', 'books'), h('Amazon', 'books'), h('Amazon', 'home'), h('Amazon', 'home'), h('Amazon', 'home')];
    expect(suggestRules(split)).toEqual([]);
    expect(suggestRules([...split, h('Amazon', 'books')])).toEqual([{ pattern: 'amazon', label: 'books', count: 4 }]);
  });

  it('GIVEN a rule that already gives the label THEN the payee is not proposed again', () => {
    const history = [h('Rewe', 'groceries'), h('REWE', 'groceries'), h('Rewe', 'groceries'), h('Aldi', 'groceries'), h('Aldi', 'groceries'), h('Aldi', 'groceries'), h('Aldi', 'groceries')];
    expect(suggestRules(history, [{ id: 1, seq: 1, pattern: 'rewe', label: 'groceries' }])).toEqual([{ pattern: 'aldi', label: 'groceries', count: 4 }]);
    // A rule giving another label does not hide the proposal.
    expect(suggestRules(history, [{ id: 1, seq: 1, pattern: 'rewe', label: 'food' }]).map((s) => s.pattern)).toEqual(['aldi', 'rewe']);
  });

  it('GIVEN payees THEN the key is their first three words without digits, folded', () => {
    expect(payeeKey('SumUp *Café Élysée 0044 Paris 75008 FR')).toBe('sumup cafe elysee');
    expect(payeeKey('12345')).toBe('');
  });
});
