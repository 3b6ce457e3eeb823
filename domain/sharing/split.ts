import { DomainError } from '../errors.js';
import { assertMinor } from '../money/money.js';

/**
 * How a shared expense is divided. `member` is an opaque id (the caller's user id as text).
 *
 * - `equal`: everyone in `members` pays the same, give or take one minor unit.
 * - `shares`: proportional to positive integer weights (`weight: 2` pays twice as much as `1`).
 * - `amounts`: entries with `minor` pay exactly that; entries without `minor` split whatever is
 *   left equally. If every entry has an amount, the amounts must add up to the total.
 *
 * A member may appear only once per spec: a repeated member is ambiguous (a double share? a typo
 * for someone else?), so it is rejected rather than silently merged.
 */
export type SplitSpec =
  | { mode: 'equal'; members: string[] }
  | { mode: 'shares'; shares: { member: string; weight: number }[] }
  | { mode: 'amounts'; amounts: { member: string; minor?: number }[] };

/** One person's part of a split, in minor units. */
export interface SplitShare {
  member: string;
  minor: number;
}

/** One entry of a `split:` list as written by the user; names are resolved by the caller. */
export interface SplitTokenEntry {
  /** `alice` for `@alice`; a Discord mention `<@123>` / `<@!123>` is kept as `<@123>`. */
  name: string;
  /** Present on every entry when any entry used `*N` (unmarked entries get 1). */
  weight?: number;
  /** Decimal text as written (`30.50`); the caller converts it with the book's currency. */
  minor?: string;
}

/** Result of {@link parseSplitToken}: `equal` means "every member of the book". */
export interface ParsedSplit {
  mode: 'equal' | 'list';
  entries: SplitTokenEntry[];
}

const NAME = String.raw`@[\p{L}\p{N}_.]+|<@!?\d+>`;
const ENTRY = new RegExp(String.raw`^(${NAME})(?:\*(\d+)|=(\d+(?:\.\d+)?))?$`, 'u');
const KEYWORD = /^split(?::|$)/i;

/**
 * Parses the split token of a record line. Syntax (keyword case-insensitive, no spaces inside):
 *
 * - `split` — equally among every member of the book (`entries` is empty);
 * - `split:@a,@b` — equally among the named members;
 * - `split:@a*2,@b` — by shares (a pays 2/3, b 1/3); an entry without `*N` has weight 1;
 * - `split:@a=30.50,@b,@c` — a pays exactly 30.50, b and c split the rest equally.
 *
 * `*` and `=` cannot be mixed in one list. A decimal comma is not accepted because the comma
 * separates entries (`@a=30,50` would be ambiguous). A name is `@` followed by letters, digits,
 * `_` or `.`, or a Discord mention `<@id>`. Duplicate names (case-insensitive) are rejected.
 *
 * @returns `undefined` when the token is not a split token at all (so `splitter` stays a word).
 * @throws DomainError `split_invalid` with `{ split: token }` when it starts with `split:` or is
 *   `split` but is malformed.
 */
export function parseSplitToken(token: string): ParsedSplit | undefined {
  if (!KEYWORD.test(token)) return undefined;
  if (token.length === 'split'.length) return { mode: 'equal', entries: [] };
  const invalid = () => new DomainError('split_invalid', { split: token });

  const parts = token.slice('split:'.length).split(',');
  const entries: SplitTokenEntry[] = [];
  const seen = new Set<string>();
  let weighted = false;
  let amounted = false;
  for (const part of parts) {
    const m = ENTRY.exec(part);
    if (!m) throw invalid();
    const [, rawName = '', weight, amount] = m;
    const name = rawName.startsWith('<@') ? `<@${rawName.replace(/\D/g, '')}>` : rawName.slice(1);
    const key = name.toLowerCase();
    if (seen.has(key)) throw invalid();
    seen.add(key);
    const entry: SplitTokenEntry = { name };
    if (weight !== undefined) {
      const w = Number(weight);
      if (!Number.isSafeInteger(w) || w <= 0) throw invalid();
      entry.weight = w;
      weighted = true;
    }
    if (amount !== undefined) {
      entry.minor = amount;
      amounted = true;
    }
    entries.push(entry);
  }
  if (weighted && amounted) throw invalid();
  if (weighted) for (const e of entries) e.weight ??= 1;
  return { mode: 'list', entries };
}

/**
 * Turns a parsed token into a {@link SplitSpec}: `everyone` is used for a bare `split`,
 * `resolve` maps a written name to a member id (and throws `member_unknown` itself), `toMinor`
 * converts decimal text in the book's currency (and throws the amount errors itself).
 */
