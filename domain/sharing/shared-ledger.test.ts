import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { currentShares, extractSplit } from './shared-ledger.js';
import type { SharedEvent } from './ports.js';
import { mulberry32 } from '../../test/seeded-random.js';


describe('extractSplit', () => {
  it('GIVEN a line without a split token THEN returns undefined (a plain expense)', () => {
    expect(extractSplit('90 #dinner splitter')).toBeUndefined();
  });

  it('GIVEN a split token anywhere THEN removes exactly it and keeps the rest as written', () => {
    const r = extractSplit('90 #dinner split:@ann,@bob @"Credit Card" with friends')!;
    expect(r.token).toBe('split:@ann,@bob');
    expect(r.parsed.entries.map((e) => e.name)).toEqual(['ann', 'bob']);
    expect(r.rest).toBe('90 #dinner @"Credit Card" with friends');
  });

  it('GIVEN a quoted note containing the word split THEN it is a note, not a split', () => {
    expect(extractSplit('12 "banana split"')).toBeUndefined();
    const r = extractSplit('12 "a split" split')!;
    expect(r.rest).toBe('12 "a split"');
  });

  it('GIVEN two split tokens THEN refuses', () => {
    expect(() => extractSplit('90 split split:@a')).toThrow(DomainError);
  });
});

describe('currentShares', () => {
  const ev = (amountMinor: number, shares: [number, number][]): SharedEvent => ({
    eventId: 1,
    seq: 1,
    currency: 'EUR',
    amountMinor,
    paidBy: 1,
    shares: shares.map(([userId, minor]) => ({ userId, minor })),
  });

  it('GIVEN shares that add up THEN keeps them', () => {
    expect(currentShares(ev(9000, [[1, 3000], [2, 6000]]))).toEqual([
      { userId: 1, minor: 3000 },
      { userId: 2, minor: 6000 },
    ]);
  });

  it('GIVEN the amount was edited from 90 to 120 THEN re-splits in the same proportions', () => {
    expect(currentShares(ev(12000, [[1, 3000], [2, 6000]]))).toEqual([
      { userId: 1, minor: 4000 },
      { userId: 2, minor: 8000 },
    ]);
  });

  it('GIVEN a member whose share was zero THEN stays at zero after an edit', () => {
    expect(currentShares(ev(100, [[1, 0], [2, 50], [3, 50]]))).toEqual([
      { userId: 1, minor: 0 },
      { userId: 2, minor: 50 },
      { userId: 3, minor: 50 },
    ]);
  });

  it('GIVEN 500 random edits THEN the shares always add up to the new amount exactly', () => {
    const rnd = mulberry32(7);
    const int = (n: number) => Math.floor(rnd() * n);
    for (let c = 0; c < 500; c++) {
      const shares = Array.from({ length: 1 + int(6) }, (_, i): [number, number] => [i + 1, int(10_000)]);
      if (shares.every(([, m]) => m === 0)) shares[0]![1] = 1;
      const amount = 1 + int(1_000_000);
      const out = currentShares(ev(amount, shares));
      expect(out.reduce((s, x) => s + x.minor, 0)).toBe(amount);
      expect(out.map((x) => x.userId)).toEqual(shares.map(([u]) => u));
      expect(out.every((x) => Number.isSafeInteger(x.minor) && x.minor >= 0)).toBe(true);
    }
  });
});
