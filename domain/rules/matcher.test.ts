import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRules } from './matcher.js';
import { compilePattern, matchesSearchable } from './pattern.js';
import { searchableText } from './fold.js';
import { countByRule, labelStatementRows } from './statement-rows.js';
import type { Rule } from './types.js';

const rule = (seq: number, pattern: string, label: string, extra: Partial<Rule> = {}): Rule => ({ id: 100 + seq, seq, pattern, label, ...extra });

describe('compileRules', () => {
  const rules = [
    rule(1, 'amazon', 'shopping'),
    rule(2, 'amazon prime', 'subscriptions', { note: 'Prime' }),
    rule(3, 'lidl', 'groceries', { accountId: 7 }),
    rule(4, 'aldi', 'groceries'),
    rule(5, 'LIDL', 'food'),
    rule(6, '*bahn*', 'travel'),
  ];
  const m = compileRules(rules);

  it('GIVEN several matching rules THEN the most specific wins, then the first added', () => {
    expect(m.match({ payee: 'AMAZON PRIME*2K3L' })).toEqual({ ruleId: 102, seq: 2, label: 'subscriptions', note: 'Prime' });
    expect(m.match({ payee: 'AMAZON EU' })).toEqual({ ruleId: 101, seq: 1, label: 'shopping' });
    // `lidl` (rule 3) and `LIDL` (rule 5) are equally specific: the first added wins.
    expect(m.match({ payee: 'Lidl Berlin' })).toEqual({ ruleId: 103, seq: 3, label: 'groceries', accountId: 7 });
  });

  it('GIVEN payee, memo and note THEN any of them can match, each on its own', () => {
    expect(m.match({ payee: 'Card 1234', memo: 'ALDI SUED' })?.seq).toBe(4);
    expect(m.match({ note: 'deutsche bahn ticket' })?.seq).toBe(6);
    expect(m.match({ payee: 'amazon', memo: 'prime' })?.seq).toBe(1);
    expect(m.match({ payee: 'Rewe', memo: '', note: null })).toBeNull();
    expect(m.match({})).toBeNull();
  });

  it('GIVEN a stored pattern that no longer compiles THEN it is skipped, the rest still work', () => {
    const bad = compileRules([rule(1, '/x/', 'a'), rule(2, 'x', 'b')]);
    expect(bad.skipped.map((r) => r.seq)).toEqual([1]);
    expect(bad.match({ payee: 'x' })?.seq).toBe(2);
  });

  it('GIVEN statement rows THEN each gets the rule that labelled it, and counts per rule', () => {
    const rows = [
      { payee: 'LIDL 123', memo: '' },
      { payee: 'Shell', memo: 'fuel' },
      { payee: 'Amazon', memo: 'order 1' },
      { payee: 'LIDL 456', memo: '' },
    ];
    const labelled = labelStatementRows(rules, rows);
    expect(labelled.map((l) => l.rule?.label ?? null)).toEqual(['groceries', null, 'shopping', 'groceries']);
    expect(labelled[1]!.row).toBe(rows[1]);
    expect([...countByRule(labelled)]).toEqual([
      [3, 2],
      [1, 1],
    ]);
    expect(labelStatementRows(m, rows).map((l) => l.rule?.seq ?? null)).toEqual([3, null, 1, 3]);
  });

  // The index must never lose a match: the indexed matcher agrees with trying every rule in order.
  const word = fc.constantFrom('lidl', 'aldi', 'amazon', 'prime', 'bahn', 'db', 'a', 'ab', 'café', 'ЁЖ', 'x1', 'mart', 'wal');
  const textArb = fc.array(fc.oneof(word, fc.constantFrom(' ', '-', '*', '', '.')), { minLength: 1, maxLength: 8 }).map((a) => a.join(''));
  const plainText = fc.array(fc.oneof(word, fc.constantFrom(' ', '-', '', '.', 'é')), { minLength: 0, maxLength: 8 }).map((a) => a.join(''));

  it('PROPERTY the indexed matcher picks what trying every rule in precedence order picks', () => {
    fc.assert(
      fc.property(fc.array(textArb, { minLength: 1, maxLength: 12 }), fc.array(plainText, { minLength: 1, maxLength: 10 }), (patterns, texts) => {
        const rs = patterns.map((p, i) => rule(i + 1, p, `l${i + 1}`));
        const matcher = compileRules(rs);
        const valid = rs.flatMap((r) => {
          try {
            return [{ r, c: compilePattern(r.pattern) }];
          } catch {
            return [];
          }
        });
        valid.sort((a, b) => b.c.literalLength - a.c.literalLength || a.r.seq - b.r.seq);
        for (const t of texts) {
          const brute = valid.find((v) => matchesSearchable(v.c, searchableText(t)));
          expect(matcher.match({ payee: t })?.seq ?? null).toBe(brute?.r.seq ?? null);
        }
      }),
    );
  });

  it('PROPERTY matching does not depend on the case of the row', () => {
    fc.assert(
      fc.property(fc.array(textArb, { minLength: 1, maxLength: 8 }), plainText, (patterns, t) => {
        const matcher = compileRules(patterns.map((p, i) => rule(i + 1, p, `l${i + 1}`)));
        const seq = matcher.match({ memo: t })?.seq;
        expect(matcher.match({ memo: t.toUpperCase() })?.seq).toBe(seq);
        expect(matcher.match({ memo: t.toLowerCase() })?.seq).toBe(seq);
      }),
    );
  });

  it('PROPERTY the order rules are given in does not change the result', () => {
    fc.assert(
      fc.property(fc.array(textArb, { minLength: 1, maxLength: 8 }), plainText, fc.integer(), (patterns, t, seed) => {
        const rs = patterns.map((p, i) => rule(i + 1, p, `l${i + 1}`));
        const shuffled = [...rs].sort((a, b) => ((a.id * 7919 + seed) % 13) - ((b.id * 7919 + seed) % 13));
        expect(compileRules(shuffled).match({ payee: t })).toEqual(compileRules(rs).match({ payee: t }));
      }),
    );
  });
});
