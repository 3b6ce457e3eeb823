import { PgTransaction } from 'drizzle-orm/pg-core';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { events } from '../schema.js';
import type { BatchItemRecorded, BatchRecorded, EventPatch, HistoryFilter, LedgerStore, NewEvent, Recorded } from '../../domain/ports.js';
import type { LedgerEvent } from '../../domain/types.js';
import { DomainError } from '../../domain/errors.js';
import { selectEvents } from './event-rows.js';
import { balanceEffect, moveBalances, replaceLabels, writeEvents, type WrittenEvent } from './event-writer.js';
import { pgCode, rowsOf } from './rows.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * `accounts_balance_safe` (migration 0007) keeps every balance inside 2^53 - 1 minor units; the
 * check runs in the writing statement itself, so a write that would overflow changes nothing.
 */
const balanceBound = (err: unknown): unknown => (pgCode(err) === '23514' ? new DomainError('balance_out_of_range', {}) : err);
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

/** A new event as the ledger's event, from what was asked and what the writer answered. */
function ledgerEventOf(e: NewEvent, w: WrittenEvent): LedgerEvent {
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

/**
 * The batch write (see `EventStore.recordBatch`): keys already recorded are read first, inside the
 * transaction, and the rest go to the event writer as ONE statement. Without keys there is
 * nothing to read and the statement alone is the transaction.
 */
async function writeBatch(db: Db, bookId: number, events: readonly NewEvent[]): Promise<BatchRecorded> {
  const keys = [...new Set(events.flatMap((e) => (e.sourceKey ? [e.sourceKey] : [])))];
  const run = async (q: Db): Promise<BatchRecorded> => {
    const known = new Map<string, { id: number; seq: number; hash: string | null } | number>();
    if (keys.length) {
      const res = await q.execute(sql`
        select id, seq, source_key, source_hash from events
        where book_id = ${bookId} and source_key in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`);
      for (const r of rowsOf<{ id: number | string; seq: number; source_key: string; source_hash: string | null }>(res))
        known.set(r.source_key, { id: Number(r.id), seq: r.seq, hash: r.source_hash });
    }
    const fresh: NewEvent[] = [];
    /** Per item: an index into `fresh`, or its answer when it is not written. */
    const plan: (number | BatchItemRecorded)[] = events.map((e) => {
      if (e.bookId !== bookId) throw new Error(`batch for book ${bookId} holds an event of book ${e.bookId}`);
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
    const written = await writeEvents(q, fresh);
    const created = new Set<number>();
    const items = plan.map((p): BatchItemRecorded => {
      if (typeof p !== 'number') return p;
      const w = written.events[p]!;
      if (created.has(p)) return { outcome: 'replayed', id: w.id, seq: w.seq };
      created.add(p);
      return { outcome: 'created', event: ledgerEventOf(fresh[p]!, w) };
    });
    const balances = written.balances.map((b) => ({ accountId: b.accountId, accountName: b.accountName, currency: b.currency, balanceMinor: b.balanceMinor }));
    return { items, balances };
  };
  try {
    if (!keys.length && !(db instanceof PgTransaction)) return await run(db);
    return await db.transaction((tx) => run(tx as unknown as Db));
  } catch (err) {
    // A concurrent request recorded one of the keys first: read again, it is a replay now.
    if (pgCode(err) === '23505' && keys.length) return guardBalance(db.transaction((tx) => run(tx as unknown as Db)));
    throw balanceBound(err);
  }
}

/** Events: recording, soft delete, edit, history; every write through the event writer. */
export function eventStore(db: Db) {
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
        // A replay key may meet a concurrent replay's unique key, and any write may meet the
        // balance bound: inside a transaction (a chat update's) the statement runs in a savepoint,
        // so a refused write leaves that transaction usable for its reply.
        if (e.templateId !== undefined || db instanceof PgTransaction) return await db.transaction((tx) => recordOne(tx as unknown as Db, e));
        return await recordOne(db, e);
      } catch (err) {
        // A concurrent replay of the same occurrence or import row won the unique key.
        if (pgCode(err) === '23505') {
          const hit = await existing(e);
          if (hit) return { event: hit, balances: [], created: false };
        }
        throw balanceBound(err);
      }
    },

    recordBatch: (bookId: number, events: readonly NewEvent[]) => writeBatch(db, bookId, events),

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
