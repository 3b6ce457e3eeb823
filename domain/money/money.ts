import { DomainError } from '../errors.js';

/**
 * Integer amount in a currency's minor units (cents for EUR, yen for JPY, fils for BHD). The brand
 * is required: a plain number becomes `Minor` only through `assertMinor` (or the parsers built on
 * it), so the compiler refuses a write path (`NewEvent`) fed an unchecked number.
 */
declare const minorBrand: unique symbol;
export type Minor = number & { readonly [minorBrand]: true };

/** An amount of money: minor units and the ISO 4217 code they count in. */
export interface Money {
  minor: Minor;
  currency: string;
}

/** Largest magnitude accepted in major units: 10^12. */
export const MAX_MAJOR = 1_000_000_000_000;

/**
 * ISO 4217 minor digits for every currency COIN accepts. Codes not listed are rejected, which
 * keeps typos (`/currency EUT`) from creating books in a currency nobody can read.
 */
const MINOR_DIGITS: Record<string, number> = {
  AED: 2, AFN: 2, ALL: 2, AMD: 2, ANG: 2, AOA: 2, ARS: 2, AUD: 2, AWG: 2, AZN: 2, BAM: 2, BBD: 2,
  BDT: 2, BGN: 2, BHD: 3, BIF: 0, BMD: 2, BND: 2, BOB: 2, BRL: 2, BSD: 2, BTN: 2, BWP: 2, BYN: 2,
  BZD: 2, CAD: 2, CDF: 2, CHF: 2, CLP: 0, CNY: 2, COP: 2, CRC: 2, CUP: 2, CVE: 2, CZK: 2, DJF: 0,
  DKK: 2, DOP: 2, DZD: 2, EGP: 2, ERN: 2, ETB: 2, EUR: 2, FJD: 2, FKP: 2, GBP: 2, GEL: 2, GHS: 2,
  GIP: 2, GMD: 2, GNF: 0, GTQ: 2, GYD: 2, HKD: 2, HNL: 2, HTG: 2, HUF: 2, IDR: 2, ILS: 2, INR: 2,
  IQD: 3, IRR: 2, ISK: 0, JMD: 2, JOD: 3, JPY: 0, KES: 2, KGS: 2, KHR: 2, KMF: 0, KPW: 2, KRW: 0,
  KWD: 3, KYD: 2, KZT: 2, LAK: 2, LBP: 2, LKR: 2, LRD: 2, LSL: 2, LYD: 3, MAD: 2, MDL: 2, MGA: 2,
  MKD: 2, MMK: 2, MNT: 2, MOP: 2, MRU: 2, MUR: 2, MVR: 2, MWK: 2, MXN: 2, MYR: 2, MZN: 2, NAD: 2,
  NGN: 2, NIO: 2, NOK: 2, NPR: 2, NZD: 2, OMR: 3, PAB: 2, PEN: 2, PGK: 2, PHP: 2, PKR: 2, PLN: 2,
  PYG: 0, QAR: 2, RON: 2, RSD: 2, RUB: 2, RWF: 0, SAR: 2, SBD: 2, SCR: 2, SDG: 2, SEK: 2, SGD: 2,
  SHP: 2, SLE: 2, SOS: 2, SRD: 2, SSP: 2, STN: 2, SYP: 2, SZL: 2, THB: 2, TJS: 2, TMT: 2, TND: 3,
  TOP: 2, TRY: 2, TTD: 2, TWD: 2, TZS: 2, UAH: 2, UGX: 0, USD: 2, UYU: 2, UZS: 2, VES: 2, VND: 0,
  VUV: 0, WST: 2, XAF: 0, XCD: 2, XOF: 0, XPF: 0, YER: 2, ZAR: 2, ZMW: 2, ZWL: 2,
};

/** Currency symbols accepted in amounts, mapped to their ISO code. */
export const CURRENCY_SYMBOLS: Record<string, string> = {
  '€': 'EUR', '$': 'USD', '£': 'GBP', '¥': 'JPY', '₽': 'RUB', '₴': 'UAH', '₹': 'INR', '₩': 'KRW',
  '₺': 'TRY', '₪': 'ILS', '₸': 'KZT', '₾': 'GEL', 'zł': 'PLN', 'Kč': 'CZK', 'Fr': 'CHF',
};

export const isCurrency = (code: string): boolean => Object.hasOwn(MINOR_DIGITS, code.toUpperCase());

/** Normalises and validates an ISO 4217 code; throws `currency_unknown`. */
export function currencyCode(text: string): string {
  const code = text.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code) || !isCurrency(code)) throw new DomainError('currency_unknown', { currency: text });
  return code;
}

export function minorDigits(currency: string): number {
  const d = MINOR_DIGITS[currency.toUpperCase()];
  if (d === undefined) throw new DomainError('currency_unknown', { currency });
  return d;
}

/** Guards against float drift: every amount that crosses a boundary must pass this. */
export function assertMinor(n: number): Minor {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer minor amount: ${n}`);
  return n as Minor;
}

/**
 * Formats minor units for replies: `1,234.50 EUR`, `-3 JPY`, `0.125 BHD` in English; in Russian
 * the marks Russian readers use, `1 234,50 EUR` (a no-break space groups thousands, a comma
 * marks decimals: `12,500 JPY` would read as twelve and a half there).
 * Built from integer digits, never through floating point.
 */
export function formatMoney(minor: number, currency: string, opts: { sign?: boolean; code?: boolean; lang?: 'en' | 'ru' } = {}): string {
  assertMinor(minor);
  const digits = minorDigits(currency);
  const neg = minor < 0;
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  const intPart = digits ? abs.slice(0, -digits) : abs;
  const frac = digits ? abs.slice(-digits) : '';
  const ru = opts.lang === 'ru';
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ru ? '\u00a0' : ',');
  const sign = neg ? '-' : opts.sign && minor > 0 ? '+' : '';
  const num = `${sign}${grouped}${frac ? (ru ? ',' : '.') + frac : ''}`;
  return opts.code === false ? num : `${num} ${currency.toUpperCase()}`;
}

/** Splits a minor amount into a whole-major number string for CSV/API (`1234.50`). */
export function minorToDecimal(minor: number, currency: string): string {
  return formatMoney(minor, currency, { code: false }).replace(/,/g, '');
}
