import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { affectedRows, rowsOf } from './rows.js';
import { REFRESH_LOCK, refreshStats } from './stats-store.js';

export interface StatsUpkeepResult {
  /** Dirty marks dropped for books that have no rollup yet. */
  forgotten: number;
  /** Books whose rollup was brought up to date. */
  refreshed: number;
}

/**
 * Keeps `stat_dirty` (the triggers' marks of changed hours) from growing in books nobody asks for
 * statistics, run by the every-minute sweep:
 *
 * - a book without a rollup is rebuilt from its events on its first read anyway, so its marks
 *   say nothing and are dropped — under the book's refresh lock, re-checked with a snapshot taken
 *   after the lock, so a first rebuild running at the same time keeps the marks it still needs;
 * - a book with a rollup gets the same incremental refresh a read would do, now instead of later.
 *
 * `books` caps each part per run; what is left waits for the next minute.
 */
export async function statsUpkeep(db: Db, opts: { books?: number } = {}): Promise<StatsUpkeepResult> {
  const limit = opts.books ?? 200;
  const forgotten = await db.transaction(async (tx) => {
    const locked = rowsOf<{ book_id: number }>(
      await tx.execute(sql`
        select book_id from (
          select distinct d.book_id from stat_dirty d
          where not exists (select 1 from stat_books s where s.book_id = d.book_id) limit ${limit}
        ) b
        where pg_try_advisory_xact_lock(${REFRESH_LOCK}, book_id)`),
    ).map((r) => r.book_id);
    if (locked.length === 0) return 0;
    return affectedRows(
      await tx.execute(sql`
        delete from stat_dirty d
        where d.book_id = any(string_to_array(${locked.join(',')}, ',')::int[])
          and not exists (select 1 from stat_books s where s.book_id = d.book_id)`),
    );
  });
  const dirty = rowsOf<{ book_id: number }>(
    await db.execute(sql`
      select distinct d.book_id from stat_dirty d
      where exists (select 1 from stat_books s where s.book_id = d.book_id) limit ${limit}`),
  );
  for (const b of dirty) await refreshStats(db, b.book_id);
  return { forgotten, refreshed: dirty.length };
}
