import { assertMinor } from '../money/money.js';

/** A shared expense as the balance maths sees it: who paid, and each member's part. */
export interface SharedExpense {
  paidBy: string;
  totalMinor: number;
  shares: readonly { member: string; minor: number }[];
}

/** Money handed from one member to another, either recorded (`/settle`) or suggested. */
export interface Transfer {
  from: string;
  to: string;
  minor: number;
}

/**
 * Above this many members with a non-zero balance, {@link simplifyDebts} stops searching for
 * the optimum (2^n subsets) and uses the greedy matching instead.
 */
export const EXACT_SIMPLIFY_LIMIT = 12;

/**
 * Each member's net position in minor units: positive means the group owes them, negative means
 * they owe the group. Paying an expense credits the payer with its total and debits every share;
 * a settlement credits the payer (`from`) and debits the receiver (`to`). Every member seen is
 * present (zero when square), keys in id order; the values always sum to exactly 0.
 *
 * @throws Error when an expense's shares do not add up to its total — that is a bug in whoever
 *   stored it, not something the user can fix.
 */
export function netBalances(entries: readonly SharedExpense[], settlements: readonly Transfer[]): Map<string, number> {
  const acc = new Map<string, number>();
  const add = (member: string, minor: number) => acc.set(member, assertMinor((acc.get(member) ?? 0) + minor));
  for (const e of entries) {
    assertMinor(e.totalMinor);
    let sum = 0;
    for (const s of e.shares) sum = assertMinor(sum + assertMinor(s.minor));
    if (sum !== e.totalMinor) throw new Error(`shares sum to ${sum}, expense total is ${e.totalMinor}`);
    add(e.paidBy, e.totalMinor);
    for (const s of e.shares) add(s.member, -s.minor);
  }
  for (const t of settlements) {
    add(t.from, assertMinor(t.minor));
    add(t.to, -t.minor);
  }
  return new Map([...acc.keys()].sort(byId).map((k) => [k, acc.get(k)! + 0]));
}

/**
 * A list of transfers that brings every balance in `net` to zero, using as few transfers as
 * possible. Sorted by payer, then receiver.
 *
 * With n members not yet square, n − 1 transfers always suffice; every group of members whose
 * balances cancel among themselves saves one, so the minimum is n − (most disjoint zero-sum
 * groups). For up to {@link EXACT_SIMPLIFY_LIMIT} members that maximum is found exactly by
 * dynamic programming over subsets; above it (where the problem is NP-hard) members with equal
 * and opposite balances are paired first, then the largest debtor pays the largest creditor
 * until everyone is square. Either way the result is never more than n − 1 transfers, and ties
 * are broken by member id so the same balances always give the same plan.
 *
 * @throws Error when the balances do not sum to zero (they cannot all be settled).
 */
export function simplifyDebts(net: ReadonlyMap<string, number>): Transfer[] {
  const people = [...net.entries()].filter(([, v]) => assertMinor(v) !== 0).sort(([a], [b]) => byId(a, b));
  const total = people.reduce((s, [, v]) => s + BigInt(v), 0n);
  if (total !== 0n) throw new Error(`balances sum to ${total}, not 0`);
  if (people.length === 0) return [];

  const groups = people.length <= EXACT_SIMPLIFY_LIMIT ? zeroSumGroups(people.map(([, v]) => v)) : [people.map((_, i) => i)];
  const transfers: Transfer[] = [];
  for (const g of groups) {
    const members = g.map((i) => people[i]!);
    if (people.length > EXACT_SIMPLIFY_LIMIT) transfers.push(...pairOpposites(members));
    transfers.push(...settleGreedily(members));
  }
  return transfers.sort((a, b) => byId(a.from, b.from) || byId(a.to, b.to));
}

/**
 * The amount that `/settle <to>` without an amount should record for `from`: as much as `from`
 * owes, capped at what `to` is owed, so neither side overshoots. 0 means there is nothing to
 * settle between them (the payer is not in debt, or the receiver is not owed).
 */
