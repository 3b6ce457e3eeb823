import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { affectedRows, rowsOf } from './rows.js';
import { drainStats, REFRESH_LOCK } from './stats-rollup.js';

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
 *   after the lock, so a first rebuild running at the same time keeps the marks it still needs
 *   (a book whose lock is busy is left for the next run);
 * - a book with a rollup (or one a read has just reset: a new timezone, its first read) is brought
 *   up to date by `drainStats`, a month of days per transaction, so reads go back from the events
 *   to the rollup (an import folds itself in and leaves nothing here; a book whose refresh lock
 *   is busy, an import folding into it, waits for the next run).
 *
 * `books` is the batch size, `budgetMs` the time after which no further book is started; what is
 * left waits for the next minute.
 */
export async function statsUpkeep(db: Db, opts: { books?: number; batches?: number; budgetMs?: number } = {}): Promise<StatsUpkeepResult> {
  const deadline = performance.now() + (opts.budgetMs ?? 30_000);
  const limit = opts.books ?? 200;
  // Forgetting is cheap, but each book takes an advisory lock, so it goes `limit` books per
  // transaction (the lock table is small) and up to `batches` transactions per run.
  let forgotten = 0;
  for (let i = 0; i < (opts.batches ?? 50); i++) {
    const done = await forgetUnbuilt(db, limit);
    forgotten += done.marks;
    if (done.books < limit) break;
  }
  const dirty = rowsOf<{ book_id: number }>(
    await db.execute(sql`
      select distinct d.book_id from stat_dirty d
      where exists (select 1 from stat_books s where s.book_id = d.book_id) limit ${limit}`),
  );
  let refreshed = 0;
  for (const b of dirty) {
    if (performance.now() > deadline) break;
    await drainStats(db, b.book_id);
    refreshed++;
  }
  return { forgotten, refreshed };
}

/** One batch of books without a rollup: their marks dropped under each book's refresh lock. */
function forgetUnbuilt(db: Db, limit: number): Promise<{ books: number; marks: number }> {
  return db.transaction(async (tx) => {
    const candidates = rowsOf<{ book_id: number; locked: boolean }>(
      await tx.execute(sql`
        select book_id, pg_try_advisory_xact_lock(${REFRESH_LOCK}, book_id) as locked from (
          select distinct d.book_id from stat_dirty d
          where not exists (select 1 from stat_books s where s.book_id = d.book_id) limit ${limit}
        ) b`),
    );
    const locked = candidates.filter((c) => c.locked).map((c) => c.book_id);
    if (locked.length === 0) return { books: candidates.length, marks: 0 };
    // A fresh snapshot, taken after the locks: a first rebuild that committed meanwhile is seen.
    const marks = affectedRows(
      await tx.execute(sql`
        delete from stat_dirty d
        where d.book_id = any(string_to_array(${locked.join(',')}, ',')::int[])
          and not exists (select 1 from stat_books s where s.book_id = d.book_id)`),
    );
    return { books: candidates.length, marks };
  });
}