export function splitSpecFrom(
  parsed: ParsedSplit,
  deps: { everyone: readonly string[]; resolve: (name: string) => string; toMinor: (decimal: string) => number },
): SplitSpec {
  if (parsed.mode === 'equal') return { mode: 'equal', members: [...deps.everyone] };
  const { entries } = parsed;
  if (entries.some((e) => e.minor !== undefined)) {
    return {
      mode: 'amounts',
      amounts: entries.map((e) =>
        e.minor === undefined ? { member: deps.resolve(e.name) } : { member: deps.resolve(e.name), minor: deps.toMinor(e.minor) },
      ),
    };
  }
  if (entries.some((e) => e.weight !== undefined)) {
    return { mode: 'shares', shares: entries.map((e) => ({ member: deps.resolve(e.name), weight: e.weight ?? 1 })) };
  }
  return { mode: 'equal', members: entries.map((e) => deps.resolve(e.name)) };
}

/**
 * Divides `totalMinor` exactly according to `spec`; the result lists members in the spec's
 * order and always sums to `totalMinor`.
 *
 * Rounding uses the largest-remainder method: everyone first gets the floor of their exact
 * share, then the leftover minor units go one each to the largest fractional remainders, ties
 * going to whoever comes first in the spec. So 100.00 among three is 33.34 / 33.33 / 33.33.
 * A negative total (a refund) is split as the mirror image of the positive one; explicit
 * amounts must then carry the same sign as the total.
 *
 * @throws DomainError `split_invalid` with `{ reason, member? }`, reason being `empty` (nobody to
 *   split among), `duplicate`, `weight` (not a positive integer), `amount` (explicit amount of
 *   the wrong sign or not an integer), `exceeds_total` (explicit amounts above the total) or
 *   `mismatch` (every entry has an amount and they do not add up to the total).
 */
export function splitAmount(totalMinor: number, spec: SplitSpec): SplitShare[] {
  assertMinor(totalMinor);
  const sign = totalMinor < 0 ? -1 : 1;
  const total = Math.abs(totalMinor);

  const members =
    spec.mode === 'equal' ? spec.members : spec.mode === 'shares' ? spec.shares.map((s) => s.member) : spec.amounts.map((a) => a.member);
  if (members.length === 0) throw new DomainError('split_invalid', { reason: 'empty' });
  const seen = new Set<string>();
  for (const m of members) {
    if (seen.has(m)) throw new DomainError('split_invalid', { reason: 'duplicate', member: m });
    seen.add(m);
  }

  let parts: number[];
  if (spec.mode === 'equal') {
    parts = allocate(total, members.map(() => 1));
  } else if (spec.mode === 'shares') {
    for (const s of spec.shares) {
      if (!Number.isSafeInteger(s.weight) || s.weight <= 0) throw new DomainError('split_invalid', { reason: 'weight', member: s.member });
    }
    parts = allocate(total, spec.shares.map((s) => s.weight));
  } else {
    let fixed = 0;
    for (const a of spec.amounts) {
      if (a.minor === undefined) continue;
      const abs = a.minor * sign;
      // Zero is allowed for the mirror of a refund, a sign flip is not: it would make the rest bigger than the total.
      if (!Number.isSafeInteger(a.minor) || abs < 0) throw new DomainError('split_invalid', { reason: 'amount', member: a.member });
      fixed += abs;
      if (fixed > total) throw new DomainError('split_invalid', { reason: 'exceeds_total' });
    }
    const open = spec.amounts.filter((a) => a.minor === undefined).length;
    const rest = total - fixed;
    if (open === 0 && rest !== 0) throw new DomainError('split_invalid', { reason: 'mismatch' });
    const spread = open > 0 ? allocate(rest, new Array<number>(open).fill(1)) : [];
    let k = 0;
    parts = spec.amounts.map((a) => (a.minor === undefined ? spread[k++]! : a.minor * sign));
  }

  // `0 * -1` is -0, which prints as "0" but fails Object.is checks downstream; normalise it.
  return members.map((member, i) => ({ member, minor: assertMinor(parts[i]! * sign + 0) }));
}

/**
 * Largest-remainder allocation of a non-negative `total` by positive integer `weights`.
 * BigInt keeps `total * weight` exact: totals reach 10^15 minor units, far past 2^53 once multiplied.
 */
function allocate(total: number, weights: readonly number[]): number[] {
  const t = BigInt(total);
  const sum = weights.reduce((a, w) => a + BigInt(w), 0n);
  const floors: bigint[] = [];
  const rems: bigint[] = [];
  let given = 0n;
  for (const w of weights) {
    const exact = t * BigInt(w);
    floors.push(exact / sum);
    rems.push(exact % sum);
    given += exact / sum;
  }
  const order = weights.map((_, i) => i).sort((a, b) => (rems[a]! === rems[b]! ? a - b : rems[a]! > rems[b]! ? -1 : 1));
  const leftover = Number(t - given); // < weights.length by construction
  for (let j = 0; j < leftover; j++) floors[order[j]!]! += 1n;
  return floors.map(Number);
}
