import { sql } from 'drizzle-orm';
import { jsonItems } from './json-items.js';
import type { Db } from '../db.js';
import type { BatchItemRecorded, BatchMerge, BatchRecorded, BatchWriteOptions, NewEvent } from '../../domain/ports.js';
import type { LedgerEvent } from '../../domain/types.js';
import { DomainError } from '../../domain/errors.js';
import { writeEvents, type WrittenBalance, type WrittenEvent } from './event-writer.js';
import { identity, keepNumbers, lockBook, ownRecords } from './batch-numbers.js';
import { affectedRows, chunks, pgCode, rowsOf, textArray } from './rows.js';

/** Events per writer statement (see `chunks`). */
export const CHUNK = 1000;

/**
 * `accounts_balance_safe` (migration 0007) keeps every balance inside 2^53 - 1 minor units; a
 * batch that would pass it fails as a whole and is told as `balance_out_of_range`.
 */
export const balanceBound = (err: unknown): unknown => (pgCode(err) === '23514' ? new DomainError('balance_out_of_range', {}) : err);

/** A new event as the ledger's event, from what was asked and what the writer answered. */
export function ledgerEventOf(e: NewEvent, w: WrittenEvent): LedgerEvent {
  return {
    id: w.id,
    bookId: e.bookId,
    seq: w.seq,
    kind: e.kind,
    accountId: e.accountId,
    accountName: w.accountName,
    amountMinor: e.amountMinor,
    currency: e.currency,
    toAccountId: e.toAccountId ?? null,
    toAccountName: w.toAccountName,
    toAmountMinor: e.kind === 'transfer' ? (e.toAmountMinor ?? e.amountMinor) : null,
    toCurrency: e.kind === 'transfer' ? (e.toCurrency ?? e.currency) : null,
    labels: w.labels,
    note: e.note,
    authorId: e.authorId,
    authorName: w.authorName,
    occurredAt: e.occurredAt,
    createdAt: w.createdAt,
    deletedAt: null,
    templateId: e.templateId ?? null,
  };
}

/** The keys of `keys` the book holds, with their event. */
async function heldKeys(q: Db, bookId: number, keys: readonly string[]): Promise<Map<string, { id: number; seq: number; hash: string | null }>> {
  const known = new Map<string, { id: number; seq: number; hash: string | null }>();
  for (const part of chunks(keys, 5000)) {
    const res = await q.execute(sql`select id, seq, source_key, source_hash from events
      where book_id = ${bookId} and source_key = any(${textArray(part)}::text[])`);
    for (const r of rowsOf<{ id: number | string; seq: number; source_key: string; source_hash: string | null }>(res))
      known.set(r.source_key, { id: Number(r.id), seq: r.seq, hash: r.source_hash });
  }
  return known;
}

/** Twins gain their row's key and bank text; those whose key the book holds (or a row of this batch took) are left alone. */
async function mergeTwins(q: Db, bookId: number, merges: readonly BatchMerge[], held: ReadonlySet<string>): Promise<number> {
  let merged = 0;
  const todo = merges.filter((m) => !held.has(m.sourceKey));
  for (const part of chunks(todo)) {
    const res = await q.execute(sql`update events e set source_key = v.k, meta = coalesce(e.meta, '{}'::jsonb) || v.meta
      from ${jsonItems(part.map((m) => ({ seq: m.seq, account: m.accountId, k: m.sourceKey, meta: m.meta })))} j
        cross join jsonb_to_record(j) as v(seq int, account int, k text, meta jsonb)
      where e.book_id = ${bookId} and e.seq = v.seq and e.source_key is null and e.deleted_at is null and e.account_id = v.account`);
    merged += affectedRows(res);
  }
  return merged;
}

/**
 * The batch write inside the caller's transaction (`q`): keys the book holds are read first and
 * their events answer `replayed` (or `mismatch`, the same key with another request hash), as do
 * repeats within the batch; with `keepNumbers` an event identical to this book's record `#N` does
 * too, and the others keep the `#N` they want where it is free. The rest go through the one event
 * writer, a statement per {@link CHUNK} events; then the twins are merged. Results in input order;
 * balances are the touched accounts' after the batch.
 */
export async function writeBatchIn(q: Db, bookId: number, events: readonly NewEvent[], opts: BatchWriteOptions = {}): Promise<BatchRecorded> {
  // COIN's CSV locks the book first: two imports of one file wait for each other, so they cannot both find a row new.
  const lastSeq = opts.keepNumbers ? await lockBook(q, bookId) : undefined;
  const keys = [...new Set([...events.flatMap((e) => (e.sourceKey ? [e.sourceKey] : [])), ...(opts.merges ?? []).map((m) => m.sourceKey)])];
  const known: Map<string, { id: number; seq: number; hash: string | null } | number> = keys.length ? await heldKeys(q, bookId, keys) : new Map();
  const mine = opts.keepNumbers ? await ownRecords(q, bookId, events) : undefined;
  const fresh: NewEvent[] = [];
  /** Per item: an index into `fresh`, or its answer when it is not written. */
  const plan: (number | BatchItemRecorded)[] = events.map((e) => {
    if (e.bookId !== bookId) throw new Error(`batch for book ${bookId} holds an event of book ${e.bookId}`);
    const own = e.seq !== undefined ? mine?.get(e.seq) : undefined;
    if (own && own.identity === identity(e)) return { outcome: 'replayed', id: own.id, seq: e.seq! };
    const k = e.sourceKey ? known.get(e.sourceKey) : undefined;
    if (k === undefined) {
      if (e.sourceKey) known.set(e.sourceKey, fresh.length);
      fresh.push(e);
      return fresh.length - 1;
    }
    // The same key with another request is a client bug, not a retry (SPEC §6).
    const hash = typeof k === 'number' ? fresh[k]!.sourceHash : k.hash;
    if (e.sourceHash !== undefined && hash !== e.sourceHash) return { outcome: 'mismatch' };
    return typeof k === 'number' ? k : { outcome: 'replayed', id: k.id, seq: k.seq };
  });
  const numbers = lastSeq !== undefined ? keepNumbers(q, bookId, lastSeq, fresh) : undefined;
  const written: WrittenEvent[] = [];
  const balances = new Map<number, WrittenBalance>();
  for (const part of chunks(fresh, CHUNK)) {
    const w = await writeEvents(q, part);
    written.push(...w.events);
    for (const b of w.balances) balances.set(b.accountId, b);
  }
  if (numbers) await numbers.apply(written);
  const merged = opts.merges?.length ? await mergeTwins(q, bookId, opts.merges, new Set(known.keys())) : 0;
  const created = new Set<number>();
  const items = plan.map((p): BatchItemRecorded => {
    if (typeof p !== 'number') return p;
    const w = written[p]!;
    if (created.has(p)) return { outcome: 'replayed', id: w.id, seq: w.seq };
    created.add(p);
    return { outcome: 'created', event: ledgerEventOf(fresh[p]!, w) };
  });
  return {
    items,
    balances: [...balances.values()].map((b) => ({ accountId: b.accountId, accountName: b.accountName, currency: b.currency, balanceMinor: b.balanceMinor })),
    merged,
  };
}
