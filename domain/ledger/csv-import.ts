import type { Actor } from '../access/actor.js';
import { csvHead, csvRows, eventsToCsv, readImportCsv, type CsvProblem } from './csv.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../access/permissions.js';
import { parsePeriod, type Period } from '../parsing/period.js';
import { tokenize } from '../parsing/tokenize.js';
import type { BudgetAlert } from '../statistics/budget-alerts.js';
import { batchCounts, recordBatch } from './record-batch.js';
import type { EntryStore } from './record-entry.js';

/** Largest file `/import` reads (bytes). */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

/**
 * What a file sent into a chat may hold: Discord takes 10 MiB per upload without server boosts
 * (Telegram 50 MB), and a CSV row is about 100 bytes, so 100,000 records; the row cap is checked
 * before the records are loaded, so a huge book cannot fill the bot's memory.
 */
export const CHAT_EXPORT_LIMITS = { rows: 100_000, bytes: 10 * 1024 * 1024 } as const;

/**
 * `/export [period]`: the book's events as CSV (all of them without a period, or `all`).
 * With `limits`, a larger export is refused with a hint to export a shorter period.
 *
 * @throws DomainError `period_invalid`, `usage`, `export_too_large`.
 */
export async function exportCsv(
  a: Actor,
  args: string,
  limits?: { rows: number; bytes: number },
): Promise<{ name: string; content: Buffer; count: number; period: Period | null }> {
  const { period, name } = exportTarget(a, args);
  const events = await a.store.exportEvents(a.book.id, period?.start, period?.end, limits ? limits.rows + 1 : undefined);
  const tooLarge = () => new DomainError('export_too_large', { max: limits!.rows, year: a.clock.now().getUTCFullYear() });
  if (limits && events.length > limits.rows) throw tooLarge();
  const content = Buffer.from(eventsToCsv(events, a.book.timezone), 'utf8');
  if (limits && content.length > limits.bytes) throw tooLarge();
  return { name, content, count: events.length, period };
}

/** The period an export covers and its file name; checks the reader's role. */
function exportTarget(a: Actor, args: string): { period: Period | null; name: string } {
  assertCan(a.role, 'read');
  const [word, extra] = tokenize(args);
  if (extra) throw new DomainError('usage', {});
  const period = !word || word.toLowerCase() === 'all' ? null : parsePeriod(word, a.clock.now(), a.book.timezone);
  const slug = period ? period.label.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').toLowerCase() : 'all';
  return { period, name: `coin-${slug}.csv` };
}

/**
 * The export as text chunks read a page of `pageSize` events at a time, for the HTTP API: any
 * size of book, in bounded memory. The same bytes as {@link exportCsv} without limits. The
 * period and role are checked before the first chunk.
 *
 * @throws DomainError `period_invalid`, `usage`, `forbidden`.
 */
export function exportCsvChunks(a: Actor, args: string, pageSize = 5_000): { name: string; chunks: AsyncGenerator<string> } {
  const { period, name } = exportTarget(a, args);
  async function* chunks(): AsyncGenerator<string> {
    yield csvHead();
    let after: { occurredAt: Date; seq: number } | undefined;
    for (;;) {
      const page = await a.store.exportEvents(a.book.id, period?.start, period?.end, pageSize, after);
      if (page.length > 0) yield csvRows(page, a.book.timezone);
      if (page.length < pageSize) return;
      const last = page[page.length - 1]!;
      after = { occurredAt: last.occurredAt, seq: last.seq };
    }
  }
  return { name, chunks: chunks() };
}

export type ImportResult =
  | { ok: true; created: number; skipped: number; total: number; alerts: BudgetAlert[]; alertError?: unknown }
  | { ok: false; problems: CsvProblem[] };

/**
 * `/import` with a CSV of the export's columns: every row is validated first and nothing is
 * written when any row is bad; then all rows are recorded through the one batch use case
 * (`recordBatch`: one transaction, rows imported before skipped, accounts the file names created,
 * the budget alerts the new expenses owe), each keeping its `#N` where the book has it free.
 */
export async function importCsv(a: Actor<EntryStore>, content: Buffer): Promise<ImportResult> {
  assertCan(a.role, 'manage');
  if (content.length > MAX_IMPORT_BYTES) return { ok: false, problems: [{ row: 1, field: 'size', value: String(content.length) }] };
  const accounts = await a.store.listAccounts(a.book.id);
  const known = new Map(accounts.map((acc) => [acc.name.toLowerCase(), { name: acc.name, currency: acc.currency }]));
  const read = readImportCsv(content, a.book.timezone, known);
  if (!read.ok) return read;
  if (read.rows.length === 0) return { ok: true, created: 0, skipped: 0, total: 0, alerts: [] };
  const r = await recordBatch(
    a,
    read.rows.map((row) => ({ row })),
    { need: 'manage', atomic: true, max: read.rows.length, keepNumbers: true },
  );
  const failed = r.items.find((x) => x.outcome === 'failed');
  if (failed?.outcome === 'failed') throw failed.error;
  const { created, replayed } = batchCounts(r);
  return { ok: true, created, skipped: replayed, total: read.rows.length, alerts: r.alerts, ...(r.alertError ? { alertError: r.alertError } : {}) };
}
