import { decimalToMinor, type NumberStyle, AUTO_NUMBERS } from './amount.js';
import { readDate, type DateFormat } from './dates.js';
import { fillExternalIds } from './external-id.js';
import { statementError } from './statement-error.js';
import { currencyCode } from '../money/money.js';
import type { Statement } from './types.js';

/** Date layouts tried for a QIF file, in order, when none is given; the first that reads every date wins. */
export const QIF_DATE_FORMATS: readonly DateFormat[] = ['M/D/YYYY', 'M/D/YY', 'D.M.YYYY', 'D.M.YY', 'YYYY-MM-DD', 'D/M/YYYY', 'D/M/YY'];

/** `5/ 3'26` (Quicken's apostrophe year) → `5/3/26`. */
const normaliseQifDate = (s: string): string => s.replace(/\s+/g, '').replace(/'/g, '/');

interface Draft {
  line: number;
  date?: string;
  dateLine?: number;
  amount?: string;
  amountLine?: number;
  payee: string;
  memo: string;
}

/**
 * Parses a QIF bank, cash or credit-card register (`!Type:Bank`, `!Type:CCard`, `!Type:Cash`,
 * `!Type:Oth A`, `!Type:Oth L`). QIF names no currency: `currency` is the account's. Splits are
 * kept as the transaction's total (`T`/`U`). QIF has no transaction ids: ids are hashes.
 */
export function parseQif(text: string, opts: { currency?: string; dateFormat?: DateFormat; numbers?: NumberStyle } = {}): Statement {
  if (!opts.currency) throw statementError('qif', undefined, 'missing', { field: 'currency' });
  const currency = currencyCode(opts.currency);
  const lines = text.split(/\r\n|\r|\n/);
  const drafts: Draft[] = [];
  let inRegister = false;
  let sawType = false;
  let current: Draft | undefined;
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const lineText = raw.trimEnd();
    if (!lineText.trim()) return;
    if (lineText.startsWith('!')) {
      const header = lineText.toLowerCase();
      if (header.startsWith('!type:')) {
        sawType = true;
        inRegister = /^!type:(bank|ccard|cash|oth a|oth l)\s*$/.test(header);
      } else if (header.startsWith('!account')) inRegister = false;
      return;
    }
    if (!sawType) throw statementError('qif', { line: lineNo }, 'missing', { field: '!Type:Bank', value: lineText });
    if (!inRegister) return;
    const code = lineText[0]!;
    const value = lineText.slice(1).trim();
    if (code === '^') {
      if (current) drafts.push(current);
      current = undefined;
      return;
    }
    current ??= { line: lineNo, payee: '', memo: '' };
    if (code === 'D') Object.assign(current, { date: normaliseQifDate(value), dateLine: lineNo });
    else if (code === 'T' || code === 'U') {
      if (current.amount === undefined || code === 'T') Object.assign(current, { amount: value, amountLine: lineNo });
    } else if (code === 'P') current.payee = value;
    else if (code === 'M') current.memo = value;
  });
  if (current) drafts.push(current);
  if (!sawType) throw statementError('qif', { line: 1 }, 'missing', { field: '!Type:Bank' });

  const format = opts.dateFormat ?? QIF_DATE_FORMATS.find((f) => drafts.every((d) => d.date === undefined || readDate(d.date, f)));
  const rows = drafts.map((d) => {
    if (d.date === undefined) throw statementError('qif', { line: d.line }, 'missing', { field: 'D' });
    if (d.amount === undefined) throw statementError('qif', { line: d.line }, 'missing', { field: 'T' });
    const date = format ? readDate(d.date, format) : undefined;
    if (!date) throw statementError('qif', { line: d.dateLine! }, 'date', { value: d.date, field: 'D', expected: opts.dateFormat ?? QIF_DATE_FORMATS.join(', ') });
    const amountMinor = decimalToMinor(d.amount, currency, opts.numbers ?? AUTO_NUMBERS);
    if (amountMinor === undefined) throw statementError('qif', { line: d.amountLine! }, 'amount', { value: d.amount, field: 'T' });
    return { date, amountMinor, currency, payee: d.payee, memo: d.memo };
  });
  return { format: 'qif', currency, rows: fillExternalIds(rows) };
}
