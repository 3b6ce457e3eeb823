import { divRound, type Converter } from '../money/rates.js';
import { assertMinor } from '../money/money.js';

/**
 * One money figure of a report, never mixing currencies silently: `minor` is in the book
 * currency and includes the currencies listed in `converted` (each converted once, as a sum,
 * at a known rate); currencies without a rate stay apart in `rest`.
 */
export interface Figure {
  minor: number;
  converted: string[];
  rest: { currency: string; minor: number }[];
}

/** Sums per currency. */
export type Bag = Map<string, number>;

export function addTo(bag: Bag, currency: string, minor: number): void {
  bag.set(currency, assertMinor((bag.get(currency) ?? 0) + minor));
}

/** Turns sums per currency into a figure: book currency plus what converts, the rest apart. */
export function figureOf(bag: Bag, conv: Converter): Figure {
  let minor = 0;
  const converted: string[] = [];
  const rest: Figure['rest'] = [];
  for (const [currency, amount] of [...bag].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (amount === 0) continue;
    const inBook = conv.toBook(amount, currency);
    if (inBook === undefined) rest.push({ currency, minor: amount });
    else {
      minor = assertMinor(minor + inBook);
      if (currency !== conv.bookCurrency) converted.push(currency);
    }
  }
  return { minor, converted, rest };
}

/**
 * `a − b` figure by figure: the book-currency parts subtract (so a shown net always equals the
 * shown income minus the shown expenses), and so do the per-currency rests.
 */
export function subtract(a: Figure, b: Figure): Figure {
  const rest = new Map<string, number>();
  for (const r of a.rest) addTo(rest, r.currency, r.minor);
  for (const r of b.rest) addTo(rest, r.currency, -r.minor);
  return {
    minor: assertMinor(a.minor - b.minor),
    converted: [...new Set([...a.converted, ...b.converted])].sort(),
    rest: [...rest].filter(([, m]) => m !== 0).map(([currency, minor]) => ({ currency, minor })).sort((x, y) => (x.currency < y.currency ? -1 : 1)),
  };
}

/**
 * Change from `previous` to `current` in whole percent of |previous|, rounded half away from
 * zero with integer maths; undefined when there was nothing before (no percentage of zero).
 */
export function percentChange(current: number, previous: number): number | undefined {
  if (previous === 0) return undefined;
  return Number(divRound(BigInt(current - previous) * 100n, BigInt(Math.abs(previous))));
}

/** `part` as whole percent of `whole` (half away from zero); 0 when `whole` is 0. */
export function percentOf(part: number, whole: number): number {
  if (whole === 0) return 0;
  const neg = whole < 0;
  return Number(divRound(BigInt(part) * 100n * (neg ? -1n : 1n), BigInt(Math.abs(whole))));
}

/** Whole percent rounded down (a bar that shows 80% has really reached 80%). */
export function percentFloor(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Number((BigInt(part) * 100n) / BigInt(whole));
}
