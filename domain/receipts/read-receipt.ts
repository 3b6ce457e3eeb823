import type { Minor } from '../money/money.js';
import { amountsOnLine, currencyOnLine } from './amounts.js';
import { findReceiptDate } from './dates.js';

/**
 * What the text of a receipt says, as far as it can be read. `total` is set only when the
 * reader is sure enough (`confidence` ≥ {@link SURE}); otherwise `guess` holds the best candidate
 * and the caller asks instead of proposing it.
 */
export interface ReceiptReading {
  total?: Minor | undefined;
  /** The best candidate when not sure (largest amount near the bottom, or a subtotal). */
  guess?: Minor | undefined;
  /** 0…1: how sure the reader is of the total. */
  confidence: number;
  /** The printed line the total was read from. */
  totalLine?: string | undefined;
  /** `YYYY-MM-DD`, the first date printed. */
  date?: string | undefined;
  /** The shop's name: the first line at the top that reads like one. */
  merchant?: string | undefined;
  /** A currency printed next to the total, when it differs from the book's it is worth saying. */
  currency?: string | undefined;
}

/** The confidence from which a total is proposed rather than asked about. */
export const SURE = 0.6;

/** Whole words, Unicode-aware (`\b` in JavaScript knows only ASCII letters). */
const word = (src: string) => new RegExp(`(?<!\\p{L})(?:${src})(?!\\p{L})`, 'iu');

/**
 * Keywords as printed, and as the English OCR model reads Cyrillic ones: `ИТОГО` comes out as
 * `nToro`, `WToro`, `WUTOr`, `wroro` or `Toro`, `К ОПЛАТЕ` as `K OMNATE` or `K OIIJIATE`, `СДАЧА` as `COAYA`.
 */
const DUE = word(
  [
    'grand\\s*total', 'am\\p{L}{2,4}\\s*due', 'balance\\s*due', 'total\\s*due', 'to\\s*pay', 'total\\s*to\\s*pay', 'zu\\s*zahlen',
    'à\\s*payer', 'a\\s*payer', '[кk]\\s?[оo0](?:[пnm]|ii|ll)(?:[лnm]|ji|jl)?[аa][тt][еe]',
  ].join('|'),
);
const TOTAL = word(
  ['t[o0]ta[l1i]', 'totale', 'summe', 'gesamt', 'betrag', 'montant', 'итог[оo]?', '[иunwм]{1,2}\\s?[тtr][оo0][гr][оo0]?', '[тt][оo0][гr][оo0]', '[вb][сc][еe][гrtf][оo0]'].join('|'),
);
const SUBTOTAL = word(['sub\\s*-?\\s*t[o0]ta[l1i]', 'zwischensumme', 'под\\s?ит[оo]г', 'items?\\s*total'].join('|'));
/** Lines whose amounts are never the total: cash handed over, change, tax, discounts, tips. */
const NOT_TOTAL = word(
  [
    'cash', 'tendered', 'change', 'r(?:ü|u|ii)ckgeld', 'gegeben', 'bar', 'tax', 'vat', 'mwst', 'ust', 'tva', 'iva', 'ндс', 'hdc',
    'discount', 'saved', 'savings', 'скидка', 'tip', 'сдача', '[сc][дoa]?[аa][чy4][аa]', 'наличн\\p{L}*', 'ha[a-z]{1,3}[чy4]\\p{L}*', 'получено',
  ].join('|'),
);
/** Card payment lines: their amount is the total paid, which supports a candidate. */
const PAID = word(['visa', 'mastercard', 'maestro', 'card', 'karte', 'карта', 'безналичн\\p{L}*', 'mir', 'мир', 'paid'].join('|'));
const HEADER_WORDS = word(['receipt', 'welcome', 'кассовый\\s*чек', 'чек', 'invoice', 'tax\\s*invoice', 'kassenbon', 'quittung', 'thank\\s*you'].join('|'));

interface Line {
  text: string;
  amounts: Minor[];
  index: number;
}

/**
 * Reads a receipt's OCR text in the book's `currency`: the total the way receipts print it
 * (TOTAL / ИТОГО / SUMME / К ОПЛАТЕ…, the strongest keyword lowest on the slip; a keyword alone
 * on its line takes the amount on the next one), checked against the largest amount near the
 * bottom and the card payment; the first date; the merchant from the top lines.
 */
export function readReceipt(text: string, currency: string): ReceiptReading {
  const lines: Line[] = text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l.length > 0)
    .map((l, index) => ({ text: l, amounts: amountsOnLine(l, currency).map((a) => a.minor), index }));
  const n = lines.length;
  const date = findReceiptDate(text);
  const merchant = merchantOf(lines);
  const base = { date, merchant };
  if (n === 0) return { confidence: 0, ...base };

  const priceOf = (i: number): Minor | undefined => {
    const here = lines[i]!.amounts;
    if (here.length) return here[here.length - 1];
    const next = lines[i + 1];
    return next && !TOTAL.test(next.text) && !NOT_TOTAL.test(next.text) && next.amounts.length === 1 ? next.amounts[0] : undefined;
  };

  type Candidate = { minor: Minor; line: Line; strength: number };
  const candidates: Candidate[] = [];
  for (const line of lines) {
    const t = line.text;
    const strength = SUBTOTAL.test(t) ? 1 : DUE.test(t) ? 3 : TOTAL.test(t) && !NOT_TOTAL.test(t) ? 2 : 0;
    if (!strength) continue;
    const minor = priceOf(line.index);
    if (minor !== undefined && minor > 0) candidates.push({ minor, line, strength });
  }

  // The largest plausible amount in the lower part of the slip (cash handed over and change excluded).
  const lower = lines.filter((l) => l.index >= Math.floor(n * 0.4) && !NOT_TOTAL.test(l.text));
  const largest = Math.max(0, ...lower.flatMap((l) => l.amounts)) as Minor;
  const paid = lines.filter((l) => PAID.test(l.text)).flatMap((l) => l.amounts);
  const mark = (l: Line) => currencyOnLine(l.text);

  if (candidates.length === 0) {
    return largest > 0 ? { confidence: 0.3, guess: largest, ...base } : { confidence: 0, ...base };
  }
  const best = candidates.reduce((a, b) => (b.strength > a.strength || (b.strength === a.strength && b.line.index >= a.line.index) ? b : a));
  let confidence = best.strength >= 2 ? 0.75 : 0.45;
  if (best.minor === largest) confidence += 0.15;
  else if (largest > best.minor && best.strength < 3) confidence -= 0.25;
  if (paid.includes(best.minor)) confidence += 0.1;
  // Two keyword lines with different amounts at the same strength (a misread digit on one of them).
  if (candidates.some((c) => c.strength === best.strength && c.minor !== best.minor && c.line.index > best.line.index - 3)) confidence -= 0.2;
  confidence = Math.max(0, Math.min(1, Math.round(confidence * 100) / 100));
  const currencyMark = mark(best.line);
  const found = { confidence, totalLine: best.line.text, ...base, ...(currencyMark ? { currency: currencyMark } : {}) };
  return confidence >= SURE ? { total: best.minor, ...found } : { guess: best.minor, ...found };
}

function merchantOf(lines: Line[]): string | undefined {
  for (const l of lines.slice(0, 5)) {
    if (l.amounts.length || HEADER_WORDS.test(l.text) || findReceiptDate(l.text)) continue;
    const cleaned = l.text
      .replace(/[^\p{L}\p{N}&'’.\- ]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if ((cleaned.match(/\p{L}/gu) ?? []).length >= 3) return cleaned.slice(0, 40);
  }
  return undefined;
}
