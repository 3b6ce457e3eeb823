import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { DomainError, isDomainError } from '../errors.js';
import type { BatchRecorded, BatchWriteOptions, NewEvent, Recorded } from '../ports.js';
import type { BudgetAlert } from '../statistics/budget-alerts.js';
import type { LedgerEvent } from '../types.js';
import { batchAlerts } from './batch-alerts.js';
import { byName, checkRow, ensureRowAccounts, rowEvents, type ImportRow } from './import-rows.js';
import type { EntryStore } from './record-entry.js';
import { inputEvent, type RecordInput } from './record-input.js';
import { defaultAccount } from './record.js';

export type { ImportRow } from './import-rows.js';

/** The most events one API batch may hold. */
export const MAX_BATCH = 1_000;

/**
 * One item of a batch: fields given one by one (the API, checked as a single field record is),
 * a row read from a file (COIN's CSV, a bank statement: checked by its reader), or `null` for an
 * item the caller already refused (malformed).
 */
export type BatchItem = RecordInput | { row: ImportRow } | null;

/** What became of one item of a batch. */
export type BatchOutcome =
  | { outcome: 'created'; event: LedgerEvent }
  /** Its key was recorded before (or earlier in this batch) with the same fields: nothing written. */
  | { outcome: 'replayed'; id: number; seq: number }
  /** Refused on its own: the reason, as for a single record. */
  | { outcome: 'failed'; error: DomainError }
  /** Valid, but not written: the batch was atomic and another item failed. */
  | { outcome: 'skipped' };

export interface BatchResult {
  items: BatchOutcome[];
  /** The touched accounts' balances after the batch. */
  balances: Recorded['balances'];
  /** Twins merged (a statement import with merges). */
  merged: number;
  /** Rows a rule of the book labelled. */
  labelled: number;
  alerts: BudgetAlert[];
  alertError?: unknown;
}

/** The write of a batch: the store's by default; an import that must do more in the same transaction brings its own. */
export type BatchWrite = (events: readonly NewEvent[], opts: BatchWriteOptions) => Promise<BatchRecorded>;

export interface BatchOptions extends BatchWriteOptions {
  /** One refused item writes nothing; the valid items answer `skipped`. */
  atomic?: boolean;
  /** What the role must allow: `record` (the API batch), `manage` (imports: an admin's). */
  need?: 'record' | 'manage';
  /** The most items; {@link MAX_BATCH} unless the caller bounds its input otherwise (a file's size). */
  max?: number;
  write?: BatchWrite;
}

/**
 * THE bulk record use case: the API's `POST /events/batch`, COIN's CSV import and bank statement
 * imports record through it, so permissions, the book's defaults (the `Main` account of a new
 * book, accounts a file names), rules, idempotency keys, the balance bound and the after-record
 * rule (budget alerts) are decided here for all of them, as `recordEntry` decides them for one.
 *
 * Each item is checked on its own exactly as a single record is (`inputEvent`, or `checkRow` for
 * a file's row); an item that fails does not stop the others unless `atomic` is set. The events
 * are written in one transaction (the store's batch write, or `opts.write`); a failure of the write
 * itself (the database, a balance beyond its bound: `balance_out_of_range`) writes nothing and is
 * thrown, and the items' keys make a retry safe. Budget alerts follow, once per budget period
 * the new expenses fall in rather than once per event.
 */
export async function recordBatch(a: Actor<EntryStore>, inputs: readonly BatchItem[], opts: BatchOptions = {}): Promise<BatchResult> {
  assertCan(a.role, opts.need ?? 'record');
  const max = opts.max ?? MAX_BATCH;
  if (inputs.length > max) throw new DomainError('usage', { usage: `at most ${max} events per batch` });
  // The request's snapshot for API items; a file's rows name accounts chosen or created since (read now).
  const fromFile = inputs.some((x) => x !== null && 'row' in x);
  let accounts = (!fromFile && a.snapshot?.accounts) || (await a.store.listAccounts(a.book.id));
  // A new book gets its Main account once, before any field item needs it.
  if (accounts.length === 0 && inputs.some((x) => x !== null && !('row' in x))) accounts = [await defaultAccount(a, accounts)];
  const known = byName(accounts);
  const items: (BatchOutcome | undefined)[] = [];
  /** Per item: its index among the events, or -1. */
  const slot: number[] = [];
  const fieldEvents = new Map<number, NewEvent>();
  const rows: { index: number; row: ImportRow }[] = [];
  for (const [i, input] of inputs.entries()) {
    items.push(undefined);
    if (input === null) items[i] = { outcome: 'skipped' };
    else if ('row' in input) {
      const error = checkRow(accounts, known, input.row);
      if (error) items[i] = { outcome: 'failed', error };
      else rows.push({ index: i, row: input.row });
    } else {
      try {
        fieldEvents.set(i, await inputEvent(a, accounts, input));
      } catch (err) {
        if (!isDomainError(err)) throw err;
        items[i] = { outcome: 'failed', error: err };
      }
    }
  }
  const refused = items.filter((x) => x !== undefined).length;
  const empty = { balances: [], merged: 0, labelled: 0, alerts: [] };
  // Nothing to write (an import with nothing new still writes: its merges, its own transaction's work).
  if (refused > 0 && (refused === inputs.length || opts.atomic)) return { items: items.map((x) => x ?? { outcome: 'skipped' }), ...empty };

  // Every item can be written: accounts a file names are created now.
  if (rows.length) accounts = await ensureRowAccounts(a, accounts, rows.map((r) => r.row));
  const fromRows = rows.length ? await rowEvents(a, accounts, rows.map((r) => r.row)) : [];
  const events: NewEvent[] = [];
  let r = 0;
  for (const i of inputs.keys()) {
    const event = fieldEvents.get(i) ?? (rows[r]?.index === i ? fromRows[r++]!.event : undefined);
    slot.push(event ? events.push(event) - 1 : -1);
  }
  const write: BatchWrite = opts.write ?? ((evs, w) => a.store.recordBatch(a.book.id, evs, w));
  const writeOpts: BatchWriteOptions = {};
  if (opts.keepNumbers) writeOpts.keepNumbers = true;
  if (opts.merges?.length) writeOpts.merges = opts.merges;
  const written = await write(events, writeOpts);
  const out = items.map((x, i): BatchOutcome => {
    if (x) return x;
    const w = written.items[slot[i]!]!;
    if (w.outcome === 'mismatch') return { outcome: 'failed', error: new DomainError('idempotency_mismatch', {}) };
    return w;
  });
  const result: BatchResult = {
    items: out,
    balances: written.balances,
    merged: written.merged ?? 0,
    labelled: fromRows.filter((x, k) => x.rule && out[rows[k]!.index]!.outcome === 'created').length,
    alerts: [],
  };
  try {
    result.alerts = await batchAlerts(a, out.flatMap((x) => (x.outcome === 'created' ? [x.event] : [])));
  } catch (alertError) {
    // A failed check must not hide the records.
    result.alertError = alertError;
  }
  return result;
}

/** How many items of a batch were created and how many were there already (replayed). */
export function batchCounts(r: Pick<BatchResult, 'items'>): { created: number; replayed: number } {
  let created = 0;
  let replayed = 0;
  for (const x of r.items) {
    if (x.outcome === 'created') created++;
    else if (x.outcome === 'replayed') replayed++;
  }
  return { created, replayed };
}
