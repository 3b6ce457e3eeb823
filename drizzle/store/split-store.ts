import { and, asc, eq, isNull, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { eventShares, settlements } from '../schema.js';
import { DomainError } from '../../domain/errors.js';
import type { NewSettlement, Settlement, SharedEvent, SplitStore } from '../../domain/sharing/ports.js';
import { rowsOf } from './rows.js';

const toSettlement = (r: typeof settlements.$inferSelect): Settlement => ({
  id: r.id,
  bookId: r.bookId,
  fromUserId: r.fromUserId,
  toUserId: r.toUserId,
  amountMinor: r.amountMinor,
  currency: r.currency,
  authorId: r.authorId,
  createdAt: r.createdAt,
  deletedAt: r.deletedAt,
});

/** Shares of split expenses and settlements between members. */
export function splitStore(db: Db) {
  return {
    async saveShares(eventId: number, paidBy: number, shares: readonly { userId: number; minor: number }[]): Promise<void> {
      if (shares.length === 0) return;
      // One statement: all shares of the event are stored or none are.
      await db.insert(eventShares).values(shares.map((s) => ({ eventId, userId: s.userId, paidBy, shareMinor: s.minor })));
    },

    async sharedEvents(bookId: number): Promise<SharedEvent[]> {
      const res = await db.execute(sql`
        select e.id, e.seq, e.currency, e.amount_minor::text as amount_minor, s.paid_by, s.user_id, s.share_minor::text as share_minor
        from event_shares s
        join events e on e.id = s.event_id
        where e.book_id = ${bookId} and e.deleted_at is null and e.kind = 'expense'
        order by e.seq, s.user_id`);
      const out: SharedEvent[] = [];
      for (const r of rowsOf<{ id: string | number; seq: number; currency: string; amount_minor: string; paid_by: number; user_id: number; share_minor: string }>(res)) {
        const id = Number(r.id);
        let ev = out.at(-1);
        if (!ev || ev.eventId !== id) {
          ev = { eventId: id, seq: r.seq, currency: r.currency, amountMinor: Number(r.amount_minor), paidBy: Number(r.paid_by), shares: [] };
          out.push(ev);
        }
        ev.shares.push({ userId: Number(r.user_id), minor: Number(r.share_minor) });
      }
      return out;
    },

    async addSettlement(s: NewSettlement): Promise<Settlement> {
      const [row] = await db.insert(settlements).values(s).returning();
      return toSettlement(row!);
    },

    async settlements(bookId: number): Promise<Settlement[]> {
      const rows = await db
        .select()
        .from(settlements)
        .where(and(eq(settlements.bookId, bookId), isNull(settlements.deletedAt)))
        .orderBy(asc(settlements.id));
      return rows.map(toSettlement);
    },

    async getSettlement(bookId: number, id: number): Promise<Settlement | undefined> {
      const [row] = await db
        .select()
        .from(settlements)
        .where(and(eq(settlements.bookId, bookId), eq(settlements.id, id)));
      return row ? toSettlement(row) : undefined;
    },

    async setSettlementDeleted(bookId: number, id: number, deleted: boolean): Promise<Settlement> {
      const [row] = await db
        .update(settlements)
        .set({ deletedAt: deleted ? new Date() : null })
        .where(
          and(
            eq(settlements.bookId, bookId),
            eq(settlements.id, id),
            deleted ? isNull(settlements.deletedAt) : isNotNull(settlements.deletedAt),
          ),
        )
        .returning();
      if (!row) throw new DomainError('not_found', { what: 'settlement' });
      return toSettlement(row);
    },
  } satisfies SplitStore;
}
