import { describe, expect, it } from 'vitest';
import { rank } from './autocomplete.js';

const c = (name: string, value = name) => ({ name, value });

describe('autocomplete ranking', () => {
  it('GIVEN typed text THEN names starting with it come first, then names containing it, case-insensitively', () => {
    expect(rank([c('Savings'), c('Card'), c('Credit Card'), c('Cash')], 'ca').map((x) => x.name)).toEqual(['Card', 'Cash', 'Credit Card']);
  });

  it('GIVEN a typed # or @ THEN it is ignored', () => {
    expect(rank([c('#food', 'food'), c('#fuel', 'fuel')], '#fo')).toEqual([{ name: '#food', value: 'food' }]);
  });

  it('GIVEN nothing typed and many candidates THEN at most 25 are offered, names clipped to 100', () => {
    const many = Array.from({ length: 40 }, (_, i) => c(`label${String(i).padStart(2, '0')}${'x'.repeat(120)}`, `l${i}`));
    const out = rank(many, '');
    expect(out).toHaveLength(25);
    expect(out.every((x) => [...x.name].length <= 100)).toBe(true);
  });

  it('GIVEN a value longer than Discord allows THEN that candidate is not offered', () => {
    expect(rank([c('long', 'v'.repeat(101)), c('ok')], '')).toEqual([c('ok')]);
  });
});
