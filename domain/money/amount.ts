import { DomainError } from '../errors.js';
import { CURRENCY_SYMBOLS, MAX_MAJOR, assertMinor, currencyCode, isCurrency, minorDigits, type Minor, type Money } from './money.js';
import { tokenize } from '../parsing/tokenize.js';

/**
 * An amount as the user wrote it, before its currency's minor digits are known.
 *
 * `1.500` / `12,500` (one `.` or `,` followed by exactly three digits, nothing else grouping the
 * number) cannot be read until the currency is known: it is 1.5 BHD but 1,500 EUR. `readAmount`
 * keeps the decimal reading in `decimal` and sets `maybeThousands`; `toMinor` then reads the mark
 * as a thousands separator when the currency has fewer than 3 minor digits. Keeping the decision
 * in `toMinor` means the currency may come from anywhere (the amount, an `@account`, the book).
 */
export interface AmountText {
  /** Normalised digits with `.` as decimal mark and no grouping: `"1234.56"`, `"12"`, `"0.5"`. */
  decimal: string;
  /** ISO code, when a code or symbol was written with the amount. */
  currency?: string;
  /** How many leading tokens of the input the amount used. */
  consumed: number;
  /** The single mark in `decimal` may be a thousands separator (see the interface note). */
  maybeThousands?: boolean;
}

/**
 * Lower-case English words that are also ISO codes. Written as their own lower-case word after a
 * number (`5 cup coffee`, `12 top hat`) they are far more often the start of a note than a
 * currency, so they only count as a currency in upper case (`5 CUP`), attached (`5cup`), before
 * the number (`cup 5`), or where nothing but an amount can follow (`parseAmount`).
 */
const CODE_LOOKALIKE_WORDS = new Set(['all', 'bob', 'cop', 'cup', 'gel', 'mad', 'mop', 'pen', 'top']);

/** Written currency names common in COIN's languages that `CURRENCY_SYMBOLS` does not cover. */
const CURRENCY_WORDS: Readonly<Record<string, string>> = {
  'р': 'RUB', 'р.': 'RUB', 'руб': 'RUB', 'руб.': 'RUB', 'грн': 'UAH', 'грн.': 'UAH',
};

const SIGNS: Readonly<Record<string, string>> = { ...CURRENCY_SYMBOLS, ...CURRENCY_WORDS };
/** Longest first, so `zł` and `руб.` win over shorter overlaps. */
const SIGN_LIST = Object.keys(SIGNS).sort((a, b) => b.length - a.length);

