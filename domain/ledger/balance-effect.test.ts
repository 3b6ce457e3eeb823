import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { balanceEffect, balancesAfterEach } from './balance-effect.js';

const ACCOUNTS = [1, 2, 3];

/** An event of a combined write, or undefined for an item that was refused (not written). */
const item = fc.option(
  fc.oneof(
    fc.record({ kind: fc.constantFrom('expense' as const, 'income' as const), accountId: fc.constantFrom(...ACCOUNTS), amountMinor: fc.integer({ min: 1, max: 1e12 }) }),
    fc
      .record({
        from: fc.constantFrom(...ACCOUNTS),
        step: fc.integer({ min: 1, max: ACCOUNTS.length - 1 }),
        amountMinor: fc.integer({ min: 1, max: 1e12 }),
        toAmountMinor: fc.option(fc.integer({ min: 1, max: 1e12 }), { nil: undefined }),
      })
      .map(({ from, step, amountMinor, toAmountMinor }) => ({
        kind: 'transfer' as const,
        accountId: from,
        toAccountId: ACCOUNTS[(ACCOUNTS.indexOf(from) + step) % ACCOUNTS.length]!,
        amountMinor,
        toAmountMinor,
      })),
  ),
  { nil: undefined, freq: 5 },
);

describe('balances of each event of a combined write', () => {
  it('GIVEN any events written in order THEN each one’s balances are those the events so far leave, as if it were written alone', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), fc.array(fc.integer({ min: -1e15, max: 1e15 }), { minLength: 3, maxLength: 3 }), (events, opening) => {
        // Written one by one: the balance of each account after each event.
        const bal = new Map(ACCOUNTS.map((id, i) => [id, opening[i]!]));
        const want = events.map((e) => {
          if (!e) return undefined;
          const effects = balanceEffect(e);
          for (const x of effects) bal.set(x.accountId, bal.get(x.accountId)! + x.delta);
          return effects.map((x) => bal.get(x.accountId)!);
        });
        const touched = new Set(events.flatMap((e) => (e ? balanceEffect(e).map((x) => x.accountId) : [])));
        const after = [...touched].map((id) => ({ accountId: id, accountName: `a${id}`, currency: 'EUR', balanceMinor: bal.get(id)! }));
        const got = balancesAfterEach(events, after);
        expect(got.map((b) => b?.map((x) => x.balanceMinor))).toEqual(want);
        // Named by account, in the order a single record answers them (from, then to).
        for (const [i, e] of events.entries())
          expect(got[i]?.map((x) => [x.accountId, x.accountName])).toEqual(e ? balanceEffect(e).map((x) => [x.accountId, `a${x.accountId}`]) : undefined);
      }),
    );
  });

  it('GIVEN a transfer between currencies THEN the receiving account moves by what arrived', () => {
    const after = [
      { accountId: 1, accountName: 'Cash', currency: 'EUR', balanceMinor: 900 },
      { accountId: 2, accountName: 'Dinars', currency: 'BHD', balanceMinor: 5_500 },
    ];
    const got = balancesAfterEach(
      [
        { kind: 'transfer', accountId: 1, toAccountId: 2, amountMinor: 100, toAmountMinor: 4_500 },
        { kind: 'income', accountId: 2, amountMinor: 1_000 },
      ],
      after,
    );
    expect(got).toEqual([[{ ...after[0], balanceMinor: 900 }, { ...after[1], balanceMinor: 4_500 }], [{ ...after[1], balanceMinor: 5_500 }]]);
  });
});