export function settleAmount(net: ReadonlyMap<string, number>, from: string, to: string): number {
  if (from === to) return 0;
  const owes = -(net.get(from) ?? 0);
  const owed = net.get(to) ?? 0;
  return Math.max(0, Math.min(owes, owed));
}

/** Code-unit order: stable across locales, unlike localeCompare. */
function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Partitions indices of `values` (which sum to 0) into the largest number of zero-sum groups.
 * best[mask] = the most zero-sum groups a chain of masks ending at `mask` passes through; for a
 * zero-sum mask that is the most groups it splits into. Walking the chain back from the full
 * mask, the zero-sum masks met are nested, and consecutive differences are the groups.
 */
function zeroSumGroups(values: readonly number[]): number[][] {
  const n = values.length;
  const full = (1 << n) - 1;
  // BigInt: twelve balances near 10^15 can sum past 2^53.
  const sums: bigint[] = new Array<bigint>(full + 1).fill(0n);
  const best = new Int32Array(full + 1);
  for (let mask = 1; mask <= full; mask++) {
    const low = mask & -mask;
    sums[mask] = sums[mask ^ low]! + BigInt(values[31 - Math.clz32(low)]!);
    let b = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) b = Math.max(b, best[mask ^ (1 << i)]!);
    best[mask] = b + (sums[mask] === 0n ? 1 : 0);
  }

  const groups: number[][] = [];
  let mask = full;
  let groupStart = full;
  while (mask !== 0) {
    const here = best[mask]! - (sums[mask] === 0n ? 1 : 0);
    let i = 0;
    while (!(mask & (1 << i)) || best[mask ^ (1 << i)] !== here) i++;
    mask ^= 1 << i;
    if (sums[mask] === 0n) {
      groups.push(indices(groupStart ^ mask, n));
      groupStart = mask;
    }
  }
  return groups;
}

function indices(mask: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (mask & (1 << i)) out.push(i);
  return out;
}

/**
 * Settles members whose balances are exact opposites with one transfer each, zeroing both in
 * place. Greedy largest-first matching can miss these pairs, and each one it misses costs a transfer.
 */
function pairOpposites(members: [string, number][]): Transfer[] {
  const out: Transfer[] = [];
  const debtors = new Map<number, [string, number][]>();
  for (const m of members) {
    if (m[1] >= 0) continue;
    const list = debtors.get(-m[1]) ?? [];
    list.push(m);
    debtors.set(-m[1], list);
  }
  for (const c of members) {
    if (c[1] <= 0) continue;
    const d = debtors.get(c[1])?.shift();
    if (!d) continue;
    out.push({ from: d[0], to: c[0], minor: c[1] });
    d[1] = 0;
    c[1] = 0;
  }
  return out;
}

/**
 * Largest debtor pays largest creditor until all are square (ties by id, since `members` is in
 * id order and the sort is stable). Each transfer zeroes at least one side and the last zeroes
 * two, so k members take at most k − 1 transfers — exactly k − 1 for a group with no smaller
 * zero-sum part, which is what {@link zeroSumGroups} hands over.
 */
function settleGreedily(members: [string, number][]): Transfer[] {
  const bal = members.filter(([, v]) => v !== 0).map(([id, v]) => ({ id, v }));
  const out: Transfer[] = [];
  for (;;) {
    let debtor: { id: string; v: number } | undefined;
    let creditor: { id: string; v: number } | undefined;
    for (const b of bal) {
      if (b.v < 0 && (!debtor || b.v < debtor.v)) debtor = b;
      if (b.v > 0 && (!creditor || b.v > creditor.v)) creditor = b;
    }
    if (!debtor || !creditor) return out;
    const minor = Math.min(-debtor.v, creditor.v);
    out.push({ from: debtor.id, to: creditor.id, minor });
    debtor.v += minor;
    creditor.v -= minor;
  }
}
