import type { WrittenAccountBalance } from '../event-write.js';
import type { EventKind } from '../types.js';

/** How an event moves account balances; negate to reverse it. The event writer moves balances by exactly this. */
export function balanceEffect(e: {
  kind: EventKind;
  accountId: number;
  amountMinor: number;
  toAccountId?: number | null | undefined;
  toAmountMinor?: number | null | undefined;
}): { accountId: number; delta: number }[] {
  if (e.kind === 'expense') return [{ accountId: e.accountId, delta: -e.amountMinor }];
  if (e.kind === 'income') return [{ accountId: e.accountId, delta: e.amountMinor }];
  return [
    { accountId: e.accountId, delta: -e.amountMinor },
    { accountId: e.toAccountId!, delta: e.toAmountMinor ?? e.amountMinor },
  ];
}

/**
 * Each written event's own balances — its accounts (in {@link balanceEffect} order) right after
 * IT, as a single record answers them — from the balances after a whole batch: walking back from
 * the end, each later event's effect is taken off again. `events[i]` is undefined for an item
 * that was not written (its answer is `undefined` too). `after` holds every touched account.
 */
export function balancesAfterEach(
  events: readonly (Parameters<typeof balanceEffect>[0] | undefined)[],
  after: readonly WrittenAccountBalance[],
): (WrittenAccountBalance[] | undefined)[] {
  const running = new Map(after.map((b) => [b.accountId, { ...b }]));
  const out: (WrittenAccountBalance[] | undefined)[] = events.map(() => undefined);
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (!e) continue;
    const effects = balanceEffect(e);
    out[i] = effects.map((x) => {
      const b = running.get(x.accountId);
      if (!b) throw new Error(`no balance after the batch for account ${x.accountId}`);
      return { ...b };
    });
    for (const x of effects) running.get(x.accountId)!.balanceMinor -= x.delta;
  }
  return out;
}
