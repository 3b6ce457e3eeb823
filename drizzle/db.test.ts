import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDatabase } from '../test/databases.js';
import { openPostgres } from './db.js';
import { rowsOf } from './store/rows.js';

const MIGRATIONS = (JSON.parse(readFileSync(new URL('./migrations/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] }).entries.length;

/** Start-up against PostgreSQL: migrations under an advisory lock. */
describe('openPostgres', () => {
  let empty: Awaited<ReturnType<typeof emptyDatabase>>;
  beforeAll(async () => {
    empty = await emptyDatabase();
  });
  afterAll(async () => empty?.drop());

  it('GIVEN several processes starting together on a new database THEN each opens and every migration is applied exactly once', async () => {
    const all = await Promise.all([1, 2, 5, 10].map((max) => openPostgres(empty.url, { max })));
    try {
      const [applied] = rowsOf<{ n: number }>(await all[0]!.db.execute('select count(*)::int as n from drizzle.__drizzle_migrations' as never));
      expect(applied!.n).toBe(MIGRATIONS);
      // Every one of them works, the single-connection pool included (the lock has its own connection).
      for (const d of all) await d.ping();
    } finally {
      await Promise.all(all.map((d) => d.close()));
    }
  });
});
