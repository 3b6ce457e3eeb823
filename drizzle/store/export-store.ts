import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { StatsStore } from '../../domain/statistics/ports.js';
import type { LedgerEvent } from '../../domain/types.js';
import { selectEvents } from './event-rows.js';

/** Export: every live event, oldest first (the CSV import records through `recordBatch`). */
export function exportStore(db: Db) {
  return {
    async exportEvents(bookId: number, from?: Date, to?: Date, limit?: number, after?: { occurredAt: Date; seq: number }): Promise<LedgerEvent[]> {
      const conds = [sql`e.book_id = ${bookId}`, sql`e.deleted_at is null`];
      if (after) conds.push(sql`(e.occurred_at, e.seq) > (${after.occurredAt.toISOString()}::timestamptz, ${after.seq}::int)`);
      if (from) conds.push(sql`e.occurred_at >= ${from.toISOString()}`);
      if (to) conds.push(sql`e.occurred_at < ${to.toISOString()}`);
      const tail = limit === undefined ? sql`order by e.occurred_at, e.seq` : sql`order by e.occurred_at, e.seq limit ${limit}`;
      return selectEvents(db, sql.join(conds, sql` and `), tail);
    },
  } satisfies Partial<StatsStore>;
}
