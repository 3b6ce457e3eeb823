import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../drizzle/db.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { main, type Running } from './main.js';
import { TEST_REDIS_URL, seedDueTemplates, templateEventCounts, waitUntil } from '../test/worker-kit.js';
import { scratchDatabase } from '../test/databases.js';
import { freePort } from '../test/coin-process.js';

const dirtyMarks = async (d: Database): Promise<number> =>
  Number(rowsOf<{ n: string | number }>(await d.db.execute(sql`select count(*) as n from stat_dirty`))[0]!.n);

const updateKeys = async (d: Database): Promise<string[]> =>
  rowsOf<{ key: string }>(await d.db.execute(sql`select key from processed_updates order by key`)).map((r) => r.key);

describe('main() wires the worker role', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => scratch?.drop());

  it('GIVEN ROLES=worker and no REDIS_URL THEN the in-process sweep applies due templates at start, the upkeep follows, and stop() ends it', async () => {
    await seedDueTemplates(scratch.database, { count: 300, books: 30, dueAt: new Date(Date.now() - 5 * 60_000) });
    await scratch.database.db.execute(sql`insert into processed_updates (key, processed_at) values ('tg:ancient', now() - interval '30 days'), ('tg:recent', now())`);
    let running: Running | undefined;
    try {
      running = await main({ ROLES: 'worker', DATABASE_URL: scratch.url, LOG_LEVEL: 'silent', PORT: '0' });
      await waitUntil(async () => (await templateEventCounts(scratch.database)).events === 300, 20_000);
      expect(await templateEventCounts(scratch.database)).toEqual({ events: 300, distinct: 300 });
      // The statistics upkeep runs after the sweep: nobody read stats, so no dirty marks stay.
      await waitUntil(async () => (await dirtyMarks(scratch.database)) === 0, 20_000);
      // ...and forgets update ids older than a week.
      await waitUntil(async () => (await updateKeys(scratch.database)).join() === 'tg:recent', 20_000);
    } finally {
      await running?.stop();
    }
  });

  it('GIVEN ROLES=api with REDIS_URL and ADMIN_TOKEN THEN the queue dashboard is served behind the token', async () => {
    const port = await freePort();
    const token = 'dashboard-token-for-tests-0001';
    const running = await main({ ROLES: 'api', DATABASE_URL: scratch.url, REDIS_URL: TEST_REDIS_URL, ADMIN_TOKEN: token, PORT: String(port), LOG_LEVEL: 'silent' });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/admin/queues`)).status).toBe(401);
      const ok = await fetch(`http://127.0.0.1:${port}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as { queues: { name: string }[] };
      expect(body.queues.map((q) => q.name)).toContain('templates');
    } finally {
      await running.stop();
    }
  });
});
