import type { Actor } from '../access/actor.js';
import { parseAmount, toMinor } from '../money/amount.js';
import { DomainError, isDomainError } from '../errors.js';
import { bookView, parseForBook, recordLine } from '../ledger/record.js';
import { resolveMember } from './members.js';
import type { MemberProfile } from './ports.js';
import { assertCan, assertCanChange } from '../access/permissions.js';
import type { Recorded, RecordStore } from '../ports.js';
import { netBalances, settleAmount, simplifyDebts, type SharedExpense } from './settle.js';
import { parseSplitToken, splitAmount, splitSpecFrom, type ParsedSplit, type SplitSpec } from './split.js';
import { tokenize } from '../parsing/tokenize.js';
import type { MemberStore, SharedEvent, Settlement, SplitStore } from './ports.js';

/** What recording a split expense needs: the record port, the members and their shares. */
export type SplitRecordStore = RecordStore & Pick<MemberStore, 'listMemberProfiles'> & Pick<SplitStore, 'saveShares'>;

/** A recorded expense and, when it was split, who owes what of it. */
export interface SplitRecorded extends Recorded {
  split?: { paidBy: MemberProfile; shares: { member: MemberProfile; minor: number }[] };
}

/**
 * Finds the split token of a record line (`split`, `split:@a,@b`, …, see `parseSplitToken`) and
 * returns the line without it. The token is removed from the text as written, not by re-joining
 * tokens, so quoted names elsewhere in the line (`@"Credit Card"`) keep their quotes.
 *
 * @throws DomainError `split_invalid` for a malformed token or two split tokens.
 */
export function extractSplit(line: string): { parsed: ParsedSplit; token: string; rest: string } | undefined {
  const found = tokenize(line)
    .map((token) => ({ token, parsed: parseSplitToken(token) }))
    .filter((x): x is { token: string; parsed: ParsedSplit } => x.parsed !== undefined);
  if (found.length === 0) return undefined;
  if (found.length > 1) throw new DomainError('split_invalid', { split: found.map((f) => f.token).join(' ') });
  const { token, parsed } = found[0]!;
  // Split tokens hold no spaces or quotes, so the first bare word equal to it is the one the tokenizer saw.
  let done = false;
  const rest = line
    .replace(/\S+/g, (word) => {
      if (done || word !== token) return word;
      done = true;
      return '';
    })
    .replace(/\s+/g, ' ')
    .trim();
  return { parsed, token, rest };
}

/**
 * `/spend <record line>` with an optional split token: records the expense through the ledger and,
 * when split, who owes what of it (the author paid). `split` alone divides among every member who
 * can record (viewers only watch the budget, so they are left out unless named); `@me` names the
 * author. The split is checked before anything is written, so a bad split records nothing.
 *
 * @throws DomainError as `recordLine`, plus `split_invalid` ({split, context?}: `alone` when the
 *   author would be the only one sharing, or the reason from `splitAmount`), `member_unknown`.
 */
export async function recordExpense(a: Actor<SplitRecordStore>, line: string): Promise<SplitRecorded> {
  const found = extractSplit(line);
  if (!found) return recordLine(a, 'expense', line);
  assertCan(a.role, 'record');
  const [view, profiles] = await Promise.all([bookView(a), a.store.listMemberProfiles(a.book.id)]);
  // Read the amount first: the split is validated against it before the expense is written.
  const parsed = parseForBook(a, view, found.rest);
  const spec = specOf(found, profiles, a.userId, parsed.currency);
  checkedSplit(parsed.minor, spec, found.token);

  const rec = await recordLine(a, 'expense', found.rest);
  let shares: { userId: number; minor: number }[];
  try {
    shares = checkedSplit(rec.event.amountMinor, spec, found.token).map((s) => ({ userId: Number(s.member), minor: s.minor }));
    await a.store.saveShares(rec.event.id, a.userId, shares);
  } catch (e) {
    // Without its shares the expense would silently count as the author's alone: take it back.
    await a.store.setDeleted(a.book.id, rec.event.seq, true).catch(() => undefined);
    throw e;
  }
  const byId = (id: number): MemberProfile =>
    profiles.find((p) => p.userId === id) ?? { bookId: a.book.id, userId: id, role: a.role, name: `#${id}`, handles: [] };
  return { ...rec, split: { paidBy: byId(a.userId), shares: shares.map((s) => ({ member: byId(s.userId), minor: s.minor })) } };
}