const MINUS = /^[-−‐–]/u;
const NUMBER_CHARS = /^[\d.,'_’]+$/u;

interface ReadOptions {
  /** Accept `cup`, `top`, … after the number as currencies (the whole text is an amount). */
  codeWordsAreCurrencies: boolean;
}

/**
 * Reads an amount from the start of a token list (see `tokenize`): `12.50`, `12,5`, `1 234.56`
 * (a space between 3-digit groups, i.e. across tokens), `1'234.50`, `1_000`, `1,234.56`,
 * `1.234,56`, with an optional ISO code (any case) or symbol before or after, attached or as its
 * own token (`€12`, `12€`, `12 usd`, `USD 12`). Grouping must be in threes. A leading `+` is not
 * part of an amount; callers strip it.
 *
 * @throws DomainError `amount_empty` (no tokens), `amount_invalid` ({text}) when the start is not
 *   an amount, `amount_negative` for a minus sign.
 */
export function readAmount(tokens: readonly string[]): AmountText {
  return read(tokens, { codeWordsAreCurrencies: false });
}

function read(tokens: readonly string[], opts: ReadOptions): AmountText {
  const first = tokens[0]?.trim();
  if (!first) throw new DomainError('amount_empty');
  const invalid = (n: number) => new DomainError('amount_invalid', { text: tokens.slice(0, n).join(' ') });

  let i = 0;
  let currency: string | undefined;
  let head = first;

  // Currency written before the number: its own token (`USD 12`, `€ 12`) or attached (`€12`).
  const standalone = standaloneCurrency(first, true);
  if (standalone && tokens.length > 1) {
    currency = standalone;
    i = 1;
    head = tokens[1]!.trim();
  } else {
    const split = splitPrefix(first);
    if (split) [currency, head] = split;
  }
  if (MINUS.test(head)) {
    const rest = head.replace(MINUS, '');
    if (rest && (NUMBER_CHARS.test(rest) || splitPrefix(rest) || splitSuffix(rest))) {
      throw new DomainError('amount_negative', { text: tokens.slice(0, i + 1).join(' ') });
    }
    throw invalid(i + 1);
  }

  // Currency attached after the number (`12€`, `12usd`); only one currency per amount.
  let raw = head;
  const suffix = splitSuffix(head);
  if (suffix) {
    if (currency) throw invalid(i + 1);
    [raw, currency] = suffix;
  }
  if (!NUMBER_CHARS.test(raw)) throw invalid(i + 1);
  i++;

  // A space between digit groups splits the number across tokens: ["1", "234", "567.89"].
  if (!suffix && /^\d{1,3}$/.test(raw)) {
    while (i < tokens.length) {
      const next = tokens[i]!;
      const nextSuffix = splitSuffix(next);
      const digits = nextSuffix ? nextSuffix[0] : next;
      if (!/^\d{3}(?:[.,]\d+)?$/.test(digits) || (nextSuffix && currency)) break;
      raw += ' ' + digits;
      i++;
      if (nextSuffix) {
        currency = nextSuffix[1];
        break;
      }
      if (digits.length > 3) break;
    }
  }

  const number = readNumber(raw);
  if (!number) throw invalid(i);

  if (!currency && i < tokens.length) {
    const after = standaloneCurrency(tokens[i]!.trim(), opts.codeWordsAreCurrencies);
    if (after) {
      currency = after;
      i++;
    }
  }
  return { ...number, ...(currency ? { currency } : {}), consumed: i };
}

/** `USD`, `usd`, `€`, `руб` written as a token of its own. */
function standaloneCurrency(token: string, codeWordsAreCurrencies: boolean): string | undefined {
  if (Object.hasOwn(SIGNS, token)) return SIGNS[token];
  if (/^[A-Za-z]{3}$/.test(token) && isCurrency(token)) {
    if (!codeWordsAreCurrencies && CODE_LOOKALIKE_WORDS.has(token)) return undefined;
    return currencyCode(token);
  }
  return undefined;
}

/** `€12` → ["EUR", "12"], `usd12.5` → ["USD", "12.5"], `€-5` → ["EUR", "-5"]. */
function splitPrefix(token: string): [string, string] | undefined {
  const startsNumber = (rest: string) => /^[-−]?[\d.,]/u.test(rest);
  for (const sign of SIGN_LIST) {
    if (token.startsWith(sign) && startsNumber(token.slice(sign.length))) return [SIGNS[sign]!, token.slice(sign.length)];
  }
  const code = /^([A-Za-z]{3})(.+)$/.exec(token);
  if (code && isCurrency(code[1]!) && startsNumber(code[2]!)) return [currencyCode(code[1]!), code[2]!];
  return undefined;
}

/** `12€` → ["12", "EUR"], `12.50usd` → ["12.50", "USD"], `100руб.` → ["100", "RUB"]. */
function splitSuffix(token: string): [string, string] | undefined {
  const endsNumber = (rest: string) => /\d$/.test(rest);
  for (const sign of SIGN_LIST) {
    const rest = token.slice(0, -sign.length);
    if (token.endsWith(sign) && endsNumber(rest)) return [rest, SIGNS[sign]!];
  }
  const code = /^(.+?)([A-Za-z]{3})$/.exec(token);
  if (code && isCurrency(code[2]!) && endsNumber(code[1]!)) return [code[1]!, currencyCode(code[2]!)];
  return undefined;
}

/**
 * Reads digits with grouping and a decimal mark. `raw` holds only digits, `.`, `,`, `'`, `’`,
 * `_` and spaces (the spaces come from joining tokens).
 *
 * The decimal mark: with both `.` and `,` present, the last one (it must appear once); with one
 * of them repeated, none (it groups thousands); a single one is the decimal mark, except that a
 * single mark followed by exactly three digits with no other grouping is left to `toMinor`.
 * Space, `'` and `_` always group thousands. Groups after the first have exactly three digits.
 */
function readNumber(raw: string): Omit<AmountText, 'consumed' | 'currency'> | undefined {
  if (!/\d/.test(raw)) return undefined;
  const dots = count(raw, '.');
  const commas = count(raw, ',');
  let mark: '.' | ',' | undefined;
  let maybeThousands = false;
  if (dots && commas) {
    mark = raw.lastIndexOf('.') > raw.lastIndexOf(',') ? '.' : ',';
    if (count(raw, mark) !== 1) return undefined;
  } else if (dots + commas === 1) {
    mark = dots ? '.' : ',';
    maybeThousands = /^[1-9]\d{0,2}[.,]\d{3}$/.test(raw);
  }

  const at = mark ? raw.indexOf(mark) : -1;
  const intText = at === -1 ? raw : raw.slice(0, at);
  const frac = at === -1 ? '' : raw.slice(at + 1);
  if (at !== -1 && !/^\d+$/.test(frac)) return undefined;

  const separators = new Set(intText.replace(/\d/g, ''));
  if (separators.size > 1) return undefined;
  let int: string;
  if (separators.size === 0) {
    if (!intText && !frac) return undefined;
    int = intText;
  } else {
    const groups = intText.split([...separators][0]!);
    if (!/^\d{1,3}$/.test(groups[0]!) || groups.slice(1).some((g) => !/^\d{3}$/.test(g))) return undefined;
    int = groups.join('');
  }
  int = int.replace(/^0+(?=\d)/, '') || '0';
  return { decimal: frac ? `${int}.${frac}` : int, ...(maybeThousands ? { maybeThousands: true } : {}) };
}

const count = (s: string, ch: string): number => s.split(ch).length - 1;

/**
 * Converts an amount to integer minor units of `currency`, digit by digit (never via floats).
 * Trailing zeros beyond the currency's digits are fine (`100.00 JPY`).
 *
 * @throws DomainError `currency_unknown`, `amount_too_precise` ({currency, digits}: the digits the
 *   currency allows), `amount_too_large` ({currency, max}) above 10^12 major units, `amount_zero`.
 */
export function toMinor(a: AmountText, currency: string): Minor {
  const code = currencyCode(currency);
  const digits = minorDigits(code);
  const decimal = a.maybeThousands && digits < 3 ? a.decimal.replace('.', '') : a.decimal;
  const [intRaw = '', fracRaw = ''] = decimal.split('.');
  const int = intRaw.replace(/^0+/, '');
  const frac = fracRaw.replace(/0+$/, '');
  if (frac.length > digits) throw new DomainError('amount_too_precise', { currency: code, digits });
  const max = String(MAX_MAJOR);
  if (int.length > max.length || (int.length === max.length && (int > max || (int === max && frac)))) {
    throw new DomainError('amount_too_large', { currency: code, max });
  }
  const minor = assertMinor(Number((int || '0') + frac.padEnd(digits, '0')));
  if (minor === 0) throw new DomainError('amount_zero', { currency: code });
  return minor;
}

/**
 * Parses text that must be exactly one amount (`/budget #food 300`, `/account add Cash usd 50`).
 * Without a written currency the amount is in `defaultCurrency`.
 *
 * @throws DomainError as `readAmount` and `toMinor`; `amount_invalid` ({text}) for leftover words.
 */
export function parseAmount(
  text: string,
  defaultCurrency: string,
): Money & { explicitCurrency: boolean } {
  const tokens = tokenize(text);
  const amount = read(tokens, { codeWordsAreCurrencies: true });
  if (amount.consumed < tokens.length) throw new DomainError('amount_invalid', { text: text.trim() });
  const currency = amount.currency ?? currencyCode(defaultCurrency);
  return { minor: toMinor(amount, currency), currency, explicitCurrency: amount.currency !== undefined };
}

/**
 * True when a token list starts the way an amount does (a digit, or a currency before a digit),
 * without checking the rest: quick entry uses it to tell `4.50 coffee` from chat.
 */
export function looksLikeAmountStart(tokens: readonly string[]): boolean {
  const first = tokens[0];
  if (!first) return false;
  if (/^[.,]?\d/.test(first)) return true;
  const split = splitPrefix(first);
  if (split) return /^[.,]?\d/.test(split[1]);
  if (standaloneCurrency(first, false) && tokens[1]) return /^[.,]?\d/.test(tokens[1]);
  return false;
}
