import { DateTime } from 'luxon';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { DomainError, isDomainError } from '../errors.js';
import type { Recorded } from '../ports.js';
import type { BudgetAlert } from '../statistics/budget-alerts.js';
import type { LedgerEvent } from '../types.js';
import { alertsAfter, type EntryStore } from './record-entry.js';
import { inputEvent, type RecordInput } from './record-input.js';
import { defaultAccount } from './record.js';

/** The most events one batch may hold. */
export const MAX_BATCH = 1_000;

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
  alerts: BudgetAlert[];
  alertError?: unknown;
}

/**
 * Records a batch of field records (the API's `POST /events/batch`) in one transaction. Each item
 * is checked on its own exactly as a single record is (`inputEvent`); `null` stands for an item
 * the caller already refused (malformed). An item that fails does not stop the others unless
 * `atomic` is set: then one failure writes nothing and the valid items answer `skipped`.
 * A failure of the write itself (the database, a balance beyond its bound) writes nothing and is
 * thrown: the client retries the whole batch, and the items' keys make the retry safe.
 * Budget alerts follow, once per group of labels and day rather than once per event.
 */
export async function recordBatch(
  a: Actor<EntryStore>,
  inputs: readonly (RecordInput | null)[],
  opts: { atomic?: boolean } = {},
): Promise<BatchResult> {
  assertCan(a.role, 'record');
  if (inputs.length > MAX_BATCH) throw new DomainError('usage', { usage: `at most ${MAX_BATCH} events per batch` });
  let accounts = a.snapshot?.accounts ?? (await a.store.listAccounts(a.book.id));
  // A new book gets its Main account once, before any item needs it.
  if (accounts.length === 0 && inputs.some((x) => x !== null)) accounts = [await defaultAccount(a, accounts)];
  const items: (BatchOutcome | undefined)[] = [];
  const events: Parameters<EntryStore['recordBatch']>[1][number][] = [];
  const slot: number[] = [];
  for (const input of inputs) {
    if (input === null) {
      items.push({ outcome: 'skipped' });
      slot.push(-1);
      continue;
    }
    try {
      events.push(await inputEvent(a, accounts, input));
      items.push(undefined);
      slot.push(events.length - 1);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      items.push({ outcome: 'failed', error: err });
      slot.push(-1);
    }
  }
  const refused = inputs.length - events.length;
  if (events.length === 0 || (opts.atomic && refused > 0)) {
    return { items: items.map((x) => x ?? { outcome: 'skipped' }), balances: [], alerts: [] };
  }
  const written = await a.store.recordBatch(a.book.id, events);
  const out = items.map((x, i): BatchOutcome => {
    if (x) return x;
    const w = written.items[slot[i]!]!;
    if (w.outcome === 'mismatch') return { outcome: 'failed', error: new DomainError('idempotency_mismatch', {}) };
    return w;
  });
  const result: BatchResult = { items: out, balances: written.balances, alerts: [] };
  try {
    result.alerts = await batchAlerts(a, out);
  } catch (alertError) {
    // A failed check must not hide the records.
    result.alertError = alertError;
  }
  return result;
}

/**
 * The after-record rule for a batch: a budget's progress depends on its period, not on each event,
 * so one check per set of labels and book-time day covers every event of that group (periods are
 * whole days or longer; each threshold is claimed once per period anyway).
 */
async function batchAlerts(a: Actor<EntryStore>, items: readonly BatchOutcome[]): Promise<BudgetAlert[]> {
  if (a.snapshot?.hasBudgets === false) return [];
  const groups = new Map<string, LedgerEvent>();
  for (const x of items) {
    if (x.outcome !== 'created' || x.event.kind !== 'expense') continue;
    const day = DateTime.fromJSDate(x.event.occurredAt, { zone: a.book.timezone }).toISODate();
    groups.set(`${day}|${x.event.labels.map((l) => l.toLowerCase()).sort().join('\u0000')}`, x.event);
  }
  const alerts: BudgetAlert[] = [];
  for (const event of groups.values()) alerts.push(...(await alertsAfter(a.store, a.book, { event, balances: [], created: true }, a.snapshot?.hasBudgets)));
  return alerts;
}
