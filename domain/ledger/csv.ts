import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { toMinor } from '../money/amount.js';
import { accountName } from './accounts.js';
import { currencyCode, minorToDecimal, type Minor } from '../money/money.js';
import { MAX_NOTE, type ImportRow } from './import-rows.js';
import type { EventKind, LedgerEvent } from '../types.js';

export { MAX_NOTE };

/** The columns of `/export`, in order; `/import` reads the same. */
/**
 * `received`: what arrived in a transfer between currencies (in the second currency), so that
 * `amount` is always one number (issue 13); files written before it, with `100.00 → 92.00` in
 * `amount`, still import.
 */
export const CSV_COLUMNS = ['id', 'date', 'type', 'amount', 'currency', 'account', 'labels', 'note', 'author', 'received'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Most rows one import takes; larger files should be split. */
export const MAX_IMPORT_ROWS = 100_000;

/** Between the two sides of a transfer in the amount, currency and account columns. */
const ARROW = ' → ';
const ARROW_RE = /\s*(?:→|->)\s*/u;

/**
 * Spreadsheet programs run a cell starting with one of these as a formula (CSV injection); such
 * text cells are written with a leading `'`, which `/import` strips again.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

const ESCAPED = /^'[=+\-@\t\r']/;
const guard = (text: string): string => (FORMULA_START.test(text) || ESCAPED.test(text) ? `'${text}` : text);
const unguard = (text: string): string => (ESCAPED.test(text) ? text.slice(1) : text);

/** `YYYY-MM-DD HH:mm:ss` in the book's timezone. */
const DATE_FORMAT = 'yyyy-LL-dd HH:mm:ss';

/**
 * The CSV of `/export`: RFC 4180 (comma, `"` quoting with doubled quotes, CRLF line ends, every
 * field with a comma, quote or line break quoted), UTF-8 with a byte-order mark so spreadsheet
 * programs read non-Latin notes correctly. Amounts are decimal text in the currency's minor
 * digits (`1234.50`); a transfer writes both sides as `from → to` in amount (only when the
 * currencies differ), currency and account.
 */
export function eventsToCsv(events: readonly LedgerEvent[], tz: string): string {
  return csvHead() + csvRows(events, tz);
}

/** The start of an export: the byte-order mark and the header row. */
export const csvHead = (): string => '\ufeff' + stringify([[...CSV_COLUMNS]], { record_delimiter: '\r\n' });

/** Export rows for `events`, each ending with CRLF; `csvHead() + csvRows(a) + csvRows(b)` is the export of `a` then `b`. */
export function csvRows(events: readonly LedgerEvent[], tz: string): string {
  if (events.length === 0) return '';
  const rows: string[][] = [];
  for (const e of events) {
    const cross = e.kind === 'transfer' && e.toCurrency !== null && e.toCurrency !== e.currency;
    rows.push([
      String(e.seq),
      DateTime.fromJSDate(e.occurredAt, { zone: tz }).toFormat(DATE_FORMAT),
      e.kind,
      minorToDecimal(e.amountMinor, e.currency),
      cross ? `${e.currency}${ARROW}${e.toCurrency}` : e.currency,
      guard(e.kind === 'transfer' ? `${e.accountName}${ARROW}${e.toAccountName ?? ''}` : e.accountName),
      e.labels.join(' '),
      guard(e.note),
      guard(e.authorName ?? ''),
      cross ? minorToDecimal(e.toAmountMinor ?? e.amountMinor, e.toCurrency!) : '',
    ]);
  }
  return stringify(rows, { record_delimiter: '\r\n', quoted_match: /[\r\n]/ });
}

/** Why a row (spreadsheet numbering: the header is row 1) cannot be imported. */
export interface CsvProblem {
  row: number;
  /** The column at fault; `columns` for a wrong field count, `header`, `syntax`, `size`. */
  field: CsvColumn | 'columns' | 'header' | 'syntax' | 'size';
  value?: string;
}

export type CsvReadResult = { ok: true; rows: ImportRow[] } | { ok: false; problems: CsvProblem[] };

/** Accounts the book has, by lower-cased name, to check currencies against. */
export type KnownAccounts = ReadonlyMap<string, { name: string; currency: string }>;

const LABEL = /^[\p{L}\p{N}_-]{1,32}$/u;
const TYPES: readonly EventKind[] = ['expense', 'income', 'transfer'];

/**
 * Reads and validates an import file completely before anything is written: every row is
 * checked, and the result is either all rows or the list of problems (so nothing is imported
 * when any row is bad). Each row gets an idempotency key from its content and id plus its
 * ordinal among identical rows, so importing a file twice skips every row the second time
 * while two identical lines in one file both count.
 *
 * Dates: `YYYY-MM-DD HH:mm[:ss]` or `YYYY-MM-DD` (noon) in the book timezone, or ISO 8601 with an
 * offset; also `DD.MM.YYYY [HH:mm[:ss]]`. Accounts the book lacks are created by the import in
 * the row's currency, so one name must keep one currency.
 */
export function readImportCsv(content: Buffer | string, tz: string, accounts: KnownAccounts): CsvReadResult {
  const text = typeof content === 'string' ? content : content.toString('utf8');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const lines = (e as { lines?: number }).lines;
    return { ok: false, problems: [{ row: typeof lines === 'number' ? lines : 1, field: 'syntax' }] };
  }
  const [header, ...data] = records;
  const names = header?.record.map((h) => h.trim().toLowerCase()) ?? [];
  const index = new Map(names.map((n, i) => [n, i]));
  const missing = CSV_COLUMNS.filter((c) => c !== 'author' && c !== 'id' && c !== 'received' && !index.has(c));
  if (!header || missing.length) return { ok: false, problems: [{ row: 1, field: 'header', value: missing.join(', ') }] };
  if (data.length === 0) return { ok: true, rows: [] };
  if (data.length > MAX_IMPORT_ROWS) return { ok: false, problems: [{ row: MAX_IMPORT_ROWS + 2, field: 'size', value: String(data.length) }] };

  const problems: CsvProblem[] = [];
  const rows: ImportRow[] = [];
  const currencyOf = new Map<string, string>([...accounts].map(([k, v]) => [k, v.currency]));
  const occurrences = new Map<string, number>();

  data.forEach(({ record }, i) => {
    const row = i + 2;
    if (record.length !== names.length) {
      problems.push({ row, field: 'columns', value: String(record.length) });
      return;
    }
    const cell = (c: CsvColumn): string => (index.has(c) ? record[index.get(c)!]! : '');
    const bad = (field: CsvColumn, value = cell(field)) => {
      problems.push({ row, field, value });
      return undefined;
    };

    const id = cell('id').trim().replace(/^#/, '');
    if (id && !/^\d{1,12}$/.test(id)) return bad('id');
    const kind = cell('type').trim().toLowerCase() as EventKind;
    if (!TYPES.includes(kind)) return bad('type');
    const occurredAt = readDate(cell('date'), tz);
    if (!occurredAt) return bad('date');

    const sides = (c: CsvColumn) => unguard(cell(c)).trim().split(ARROW_RE);
    const accountSides = sides('account');
    const currencySides = sides('currency');
    const received = cell('received').trim();
    const amountSides = received && transferKind(cell('type')) ? [...sides('amount'), received] : sides('amount');
    const transfer = kind === 'transfer';
    if (accountSides.length !== (transfer ? 2 : 1)) return bad('account');
    if (currencySides.length > (transfer ? 2 : 1)) return bad('currency');
    if (amountSides.length > currencySides.length) return bad('amount');

    let currencies: string[];
    try {
      currencies = currencySides.map((c) => currencyCode(c));
    } catch {
      return bad('currency');
    }
    const amounts: Minor[] = [];
    for (const [k, raw] of amountSides.entries()) {
      const minor = readCsvAmount(raw, currencies[k]!);
      if (minor === undefined) return bad('amount');
      amounts.push(minor);
    }
    let names2: string[];
    try {
      names2 = accountSides.map((n) => accountName(n));
    } catch {
      return bad('account');
    }
    if (transfer && names2[0]!.toLowerCase() === names2[1]!.toLowerCase()) return bad('account');
    const toCurrency = currencies[1] ?? currencies[0]!;
    // A cross-currency transfer needs both amounts; a same-currency one takes one.
    if (transfer && toCurrency !== currencies[0] && amounts.length !== 2) return bad('amount');
    if (transfer && toCurrency === currencies[0] && amounts.length === 2 && amounts[0] !== amounts[1]) return bad('amount');

    for (const [k, n] of names2.entries()) {
      const cur = k === 0 ? currencies[0]! : toCurrency;
      const known = currencyOf.get(n.toLowerCase());
      if (known && known !== cur) return bad('currency', `${n}: ${cur} ≠ ${known}`);
      currencyOf.set(n.toLowerCase(), cur);
    }

    const labels: string[] = [];
    for (const raw of cell('labels').split(/[\s,;]+/).filter(Boolean)) {
      const name = raw.replace(/^#/, '').toLowerCase();
      if (!LABEL.test(name)) return bad('labels', raw);
      if (!labels.includes(name)) labels.push(name);
    }
    const note = unguard(cell('note'));
    if (note.length > MAX_NOTE) return bad('note', `${note.slice(0, 20)}…`);

    const ev: ImportRow & { account: string } = {
      sourceKey: '',
      kind,
      account: accountCasing(accounts, names2[0]!),
      currency: currencies[0]!,
      amountMinor: amounts[0]!,
      labels: [...labels].sort(),
      note,
      occurredAt,
    };
    if (id) ev.seq = Number(id);
    if (transfer) {
      ev.toAccount = accountCasing(accounts, names2[1]!);
      ev.toCurrency = toCurrency;
      ev.toAmountMinor = amounts[1] ?? amounts[0]!;
    }
    const content = JSON.stringify([
      id,
      occurredAt.toISOString(),
      kind,
      ev.account.toLowerCase(),
      ev.currency,
      ev.amountMinor,
      ev.toAccount?.toLowerCase() ?? null,
      ev.toCurrency ?? null,
      ev.toAmountMinor ?? null,
      ev.labels,
      note,
    ]);
    const nth = (occurrences.get(content) ?? 0) + 1;
    occurrences.set(content, nth);
    ev.sourceKey = `import:${createHash('sha256').update(`${content}#${nth}`).digest('hex').slice(0, 40)}`;
    rows.push(ev);
  });
  return problems.length ? { ok: false, problems } : { ok: true, rows };
}

/**
 * A CSV amount: plain decimal digits with `.` (or `,`) as decimal mark and no grouping, as the
 * export writes them. Stricter than chat input on purpose: `4.555` is an error for EUR here,
 * not 4,555 — a file is never guessed at.
 */
function readCsvAmount(raw: string, currency: string): Minor | undefined {
  const m = /^(\d{1,13})(?:[.,](\d{1,3}))?$/.exec(raw.trim());
  if (!m) return undefined;
  try {
    return toMinor({ decimal: m[2] ? `${m[1]}.${m[2]}` : m[1]!, consumed: 1 }, currency);
  } catch {
    return undefined;
  }
}

const transferKind = (type: string): boolean => type.trim().toLowerCase() === 'transfer';

/** An existing account keeps its spelling; a new one is created as written. */
const accountCasing = (accounts: KnownAccounts, name: string): string => accounts.get(name.toLowerCase())?.name ?? name;

const DATE_FORMATS = ['yyyy-LL-dd HH:mm:ss', 'yyyy-LL-dd HH:mm', 'dd.LL.yyyy HH:mm:ss', 'dd.LL.yyyy HH:mm'];

/** A date cell as an instant; see `readImportCsv` for the accepted forms. */
export function readDate(raw: string, tz: string): Date | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  if (/[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
    const iso = DateTime.fromISO(text.replace(' ', 'T'), { setZone: true });
    return iso.isValid ? iso.toJSDate() : undefined;
  }
  for (const f of DATE_FORMATS) {
    const dt = DateTime.fromFormat(text, f, { zone: tz });
    if (dt.isValid) return dt.toJSDate();
  }
  for (const f of ['yyyy-LL-dd', 'dd.LL.yyyy']) {
    const dt = DateTime.fromFormat(text, f, { zone: tz });
    // Noon, as record dates: it stays on that day whatever the DST shifts.
    if (dt.isValid) return dt.set({ hour: 12 }).toJSDate();
  }
  return undefined;
}
