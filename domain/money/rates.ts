import type { Actor } from '../access/actor.js';
import { DomainError } from '../errors.js';
import { assertMinor, currencyCode, minorDigits } from './money.js';
import { assertCan } from '../access/permissions.js';
import type { Rate } from '../statistics/ports.js';
import { tokenize } from '../parsing/tokenize.js';

/**
 * Converts `minor` units of a currency into book-currency minor units with `rate`, in integer
 * arithmetic (BigInt, so large sums cannot lose digits), rounding half away from zero — the one
 * rounding rule of every conversion in COIN. Callers convert a sum once per currency rather
 * than each event, so a figure carries at most one rounding per currency.
 */
export function convertMinor(minor: number, rate: Pick<Rate, 'perMinor' | 'bookMinor'>): number {
  assertMinor(minor);
  const num = BigInt(minor) * BigInt(rate.bookMinor);
  const den = BigInt(rate.perMinor);
  return assertMinor(Number(divRound(num, den)));
}

/** `num / den` rounded half away from zero (`den` > 0). */
export function divRound(num: bigint, den: bigint): bigint {
  const neg = num < 0n;
  const abs = neg ? -num : num;
  const q = (abs * 2n + den) / (den * 2n);
  return neg ? -q : q;
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

/**
 * Reads `/rate <CUR> <value>`: one unit of CUR is worth `value` of the book currency
 * (`/rate USD 0.92` in a EUR book). The value is exact decimal text (`.` or `,`), up to 12
 * significant digits; it becomes the reduced ratio perMinor : bookMinor of minor units.
 *
 * @throws DomainError `usage`, `currency_unknown`, `amount_invalid`, `amount_zero`.
 */
export function parseRate(args: string, bookCurrency: string): { currency: string; perMinor: number; bookMinor: number } {
  const [cur, value, extra] = tokenize(args);
  if (!cur || !value || extra) throw new DomainError('usage', {});
  const currency = currencyCode(cur);
  if (currency === bookCurrency) throw new DomainError('usage', {});
  const m = /^(\d{1,12})(?:[.,](\d{1,12}))?$/.exec(value);
  if (!m) throw new DomainError('amount_invalid', { text: value });
  const frac = m[2] ?? '';
  const units = BigInt(m[1]! + frac);
  if (units === 0n) throw new DomainError('amount_zero', { currency: bookCurrency });
  if ((m[1]! + frac).replace(/^0+/, '').length > 12) throw new DomainError('amount_invalid', { text: value });
  // value = units / 10^frac book units per foreign unit, in minor units of each side:
  // 10^(cd + frac) foreign minor = units * 10^bd book minor.
  let per = 10n ** BigInt(minorDigits(currency) + frac.length);
  let book = units * 10n ** BigInt(minorDigits(bookCurrency));
  const g = gcd(per, book);
  per /= g;
  book /= g;
  if (per > BigInt(Number.MAX_SAFE_INTEGER) || book > BigInt(Number.MAX_SAFE_INTEGER))
    throw new DomainError('amount_invalid', { text: value });
  return { currency, perMinor: Number(per), bookMinor: Number(book) };
}

/**
 * The value of one unit of `currency` in the book currency as decimal text (`0.92`), with as
 * many decimals as needed up to 6 (then rounded half away from zero), for people to read.
 */
export function rateText(rate: Pick<Rate, 'currency' | 'perMinor' | 'bookMinor'>, bookCurrency: string, lang: 'en' | 'ru' = 'en'): string {
  const places = 6;
  const scaled = divRound(
    BigInt(rate.bookMinor) * 10n ** BigInt(minorDigits(rate.currency) + places),
    BigInt(rate.perMinor) * 10n ** BigInt(minorDigits(bookCurrency)),
  );
  const digits = scaled.toString().padStart(places + 1, '0');
  const int = digits.slice(0, -places);
  const frac = digits.slice(-places).replace(/0+$/, '');
  return frac ? `${int}${lang === 'ru' ? ',' : '.'}${frac}` : int;
}

/** Converts sums per currency into the book currency where a rate is known. */
export class Converter {
  private readonly byCurrency: Map<string, Rate>;
  constructor(
    readonly bookCurrency: string,
    rates: readonly Rate[],
  ) {
    this.byCurrency = new Map(rates.map((r) => [r.currency, r]));
  }

  /** Book-currency minor units, or undefined when no rate is known (never guessed). */
  toBook(minor: number, currency: string): number | undefined {
    if (currency === this.bookCurrency) return minor;
    const rate = this.byCurrency.get(currency);
    return rate ? convertMinor(minor, rate) : undefined;
  }

  rate(currency: string): Rate | undefined {
    return this.byCurrency.get(currency);
  }
}

/** `/rate USD 0.92`: sets the rate of a currency against the book currency. */
export async function setRate(a: Actor, args: string): Promise<Rate> {
  assertCan(a.role, 'manage');
  const r = parseRate(args, a.book.currency);
  const at = a.clock.now();
  await a.store.setRate(a.book.id, { ...r, base: a.book.currency, at });
  return { ...r, source: 'rate', at };
}

/** The rates the book's statistics convert with. */
export async function listRates(a: Actor): Promise<Rate[]> {
  assertCan(a.role, 'read');
  return a.store.listRates(a.book.id, a.book.currency);
}
