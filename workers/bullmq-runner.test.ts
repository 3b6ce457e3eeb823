import pino from 'pino';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../domain/clock.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { createStore } from '../drizzle/store/index.js';
import type { Database } from '../drizzle/db.js';
import { startWorkerRole, type WorkerRole } from './worker-role.js';
import { outbound, type Notifier } from './notifier.js';
import { outboundQueueName } from './queues.js';
import {
  TEST_REDIS_URL,
  dropPrefix,
  seedDueTemplates,
  spawnWorker,
  templateEventCounts,
  uniquePrefix,
  waitUntil,
} from '../test/worker-kit.js';
import { scratchDatabase } from '../test/databases.js';
import { scriptedNotifier as recorder } from '../test/worker-kit.js';

const silent = pino({ level: 'silent' });


describe('BullMQ worker role on real Redis and PostgreSQL', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let db: Database;
  const prefixes: string[] = [];
  const roles: WorkerRole[] = [];
  const clock = new FixedClock('2026-11-24T09:00:30Z');

  const role = async (notifier: Notifier, prefix: string) => {
    const r = await startWorkerRole({
      db: db.db,
      store: createStore(db.db),
      clock,
      logger: silent,
      notifier,
      redisUrl: TEST_REDIS_URL,
      prefix,
      runWorkers: true,
      batchSize: 100,
    });
    roles.push(r);
    return r;
  };

  beforeAll(async () => {
    scratch = await scratchDatabase();
    db = scratch.database;
  });
  afterAll(async () => {
    for (const r of roles) await r.close().catch(() => {});
    for (const p of prefixes) await dropPrefix(p);
    await scratch?.drop();
  });

  it('GIVEN two worker sets on one queue and 1,200 templates due THEN each occurrence is recorded once and each chat told once per batch', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    await seedDueTemplates(db, { count: 1200, books: 60, dueAt: new Date('2026-11-24T09:00:00Z'), notify: true });
    const a = recorder();
    const b = recorder();
    await Promise.all([role(a.notifier, prefix), role(b.notifier, prefix)]);
    await waitUntil(async () => (await templateEventCounts(db)).events >= 1200, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await templateEventCounts(db)).toEqual({ events: 1200, distinct: 1200 });
    // Every book's sequence numbers are 1..n without gaps.
    const [gaps] = rowsOf<{ n: number }>(
      await db.db.execute(sql`select count(*)::int as n from (select book_id from events group by book_id having max(seq) <> count(*)) g`),
    );
    expect(gaps!.n).toBe(0);
    // Notifications went out through the outbound queue: every book's chat heard about its 20 records.
    await waitUntil(async () => a.got.length + b.got.length > 0 && (await pendingOutbound(prefix)) === 0, 20_000);
    const told = new Map<string, number>();
    for (const g of [...a.got, ...b.got]) {
      const n = (g.text.match(/^#\d+ /gm) ?? []).length;
      told.set(g.chatId, (told.get(g.chatId) ?? 0) + n);
    }
    expect(told.size).toBe(60);
    expect([...told.values()].every((n) => n === 20)).toBe(true);
  }, 60_000);

  it('GIVEN a chat that blocked the bot THEN the job fails once without retries and the chat is marked', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const r = recorder((chatId) => (chatId === 'book-1' ? 'blocked' : 'sent'));
    const w = await role(r.notifier, prefix);
    await w.outbox.send(outbound('console', 'book-1', { text: 'alert' }));
    const q = new Queue(outboundQueueName('console'), { connection: new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null }), prefix });
    try {
      await waitUntil(async () => (await q.getFailedCount()) === 1, 10_000);
      const [job] = await q.getFailed();
      expect(job!.attemptsMade).toBe(1);
      expect(job!.failedReason).toContain('blocked');
      const [row] = rowsOf<{ blocked: boolean }>(await db.db.execute(sql`select blocked_at is not null as blocked from chats where chat_id = 'book-1'`));
      expect(row!.blocked).toBe(true);
      await w.outbox.send(outbound('console', 'book-1', { text: 'again' }));
      await waitUntil(async () => (await q.getCompletedCount()) === 1, 10_000);
      expect(r.calls()).toBe(1); // the second message was skipped, not sent
    } finally {
      await q.close();
    }
  }, 30_000);

  it('GIVEN a failure worth retrying THEN BullMQ retries with backoff and the message arrives once', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const r = recorder((_c, n) => (n === 1 ? new Error('ECONNRESET') : 'sent'));
    const w = await role(r.notifier, prefix);
    await w.outbox.send(outbound('console', 'book-2', { text: 'eventually' }, 'k:1'));
    await w.outbox.send(outbound('console', 'book-2', { text: 'eventually' }, 'k:1'));
    await waitUntil(async () => r.got.length === 1, 15_000);
    expect(r.calls()).toBe(2);
    await new Promise((res) => setTimeout(res, 300));
    expect(r.got).toHaveLength(1);
  }, 30_000);

  it('GIVEN three messages to one Telegram chat THEN workers space them a second apart (slot kept in Redis)', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const a = recorder();
    const b = recorder();
    const w = await role(a.notifier, prefix);
    await role(b.notifier, prefix);
    for (const text of ['one', 'two', 'three']) await w.outbox.send(outbound('telegram', '4242', { text }));
    await w.outbox.send(outbound('telegram', '5151', { text: 'elsewhere' }));
    await waitUntil(async () => a.got.length + b.got.length === 4, 15_000);
    const times = [...a.got, ...b.got].filter((g) => g.chatId === '4242').map((g) => g.at).sort((x, y) => x - y);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(950);
  }, 30_000);

  async function pendingOutbound(prefix: string): Promise<number> {
    const q = new Queue(outboundQueueName('console'), { connection: new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null }), prefix });
    try {
      const c = await q.getJobCounts('waiting', 'active', 'delayed');
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0);
    } finally {
      await q.close();
    }
  }
});

describe('worker processes: killed mid-sweep, stopped with SIGTERM (child processes)', () => {
  it('GIVEN a worker killed in the middle of a sweep THEN only whole batches were kept, and the next worker applies the rest once; SIGTERM exits cleanly after its batch', async () => {
    const scratch = await scratchDatabase();
    const prefix = uniquePrefix('kill');
    const total = 12_000;
    try {
      await seedDueTemplates(scratch.database, { count: total, books: 400, dueAt: new Date(Date.now() - 60_000) });
      const env = { DATABASE_URL: scratch.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix };
      const count = async () => (await templateEventCounts(scratch.database)).events;

      const a = spawnWorker(env);
      await waitUntil(async () => (await count()) > 0, 30_000);
      a.kill('SIGKILL');
      await a.exited;
      const afterKill = await count();
      expect(afterKill).toBeLessThan(total);
      expect(afterKill % 500).toBe(0); // batches of 500 are all or nothing

      const b = spawnWorker(env);
      await waitUntil(async () => (await count()) > afterKill, 30_000);
      const t0 = Date.now();
      b.kill('SIGTERM');
      expect(await b.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      const afterStop = await count();
      expect(afterStop % 500).toBe(0);

      const c = spawnWorker(env);
      await waitUntil(async () => (await count()) >= total, 60_000);
      c.kill('SIGTERM');
      expect(await c.exited).toBe(0);
      expect(await templateEventCounts(scratch.database)).toEqual({ events: total, distinct: total });
    } finally {
      await dropPrefix(prefix);
      await scratch.drop();
    }
  }, 150_000);
});
