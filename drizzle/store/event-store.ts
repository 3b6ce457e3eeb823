import { PgTransaction } from 'drizzle-orm/pg-core';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { events } from '../schema.js';
import type { BatchRecorded, BatchWriteOptions, EventPatch, HistoryFilter, LedgerStore, NewEvent, Recorded } from '../../domain/ports.js';
import type { LedgerEvent } from '../../domain/types.js';
import { DomainError } from '../../domain/errors.js';
import { selectEvents } from './event-rows.js';
import { balanceEffect, moveBalances, replaceLabels, writeEvents } from './event-writer.js';
import { balanceBound, CHUNK, ledgerEventOf, writeBatchIn } from './batch-writer.js';
import { pgCode } from './rows.js';
import { recordCombiner } from './record-combiner.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** A balance beyond `accounts_balance_safe` (migration 0007) is told as `balance_out_of_range`: the write changed nothing. */
const guardBalance = <T>(p: Promise<T>): Promise<T> =>
  p.catch((err: unknown) => {
    throw balanceBound(err);
  });

const negate = (effects: { accountId: number; delta: number }[]) => effects.map((x) => ({ ...x, delta: -x.delta }));

/** Records one event through the event writer and reads it back as the ledger's event. */
async function recordOne(db: Db, e: NewEvent): Promise<Recorded> {
  const written = await writeEvents(db, [e]);
  const w = written.events[0]!;
  const byId = new Map(written.balances.map((b) => [b.accountId, b]));
  return {
    created: true,
    balances: balanceEffect(e).map((x) => {
      const b = byId.get(x.accountId)!;
      return { accountId: x.accountId, accountName: b.accountName, currency: b.currency, balanceMinor: b.balanceMinor };
    }),
    event: ledgerEventOf(e, w),
  };
}

/**
 * The batch write (see `EventStore.recordBatch`) in a transaction — keys already recorded are read
 * first, inside it — unless one writer statement is the whole of it (no keys, one chunk, nothing
 * else to do): then the statement alone is the transaction.
 */
async function writeBatch(db: Db, bookId: number, events: readonly NewEvent[], opts: BatchWriteOptions = {}): Promise<BatchRecorded> {
  const keyed = events.some((e) => e.sourceKey) || !!opts.merges?.length || !!opts.keepNumbers;
  try {
    if (!keyed && events.length <= CHUNK && !(db instanceof PgTransaction)) return await writeBatchIn(db, bookId, events, opts);
    return await db.transaction((tx) => writeBatchIn(tx as unknown as Db, bookId, events, opts));
  } catch (err) {
    // A concurrent request recorded one of the keys first: read again, it is a replay now.
    if (pgCode(err) === '23505' && keyed) return guardBalance(db.transaction((tx) => writeBatchIn(tx as unknown as Db, bookId, events, opts)));
    throw balanceBound(err);
  }
}

