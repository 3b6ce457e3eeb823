import type { Actor } from './actor.js';
import { eventsToCsv, readImportCsv, type CsvProblem } from './csv.js';
import { DomainError } from './errors.js';
import { assertCan } from './permissions.js';
import { parsePeriod, type Period } from './period.js';
import { tokenize } from './tokens.js';

/** Largest file `/import` reads (bytes). */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

/**
 * `/export [period]`: the book's events as CSV (all of them without a period, or `all`).
 *
 * @throws DomainError `period_invalid`, `usage`.
 */
export async function exportCsv(a: Actor, args: string): Promise<{ name: string; content: Buffer; count: number; period: Period | null }> {
  assertCan(a.role, 'read');
  const [word, extra] = tokenize(args);
  if (extra) throw new DomainError('usage', {});
  const period = !word || word.toLowerCase() === 'all' ? null : parsePeriod(word, a.clock.now(), a.book.timezone);
  const events = await a.store.exportEvents(a.book.id, period?.start, period?.end);
  const csv = eventsToCsv(events, a.book.timezone);
  const slug = period ? period.label.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').toLowerCase() : 'all';
  return { name: `coin-${slug}.csv`, content: Buffer.from(csv, 'utf8'), count: events.length, period };
}

export type ImportResult =
  | { ok: true; created: number; skipped: number; total: number }
  | { ok: false; problems: CsvProblem[] };

/**
 * `/import` with a CSV of the export's columns: every row is validated first and nothing is
 * written when any row is bad; then all rows go in one transaction, rows imported before are
 * skipped, and missing accounts and labels are created.
 */
export async function importCsv(a: Actor, content: Buffer): Promise<ImportResult> {
  assertCan(a.role, 'manage');
  if (content.length > MAX_IMPORT_BYTES) return { ok: false, problems: [{ row: 1, field: 'size', value: String(content.length) }] };
  const accounts = await a.store.listAccounts(a.book.id);
  const known = new Map(accounts.map((acc) => [acc.name.toLowerCase(), { name: acc.name, currency: acc.currency }]));
  const read = readImportCsv(content, a.book.timezone, known);
  if (!read.ok) return read;
  if (read.rows.length === 0) return { ok: true, created: 0, skipped: 0, total: 0 };
  const { created, skipped } = await a.store.importEvents(a.book.id, a.userId, read.rows);
  return { ok: true, created, skipped, total: read.rows.length };
}
