import { parse } from 'csv-parse/sync';
import { decimalToMinor } from './amount.js';
import { readDate, type DateFormat } from './dates.js';
import { fillExternalIds } from './external-id.js';
import { statementError } from './statement-error.js';
import { isCurrency } from '../money/money.js';
import type { Statement } from './types.js';

/** A column: its header text (case and spaces ignored) or its position, counting from 1. */
export type CsvColumn = string | number;

/**
 * How a bank's CSV maps to statement rows; remembered per account after the first import.
 * Either `amount` (signed) or `debit` and/or `credit` (money out / in; their sign is ignored).
 */
export interface CsvMapping {
  date: CsvColumn;
  amount?: CsvColumn;
  debit?: CsvColumn;
  credit?: CsvColumn;
  payee?: CsvColumn;
  memo?: CsvColumn;
  currency?: CsvColumn;
  /** The running balance after the row; makes hashed ids tell equal rows apart. */
  balance?: CsvColumn;
  /** The bank's transaction id. */
  id?: CsvColumn;
  /** `DD.MM.YYYY`, `MM/DD/YYYY`, `YYYY-MM-DD`, … (see `readDate`); time after the date is ignored. */
  dateFormat: DateFormat;
  decimalMark: '.' | ',';
  /** Thousands separators in amounts (`,`, `.`, `'`, space); spaces are always allowed. */
  thousands?: string;
  /** Field separator; guessed from the header line when not given (`;`, `,`, tab, `|`). */
  delimiter?: string;
  /** Whether the first row is a header (default true). */
  header?: boolean;
}

/** Picks the separator that splits the first line into the most fields (outside quotes). */
export function guessDelimiter(text: string): string {
  const first = text.split(/\r?\n/, 1)[0]!.replace(/"[^"]*"/g, '');
  let best = ',';
  let most = -1;
  for (const d of [';', ',', '\t', '|']) {
    const n = first.split(d).length;
    if (n > most) [best, most] = [d, n];
  }
  return best;
}

/**
 * Parses a bank CSV with a column mapping. Errors name the file's line and the column.
 * Rows whose every mapped cell is empty are skipped (banks add blank and summary lines).
 */
export function parseCsvStatement(text: string, mapping: CsvMapping, opts: { currency?: string } = {}): Statement {
  if (mapping.amount === undefined && mapping.debit === undefined && mapping.credit === undefined) {
    throw statementError('csv', undefined, 'column', { field: 'amount' });
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter: mapping.delimiter ?? guessDelimiter(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: true,
      info: true,
    }) as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw statementError('csv', line ? { line } : undefined, 'syntax', { value: (e as Error).message });
  }
  const hasHeader = mapping.header ?? true;
  const header = hasHeader ? (records[0]?.record ?? []).map((h) => h.trim().toLowerCase()) : [];
  const data = hasHeader ? records.slice(1) : records;
  const index = (col: CsvColumn | undefined, field: string): number | undefined => {
    if (col === undefined) return undefined;
    if (typeof col === 'number') {
      if (!Number.isInteger(col) || col < 1) throw statementError('csv', undefined, 'column', { field, value: String(col) });
      return col - 1;
    }
    const i = header.indexOf(col.trim().toLowerCase());
    if (i < 0) throw statementError('csv', { line: 1 }, 'column', { field, value: col });
    return i;
  };
  const cols = {
    date: index(mapping.date, 'date')!,
    amount: index(mapping.amount, 'amount'),
    debit: index(mapping.debit, 'debit'),
    credit: index(mapping.credit, 'credit'),
    payee: index(mapping.payee, 'payee'),
    memo: index(mapping.memo, 'memo'),
    currency: index(mapping.currency, 'currency'),
    balance: index(mapping.balance, 'balance'),
    id: index(mapping.id, 'id'),
  };
  const style = { decimalMark: mapping.decimalMark, ...(mapping.thousands !== undefined ? { thousands: mapping.thousands } : {}) };
  const fallbackCcy = opts.currency?.toUpperCase();

  const rows = [];
  for (const { record, info } of data) {
    const line = info.lines;
    const cell = (i: number | undefined) => (i === undefined ? '' : (record[i] ?? '').trim());
    if (Object.values(cols).every((i) => cell(i) === '')) continue;
    const currency = (cell(cols.currency) || fallbackCcy || '').toUpperCase();
    if (!currency) throw statementError('csv', { line }, 'missing', { field: 'currency' });
    if (!isCurrency(currency)) throw statementError('csv', { line }, 'currency', { value: currency, field: 'currency' });
    const dateText = cell(cols.date).split(/[ T]/)[0]!;
    const date = readDate(dateText, mapping.dateFormat);
    if (!date) throw statementError('csv', { line }, 'date', { value: cell(cols.date), field: String(mapping.date), expected: mapping.dateFormat });
    const money = (i: number | undefined, field: CsvColumn | undefined): number => {
      const raw = cell(i);
      if (raw === '') return 0;
      const v = decimalToMinor(raw, currency, style);
      if (v === undefined) throw statementError('csv', { line }, 'amount', { value: raw, field: String(field) });
      return v;
    };
    let amountMinor: number;
    if (cols.amount !== undefined) {
      if (cell(cols.amount) === '') throw statementError('csv', { line }, 'missing', { field: String(mapping.amount) });
      amountMinor = money(cols.amount, mapping.amount);
    } else {
      if (cell(cols.debit) === '' && cell(cols.credit) === '') throw statementError('csv', { line }, 'missing', { field: [mapping.debit, mapping.credit].filter((c) => c !== undefined).join('/') });
      amountMinor = Math.abs(money(cols.credit, mapping.credit)) - Math.abs(money(cols.debit, mapping.debit));
    }
    const balanceText = cell(cols.balance);
    const balance = balanceText === '' ? undefined : money(cols.balance, mapping.balance);
    rows.push({ externalId: cell(cols.id) || undefined, date, amountMinor, currency, payee: cell(cols.payee), memo: cell(cols.memo), balance });
  }
  const filled = fillExternalIds(rows).map(({ balance: _balance, ...row }) => row);
  const currencies = new Set(filled.map((r) => r.currency));
  const only = currencies.size === 1 ? [...currencies][0] : fallbackCcy;
  return { format: 'csv', ...(only ? { currency: only } : {}), rows: filled };
}