/** Events: recording, soft delete, edit, history; every write through the event writer. `combineRecords`: see `StoreOptions`. */
export function eventStore(db: Db, opts: { combineRecords?: boolean } = {}) {
  const plain = opts.combineRecords ? recordCombiner(db, (e) => recordOne(db, e)) : (e: NewEvent) => recordOne(db, e);
  const one = async (bookId: number, seq: number, includeDeleted = false, q: Db | Tx = db) => {
    const [e] = await selectEvents(
      q as Db,
      includeDeleted ? sql`e.book_id = ${bookId} and e.seq = ${seq}` : sql`e.book_id = ${bookId} and e.seq = ${seq} and e.deleted_at is null`,
    );
    return e;
  };

  async function existing(e: NewEvent): Promise<LedgerEvent | undefined> {
    if (e.sourceKey) {
      const [hit] = await selectEvents(db, sql`e.book_id = ${e.bookId} and e.source_key = ${e.sourceKey}`);
      if (hit && e.sourceHash !== undefined) {
        // The same Idempotency-Key with another request is a client bug, not a retry (SPEC §6).
        const [row] = await db.select({ hash: events.sourceHash }).from(events).where(and(eq(events.bookId, e.bookId), eq(events.sourceKey, e.sourceKey)));
        if (row && row.hash !== e.sourceHash) throw new DomainError('idempotency_mismatch', {});
      }
      return hit;
    }
    if (e.templateId !== undefined && e.occurrenceAt) {
      const [hit] = await selectEvents(
        db,
        sql`e.book_id = ${e.bookId} and e.template_id = ${e.templateId} and e.occurrence_at = ${e.occurrenceAt.toISOString()}`,
      );
      return hit;
    }
    return undefined;
  }

  return {
    async record(e: NewEvent): Promise<Recorded> {
      // Outside a transaction an Idempotency-Key is checked by the write itself: the one
      // statement either records (the usual case: one commit, no read first) or meets the unique
      // key and changes nothing; then the existing event is looked up below.
      const keyedAlone = e.sourceKey !== undefined && e.templateId === undefined && !(db instanceof PgTransaction);
      if (!keyedAlone) {
        const before = await existing(e);
        if (before) return { event: before, balances: [], created: false };
      }
      try {
        // A replay key may meet a concurrent replay's unique key: inside a transaction (a chat
        // update's) that statement runs in a savepoint, so a refused write leaves the transaction
        // usable for its reply. A plain record needs none (two round trips saved on the chat path):
        // the writer checks the balance bound before it writes and answers balance_out_of_range.
        if (e.templateId !== undefined || (e.sourceKey !== undefined && db instanceof PgTransaction)) return await db.transaction((tx) => recordOne(tx as unknown as Db, e));
        return await (e.sourceKey === undefined ? plain(e) : recordOne(db, e));
      } catch (err) {
        // A concurrent replay of the same occurrence or import row won the unique key.
        if (pgCode(err) === '23505') {
          const hit = await existing(e);
          if (hit) return { event: hit, balances: [], created: false };
        }
        throw balanceBound(err);
      }
    },

    recordBatch: (bookId: number, events: readonly NewEvent[], opts?: BatchWriteOptions) => writeBatch(db, bookId, events, opts),

    getEvent: (bookId: number, seq: number, includeDeleted = false) => one(bookId, seq, includeDeleted),

    async lastEventBy(bookId: number, authorId: number) {
      const [e] = await selectEvents(
        db,
        sql`e.book_id = ${bookId} and e.author_id = ${authorId} and e.deleted_at is null`,
        sql`order by e.seq desc limit 1`,
      );
      return e;
    },

    async setDeleted(bookId: number, seq: number, deleted: boolean): Promise<LedgerEvent> {
      return guardBalance(db.transaction(async (tx) => {
        const [row] = await tx
          .update(events)
          .set({ deletedAt: deleted ? new Date() : null })
          .where(and(eq(events.bookId, bookId), eq(events.seq, seq), deleted ? sql`${events.deletedAt} is null` : sql`${events.deletedAt} is not null`))
          .returning();
        if (!row) throw new DomainError('event_unknown', { seq });
        const effects = balanceEffect(row);
        await moveBalances(tx, bookId, deleted ? negate(effects) : effects);
        return (await one(bookId, seq, true, tx))!;
      }));
    },

    async editEvent(bookId: number, seq: number, patch: EventPatch): Promise<LedgerEvent> {
      return guardBalance(db.transaction(async (tx) => {
        const [old] = await tx
          .select()
          .from(events)
          .where(and(eq(events.bookId, bookId), eq(events.seq, seq), sql`${events.deletedAt} is null`))
          .for('update');
        if (!old) throw new DomainError('event_unknown', { seq });
        const set: Partial<typeof events.$inferInsert> = {};
        if (patch.amountMinor !== undefined) set.amountMinor = patch.amountMinor;
        if (patch.toAmountMinor !== undefined) set.toAmountMinor = patch.toAmountMinor;
        if (patch.accountId !== undefined) set.accountId = patch.accountId;
        if (patch.occurredAt !== undefined) set.occurredAt = patch.occurredAt;
        if (patch.note !== undefined) set.note = patch.note;
        if (Object.keys(set).length) {
          const [updated] = await tx.update(events).set(set).where(eq(events.id, old.id)).returning();
          await moveBalances(tx, bookId, [...negate(balanceEffect(old)), ...balanceEffect(updated!)]);
        }
        if (patch.labels) await replaceLabels(tx, bookId, old.id, patch.labels);
        return (await one(bookId, seq, false, tx))!;
      }));
    },

    async history(bookId: number, f: HistoryFilter): Promise<LedgerEvent[]> {
      const conds = [sql`e.book_id = ${bookId}`, sql`e.deleted_at is null`];
      if (f.accountId !== undefined) conds.push(sql`(e.account_id = ${f.accountId} or e.to_account_id = ${f.accountId})`);
      if (f.from) conds.push(sql`e.occurred_at >= ${f.from.toISOString()}`);
      if (f.to) conds.push(sql`e.occurred_at < ${f.to.toISOString()}`);
      if (f.beforeSeq !== undefined) conds.push(sql`e.seq < ${f.beforeSeq}`);
      if (f.label)
        conds.push(sql`exists (select 1 from event_labels el join labels l on l.id = el.label_id
          where el.event_id = e.id and lower(l.name) = ${f.label.toLowerCase()})`);
      return selectEvents(db, sql.join(conds, sql` and `), sql`order by e.occurred_at desc, e.seq desc limit ${f.limit}`);
    },
  } satisfies Partial<LedgerStore>;
}
