import { sql } from 'drizzle-orm';
import type { Database } from '../drizzle/db.js';
import { rowsOf } from '../drizzle/store/rows.js';

/**
 * Rows sequential scans of `tables` have read so far, by table (PostgreSQL's own statistics,
 * `seq_tup_read`): a statement that scans a whole table shows here whatever its timing. PostgreSQL
 * reports a backend's counts about once a second, so on it wait `delayMs` (1,200) first; PGlite's
 * are current (0).
 */
export async function seqScanned(db: Database, tables: readonly string[], delayMs: number): Promise<Record<string, number>> {
  await new Promise((r) => setTimeout(r, delayMs));
  await db.db.execute(sql`select pg_stat_clear_snapshot()`);
  const rows = rowsOf<{ relname: string; n: string | number | null }>(
    await db.db.execute(sql`select relname, seq_tup_read as n from pg_stat_user_tables where relname = any(${`{${tables.join(',')}}`}::text[])`),
  );
  return Object.fromEntries(rows.map((r) => [r.relname, Number(r.n ?? 0)]));
}