function specOf(found: { parsed: ParsedSplit; token: string }, profiles: MemberProfile[], self: number, currency: string): SplitSpec {
  const everyone = profiles.filter((p) => p.role !== 'viewer' || p.userId === self).map((p) => String(p.userId));
  if (!everyone.includes(String(self))) everyone.push(String(self));
  const spec = splitSpecFrom(found.parsed, {
    everyone,
    resolve: (name) => String(resolveMember(profiles, name, self).userId),
    toMinor: (decimal) => toMinor({ decimal, consumed: 1 }, currency),
  });
  const members = spec.mode === 'equal' ? spec.members : spec.mode === 'shares' ? spec.shares.map((s) => s.member) : spec.amounts.map((s) => s.member);
  if (members.length === 1 && members[0] === String(self)) throw new DomainError('split_invalid', { split: found.token, context: 'alone' });
  return spec;
}

function checkedSplit(total: number, spec: SplitSpec, token: string) {
  try {
    return splitAmount(total, spec);
  } catch (e) {
    if (isDomainError(e) && e.code === 'split_invalid') {
      throw new DomainError('split_invalid', { split: token, context: String(e.context.reason ?? '') || undefined });
    }
    throw e;
  }
}

/**
 * The shares that count for an expense now. After `/edit #N amount`, the stored shares no longer
 * add up to the amount; they are then re-split in the same proportions (largest remainder), so an
 * edited expense keeps its split and totals still add up exactly.
 */
export function currentShares(e: SharedEvent): { userId: number; minor: number }[] {
  const sum = e.shares.reduce((s, x) => s + x.minor, 0);
  if (sum === e.amountMinor) return e.shares;
  const weighted = e.shares.filter((s) => s.minor > 0);
  const spec: SplitSpec =
    weighted.length > 0
      ? { mode: 'shares', shares: weighted.map((s) => ({ member: String(s.userId), weight: s.minor })) }
      : { mode: 'equal', members: e.shares.map((s) => String(s.userId)) };
  const parts = splitAmount(e.amountMinor, spec);
  return e.shares.map((s) => ({ userId: s.userId, minor: parts.find((p) => p.member === String(s.userId))?.minor ?? 0 }));
}

/** Who owes whom in one currency: each member's net position and the fewest transfers to square it. */
export interface CurrencyBalances {
  currency: string;
  /** Positive: the group owes them; negative: they owe. Everyone who ever shared, zero included. */
  net: { member: MemberProfile; minor: number }[];
  transfers: { from: MemberProfile; to: MemberProfile; minor: number }[];
}

async function ledgerOf(a: Actor) {
  const [events, paid, profiles] = await Promise.all([
    a.store.sharedEvents(a.book.id),
    a.store.settlements(a.book.id),
    a.store.listMemberProfiles(a.book.id),
  ]);
  const currencies = [...new Set([...events.map((e) => e.currency), ...paid.map((s) => s.currency)])].sort();
  const nets = new Map<string, Map<string, number>>();
  for (const currency of currencies) {
    const entries: SharedExpense[] = events
      .filter((e) => e.currency === currency)
      .map((e) => ({
        paidBy: String(e.paidBy),
        totalMinor: e.amountMinor,
        shares: currentShares(e).map((s) => ({ member: String(s.userId), minor: s.minor })),
      }));
    const transfers = paid
      .filter((s) => s.currency === currency)
      .map((s) => ({ from: String(s.fromUserId), to: String(s.toUserId), minor: s.amountMinor }));
    nets.set(currency, netBalances(entries, transfers));
  }
  const profile = (id: string): MemberProfile =>
    profiles.find((p) => String(p.userId) === id) ?? { bookId: a.book.id, userId: Number(id), role: 'member', name: `#${id}`, handles: [] };
  return { currencies, nets, profiles, profile };
}

