import { assertMinor, MAX_MAJOR, minorDigits, type Minor } from '../money/money.js';

/** An amount printed on a receipt line, in the minor units of the currency it is read in. */
export interface PrintedAmount {
  minor: Minor;
  /** Where on the line it starts (the right-most amount of a line is usually its price). */
  index: number;
  /** A currency written next to it (`€`, `EUR`, `руб`), when there is one. */
  currency?: string | undefined;
}

/**
 * Receipt prices: digits with a decimal comma or point and exactly the currency's minor digits
 * (`4.50`, `484,89`, `1 234,50`, `1,234.50`, `1.234,50`). Whole numbers (quantities, article
 * numbers, phone numbers) are not prices, except in a currency without minor units.
 * OCR reads the letter O for a zero inside numbers now and then; `O` between digits counts as 0.
 */
const GROUPED = /(?<![\d.,])(\d{1,3}(?:[ ,.'’]\d{3})+|\d+)\s?[.,]\s?(\d{2,3})(?![\d]|[.,]\d)/g;
const WHOLE = /(?<![\d.,])(\d{1,3}(?:[ ,.'’]\d{3})+|\d{1,9})(?![\d.,]\d)/g;

/** Currency marks as printed, and as English OCR reads the Cyrillic ones (`руб` → `pyb`). */
const CURRENCY_WORDS: [RegExp, string][] = [
  [/\b(eur|euro)\b|€/i, 'EUR'],
  [/\busd\b|\$/i, 'USD'],
  [/\bgbp\b|£/i, 'GBP'],
  [/\b(rub|руб|py[б6b]|р\.)|₽/i, 'RUB'],
  [/\bchf\b/i, 'CHF'],
  [/\bpln\b|zł/i, 'PLN'],
  [/\buah\b|грн|₴/i, 'UAH'],
  [/\bjpy\b|¥/i, 'JPY'],
];

/** The currency named on a line, if any. */
export function currencyOnLine(line: string): string | undefined {
  for (const [re, code] of CURRENCY_WORDS) if (re.test(line)) return code;
  return undefined;
}

const digitsOnly = (s: string) => s.replace(/[^\d]/g, '');

/** Reads every price on one line in `currency`'s minor units (left to right). */
export function amountsOnLine(raw: string, currency: string): PrintedAmount[] {
  const digits = minorDigits(currency);
  // `1O.5O` → `10.50`: an O or o with a digit on one side and a digit or separator on the other.
  const line = raw.replace(/(?<=\d[.,]?)[Oo]|(?<![\p{L}])[Oo](?=[.,]?\d)/gu, '0');
  const mark = currencyOnLine(line);
  const out: PrintedAmount[] = [];
  if (digits === 0) {
    for (const m of line.matchAll(WHOLE)) {
      const major = Number(digitsOnly(m[1]!));
      if (major > 0 && major < MAX_MAJOR) out.push({ minor: assertMinor(major), index: m.index!, currency: mark });
    }
    return out;
  }
  for (const m of line.matchAll(GROUPED)) {
    const fraction = m[2]!;
    if (fraction.length !== digits) continue;
    const major = Number(digitsOnly(m[1]!));
    if (!Number.isSafeInteger(major) || major >= MAX_MAJOR) continue;
    out.push({ minor: assertMinor(major * 10 ** digits + Number(fraction)), index: m.index!, currency: mark });
  }
  return out;
}
