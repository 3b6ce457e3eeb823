import { sql } from 'drizzle-orm';
import type { Database } from '../drizzle/db.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { freshPglite, freshPostgres } from './databases.js';

/**
 * Both engines on one connection each, as {@link seqScanned} needs (its flush covers the statements
 * of the connection it runs on): `describe.each(ONE_CONNECTION_ENGINES)`.
 */
export const ONE_CONNECTION_ENGINES = [
  { engine: 'postgres', open: () => freshPostgres({ max: 1 }) },
  { engine: 'pglite', open: freshPglite },
] as const;

/**
 * Rows sequential scans of `tables` have read so far, by table (PostgreSQL's own statistics,
 * `seq_tup_read`): a statement that scans a whole table shows here whatever its timing.
 *
 * A backend reports its counts when it goes idle, but at most once a second: read without
 * forcing, the scans of the last second may come in later, between two readings, and be counted
 * against whatever ran in between (a test's setup showed up as the batch's, once the machine was
 * fast enough to finish the setup within that second). So the counts are flushed first
 * (`pg_stat_force_next_flush`, PostgreSQL 15+ and PGlite), which covers the statements of the
 * connection this runs on: callers use one connection (`max: 1`) or PGlite.
 */
export async function seqScanned(db: Database, tables: readonly string[]): Promise<Record<string, number>> {
  await db.db.execute(sql`select pg_stat_force_next_flush()`);
  await db.db.execute(sql`select pg_stat_clear_snapshot()`);
  const rows = rowsOf<{ relname: string; n: string | number | null }>(
    await db.db.execute(sql`select relname, seq_tup_read as n from pg_stat_user_tables where relname = any(${`{${tables.join(',')}}`}::text[])`),
  );
  return Object.fromEntries(rows.map((r) => [r.relname, Number(r.n ?? 0)]));
}