/** `/balances`: per currency, who is owed and who owes, and the fewest transfers that settle everyone. */
export async function balances(a: Actor): Promise<CurrencyBalances[]> {
  assertCan(a.role, 'read');
  const { currencies, nets, profile } = await ledgerOf(a);
  return currencies.map((currency) => {
    const net = nets.get(currency)!;
    return {
      currency,
      net: [...net.entries()].map(([id, minor]) => ({ member: profile(id), minor })),
      transfers: simplifyDebts(net).map((t) => ({ from: profile(t.from), to: profile(t.to), minor: t.minor })),
    };
  });
}

/** Result of `/settle`: what was recorded and where the payer stands afterwards. */
export interface SettleResult {
  to: MemberProfile;
  from: MemberProfile;
  /** Empty when there was nothing to settle (and nothing was recorded). */
  settlements: Settlement[];
  /** The payer's net position per currency after the settlement (positive: is owed). */
  after: { currency: string; minor: number }[];
}

/**
 * `/settle <user> [amount]`: the actor paid `user` back. Without an amount it records, in each
 * currency, as much as the actor owes, capped at what `user` is owed (so nobody is overpaid); with
 * an amount it records exactly that (in the only currency the actor owes `user` in, unless one is
 * written). Settlements move nothing between accounts: the money changed hands outside the books.
 *
 * @throws DomainError `usage`, `member_unknown`, `split_invalid` ({context: 'self'}), amount errors.
 */
export async function settleUp(a: Actor, args: string): Promise<SettleResult> {
  assertCan(a.role, 'record');
  const words = tokenize(args);
  if (words.length === 0) throw new DomainError('usage', {});
  const { currencies, nets, profiles, profile } = await ledgerOf(a);
  const { member: to, rest } = memberThenRest(profiles, words, a.userId);
  if (to.userId === a.userId) throw new DomainError('split_invalid', { split: words[0], context: 'self' });
  const me = String(a.userId);
  const them = String(to.userId);
  const owed = currencies
    .map((currency) => ({ currency, minor: settleAmount(nets.get(currency)!, me, them) }))
    .filter((x) => x.minor > 0);

  let plan: { currency: string; minor: number }[];
  if (rest.length > 0) {
    const fallback = owed.length === 1 ? owed[0]!.currency : a.book.currency;
    const amount = parseAmount(rest.join(' '), fallback);
    plan = [{ currency: amount.currency, minor: amount.minor }];
  } else plan = owed;

  const settlements: Settlement[] = [];
  for (const p of plan) {
    settlements.push(
      await a.store.addSettlement({ bookId: a.book.id, fromUserId: a.userId, toUserId: to.userId, amountMinor: p.minor, currency: p.currency, authorId: a.userId }),
    );
  }
  const after = [...new Set([...currencies, ...plan.map((p) => p.currency)])].sort().map((currency) => {
    const paidNow = plan.filter((p) => p.currency === currency).reduce((s, p) => s + p.minor, 0);
    return { currency, minor: (nets.get(currency)?.get(me) ?? 0) + paidNow };
  });
  return { to, from: profile(me), settlements, after };
}

/**
 * Reads a member name from the start of `words` and returns the words after it: the longest run
 * of words that names a member wins, so `/settle Cy Lee 10` works without quotes.
 */
function memberThenRest(profiles: MemberProfile[], words: string[], self: number): { member: MemberProfile; rest: string[] } {
  for (let n = words.length; n > 1; n--) {
    try {
      return { member: resolveMember(profiles, words.slice(0, n).join(' '), self), rest: words.slice(n) };
    } catch (e) {
      if (!isDomainError(e) || e.code !== 'member_unknown' || e.context.context === 'ambiguous') throw e;
    }
  }
  return { member: resolveMember(profiles, words[0]!, self), rest: words.slice(1) };
}

/** Takes back a settlement (its Undo button): its author or an admin. */
export async function undoSettlement(a: Actor, id: number): Promise<Settlement> {
  const s = await a.store.getSettlement(a.book.id, id);
  if (!s || s.deletedAt) throw new DomainError('not_found', { what: 'settlement' });
  assertCanChange(a.role, a.userId, s.authorId);
  return a.store.setSettlementDeleted(a.book.id, id, true);
}
