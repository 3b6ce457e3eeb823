import { MAX_MAJOR, minorDigits } from '../money/money.js';

/** How a statement writes numbers. `auto` reads `1,234.56`, `1.234,56`, `12,5` and `12.5`. */
export interface NumberStyle {
  decimalMark: '.' | ',' | 'auto';
  /** Characters grouping thousands (`,`, `.`, space, `'`); spaces and no-break spaces are always allowed. */
  thousands?: string;
}

export const AUTO_NUMBERS: NumberStyle = { decimalMark: 'auto' };

/**
 * Reads a statement amount into signed integer minor units of `currency`, digit by digit (never
 * through floating point): `-1 234,56`, `(12.00)`, `12.00-`, `+5`, `1'234.5`. Returns `undefined`
 * when the text is not a number, has more decimals than the currency has minor digits (unless
 * they are zeros), groups thousands unevenly, or exceeds 10^12 major units.
 */
export function decimalToMinor(text: string, currency: string, style: NumberStyle = AUTO_NUMBERS): number | undefined {
  let s = text.trim().replace(/[\s\u00a0\u202f]/gu, ' ');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  const lead = /^([-+−–])\s*/u.exec(s);
  if (lead) {
    if (lead[1] !== '+') negative = !negative;
    s = s.slice(lead[0].length);
  } else if (/\d\s*-$/.test(s)) {
    negative = !negative;
    s = s.replace(/\s*-$/, '');
  }
  if (!/^[\d.,' ’]+$/u.test(s) || !/^\d/.test(s) || !/\d$/.test(s.replace(/[.,]$/, ''))) return undefined;

  let decimal: string | undefined = style.decimalMark === 'auto' ? undefined : style.decimalMark;
  if (!decimal) {
    const lastDot = s.lastIndexOf('.');
    const lastComma = s.lastIndexOf(',');
    if (lastDot >= 0 && lastComma >= 0) decimal = lastDot > lastComma ? '.' : ',';
    else if (lastDot >= 0) decimal = s.indexOf('.') === lastDot ? '.' : ',';
    else if (lastComma >= 0) decimal = s.indexOf(',') === lastComma ? ',' : '.';
    else decimal = '.';
    // One mark before exactly three digits (`1,234`, `1.500`) groups thousands unless the
    // currency itself has three minor digits.
    const only = s.replace(/[^.,]/g, '');
    if (only.length === 1 && /^\d{1,3}[.,]\d{3}$/.test(s) && minorDigits(currency) < 3) decimal = only === '.' ? ',' : '.';
  }
  const markAt = s.lastIndexOf(decimal);
  const whole = markAt >= 0 ? s.slice(0, markAt) : s;
  const frac = markAt >= 0 ? s.slice(markAt + 1) : '';
  if (!/^\d*$/.test(frac)) return undefined;

  // The whole part: digits, optionally grouped in threes by one kind of separator.
  const groupChars = new Set([' ', ...(style.thousands ?? (style.decimalMark === 'auto' ? ".,'’" : '')).split('')]);
  groupChars.delete(decimal);
  const separators = new Set(whole.replace(/\d/g, '').split(''));
  for (const c of separators) if (!groupChars.has(c)) return undefined;
  if (separators.size > 1) return undefined;
  if (separators.size === 1) {
    const [sep] = separators;
    const groups = whole.split(sep!);
    if (!/^\d{1,3}$/.test(groups[0]!) || groups.slice(1).some((g) => !/^\d{3}$/.test(g))) return undefined;
  }
  const intDigits = whole.replace(/\D/g, '').replace(/^0+(?=\d)/, '') || '0';

  const digits = minorDigits(currency);
  const extra = frac.slice(digits);
  if (/[1-9]/.test(extra)) return undefined;
  const fracDigits = frac.slice(0, digits).padEnd(digits, '0');
  if (intDigits.length > String(MAX_MAJOR).length || Number(intDigits) > MAX_MAJOR) return undefined;
  // An integer string of at most 13 + 3 digits is exact as a double.
  const minor = Number(intDigits + fracDigits);
  return negative && minor !== 0 ? -minor : minor;
}
