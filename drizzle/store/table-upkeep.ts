import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { rowsOf } from './rows.js';

/** What {@link tableUpkeep} did: the tables it vacuumed (with ANALYZE) and the ones it only analysed. */
export interface TableUpkeep {
  vacuumed: string[];
  analysed: string[];
}

/**
 * Autovacuum's work, for a database without it: embedded PGlite runs PostgreSQL in single-user
 * mode, where no autovacuum worker ever starts. Without ANALYZE the planner keeps the sizes it
 * saw when a table was new, and a cached plan (a prepared statement's, a trigger function's) may
 * scan a table that has grown since; without VACUUM the rows every record updates (a book's `#N`,
 * an account's balance, the inbox and outbox marks) leave dead versions behind for good.
 *
 * Each run takes the tables autovacuum would take, with its default thresholds: VACUUM (ANALYZE)
 * where dead rows exceed 50 + 20 % of the live ones, ANALYZE where rows changed since the last
 * analysis exceed 50 + 10 %. ANALYZE also makes every cached plan on the table be made again.
 * The counts are PostgreSQL's own (`pg_stat_user_tables`), reported at most once a second.
 * Run by the minute sweep on PGlite (`workers/worker-role.ts`); PostgreSQL has its own.
 */
export async function tableUpkeep(db: Db): Promise<TableUpkeep> {
  const tables = rowsOf<{ name: string; live: string | number; dead: string | number; changed: string | number }>(
    await db.execute(sql`
      select relname as name, n_live_tup as live, n_dead_tup as dead, n_mod_since_analyze as changed
      from pg_stat_user_tables where schemaname = 'public'`),
  );
  const out: TableUpkeep = { vacuumed: [], analysed: [] };
  for (const t of tables) {
    const live = Number(t.live);
    if (Number(t.dead) > 50 + 0.2 * live) {
      await db.execute(sql`vacuum (analyze) ${sql.identifier(t.name)}`);
      out.vacuumed.push(t.name);
    } else if (Number(t.changed) > 50 + 0.1 * live) {
      await db.execute(sql`analyze ${sql.identifier(t.name)}`);
      out.analysed.push(t.name);
    }
  }
  return out;
}
