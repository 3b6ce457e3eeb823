import { daysBetween } from './dates.js';
import type { StatementRow } from './types.js';

/** A `YYYY-MM-DD` day as a whole number of days (for distances). */
const dayNumber = (day: string): number => daysBetween('1970-01-01', day);

/** The first index of a day-sorted list whose day is `day` or later. */
function firstFrom(list: readonly { day: number }[], day: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.day < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A record already in the book, as matching needs it. */
export interface BookRecord {
  /** The number users see (`#118`). */
  seq: number;
  accountId: number;
  /** Signed minor units: negative for an expense, positive for income (as the statement would show it). */
  amountMinor: number;
  currency: string;
  /** Day the record happened, `YYYY-MM-DD` in the book's zone. */
  date: string;
  labels: readonly string[];
  note: string;
  /** The statement id it was imported with; absent for records typed by hand. */
  externalId?: string | null | undefined;
}

export type RowMatch =
  | { kind: 'new'; row: StatementRow }
  | { kind: 'imported'; row: StatementRow; seq?: number }
  | { kind: 'twin'; row: StatementRow; record: BookRecord; days: number; similarity: number };

export interface Classification {
  /** One entry per statement row, in the statement's order. */
  rows: RowMatch[];
  newCount: number;
  importedCount: number;
  twins: Extract<RowMatch, { kind: 'twin' }>[];
}

const WORD = /[\p{L}\p{N}]+/gu;
const words = (text: string): string[] => [...new Set((text.toLowerCase().match(WORD) ?? []).filter((w) => w.length >= 3 && !/^\d+$/.test(w)))];

/**
 * How alike a statement row's payee and memo are to a record's labels and note, from 0 to 1: the
 * share of the shorter side's words found on the other side (a word counts when one starts with
 * the other and the shorter has 4 letters or more, so `lidl` meets `lidl.de`, `groceries` meets `grocery`).
 */
export function similarity(row: Pick<StatementRow, 'payee' | 'memo'>, record: Pick<BookRecord, 'labels' | 'note'>): number {
  const a = words(`${row.payee} ${row.memo}`);
  const b = words(`${record.labels.join(' ')} ${record.note}`);
  if (!a.length || !b.length) return 0;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  const meets = (x: string, y: string) => x === y || (Math.min(x.length, y.length) >= 4 && (x.startsWith(y) || y.startsWith(x) || x.slice(0, 5) === y.slice(0, 5)));
  const hits = short.filter((w) => long.some((v) => meets(w, v))).length;
  return hits / short.length;
}

/**
 * Sorts statement rows for a preview, without writing anything:
 * - `imported`: the book (this account) already holds a record with the row's `externalId`, or
 *   the same id came earlier in this statement;
 * - `twin`: a record typed by hand in this account with the same amount and currency, dated
 *   within `windowDays` (default 3) of the row; each record pairs with one row at most, the best
 *   pairs first (more alike payee/labels/note, then fewer days apart, then nearer in seq);
 * - `new`: everything else.
 */
export function classifyRows(rows: readonly StatementRow[], records: readonly BookRecord[], opts: { accountId: number; windowDays?: number }): Classification {
  const window = opts.windowDays ?? 3;
  const importedIds = new Map<string, number>();
  // Typed records by currency and amount, each list in day order: a row looks at the few of its
  // amount within the window (a binary search), not at every record of that amount.
  const typed = new Map<string, { day: number; record: BookRecord }[]>();
  for (const r of records) {
    if (r.accountId !== opts.accountId) continue;
    if (r.externalId) importedIds.set(r.externalId, r.seq);
    else {
      const key = `${r.currency}|${r.amountMinor}`;
      const entry = { day: dayNumber(r.date), record: r };
      const list = typed.get(key);
      if (list) list.push(entry);
      else typed.set(key, [entry]);
    }
  }
  for (const list of typed.values()) list.sort((x, y) => x.day - y.day);

  const out: RowMatch[] = new Array(rows.length);
  const seenInFile = new Set<string>();
  const pairs: { row: number; record: BookRecord; days: number; similarity: number }[] = [];
  rows.forEach((row, i) => {
    const seq = importedIds.get(row.externalId);
    if (seq !== undefined || seenInFile.has(row.externalId)) {
      out[i] = seq !== undefined ? { kind: 'imported', row, seq } : { kind: 'imported', row };
      return;
    }
    seenInFile.add(row.externalId);
    const list = typed.get(`${row.currency.toUpperCase()}|${row.amountMinor}`);
    if (!list) return;
    const day = dayNumber(row.date);
    for (let k = firstFrom(list, day - window); k < list.length && list[k]!.day <= day + window; k++) {
      const record = list[k]!.record;
      pairs.push({ row: i, record, days: day - list[k]!.day, similarity: similarity(row, record) });
    }
  });
  pairs.sort((x, y) => y.similarity - x.similarity || Math.abs(x.days) - Math.abs(y.days) || x.record.seq - y.record.seq || x.row - y.row);
  const taken = new Set<number>();
  for (const p of pairs) {
    if (out[p.row] || taken.has(p.record.seq)) continue;
    taken.add(p.record.seq);
    out[p.row] = { kind: 'twin', row: rows[p.row]!, record: p.record, days: p.days, similarity: p.similarity };
  }
  let newCount = 0;
  let importedCount = 0;
  const twins: Extract<RowMatch, { kind: 'twin' }>[] = [];
  rows.forEach((row, i) => {
    const m = (out[i] ??= { kind: 'new', row });
    if (m.kind === 'new') newCount++;
    else if (m.kind === 'imported') importedCount++;
    else twins.push(m);
  });
  return { rows: out, newCount, importedCount, twins };
}
