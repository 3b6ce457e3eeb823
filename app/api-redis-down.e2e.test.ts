import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApiBook } from '../test/api-book.js';
import { freePort, startCoin, killGroup, type CoinProcess } from '../test/coin-process.js';
import { scratchDatabase } from '../test/databases.js';
import { startRedisBlackhole, type RedisBlackhole } from '../test/redis-blackhole.js';
import { startRedisServer, type RedisServer } from '../test/redis-server.js';
import { rowsOf } from '../drizzle/store/rows.js';

/** This file's own Redis port (t12out's fault-test range 6395–6396). */
const REDIS_PORT = 6395;
const HTTP_PORT = await freePort();

/**
 * Issue 12, "nothing on the request path waits on Redis": the real COIN process (API and worker
 * roles, the production entry point) whose Redis stops answering — a server that accepts the
 * connections and never replies (a partition, a hung Redis: the worst kind of outage, where a
 * client that waits, waits for ever). API records, one of them crossing a budget threshold, must
 * answer while every Redis connection of the process is still stuck, and the alert must reach the
 * book's chat once Redis is back (empty).
 */
describe('API records while Redis hangs (own Redis port, real process, real PostgreSQL)', () => {
  let redis: RedisServer;
  let hole: RedisBlackhole | undefined;
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let coin: CoinProcess;
  let bookId: number;
  let token: string;
  const base = `http://127.0.0.1:${HTTP_PORT}`;

  const api = (method: string, path: string, json?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(json ? { body: JSON.stringify(json) } : {}),
      // A request path that waited on Redis would wait for ever here: fail clearly instead.
      signal: AbortSignal.timeout(20_000),
    });
  const ready = () => fetch(`${base}/health/ready`).then((r) => r.status, () => 0);

  beforeAll(async () => {
    redis = await startRedisServer(REDIS_PORT);
    db = await scratchDatabase();
    const seeded = await seedApiBook(db.database);
    bookId = seeded.bookId;
    token = seeded.tokens[0]!;
    coin = startCoin({
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `t12-redis-down-${randomBytes(3).toString('hex')}`,
      ROLES: 'api,worker',
      PORT: String(HTTP_PORT),
      LOG_LEVEL: 'warn',
    });
    for (let i = 0; i < 600 && (await ready()) !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await api('PUT', `/books/${bookId}/budgets/total`, { amount: '100', period: 'monthly' })).status).toBe(200);
    expect((await api('POST', `/books/${bookId}/events`, { amount: '78', note: 'before' })).status).toBe(201);
  }, 90_000);

  afterAll(async () => {
    killGroup(coin?.child.pid);
    await coin?.exited;
    await hole?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('GIVEN Redis accepting connections and never answering WHEN records cross 80% THEN each answers while every Redis connection still hangs, and the alert arrives once after Redis is back', async () => {
    await redis.stop();
    hole = await startRedisBlackhole(REDIS_PORT);
    // COIN's Redis clients reconnect into the hole; readiness sees Redis unavailable.
    await expect.poll(() => hole!.accepted, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
    await expect.poll(ready, { timeout: 30_000, interval: 100 }).toBe(503);

    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const asked = Date.now();
      const r = await api('POST', `/books/${bookId}/events`, { amount: '1', note: `down ${i}` }, { 'Idempotency-Key': `down-${i}` });
      statuses.push(r.status);
      // Answered while Redis clients that were waiting when it was asked still wait (the hole
      // never answers): the record did not wait for Redis to answer, nor for a client to give up.
      expect(hole.heldSince(asked)).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([201, 201, 201]);
    // 78 + 2 = 80 of 100: the second record crossed 80%; its alert waits in PostgreSQL (beside
    // the pace warning the first record may have raised: at this pace the budget runs out early).
    const pending = async () =>
      rowsOf<{ n: number }>(
        await db.database.db.execute(sql`select count(*)::int as n from notice_outbox where relayed_at is null and message::text like '%at 80\%%'`),
      )[0]!.n;
    expect(await pending()).toBe(1);
    expect(coin.out()).not.toContain('Budget total is at 80%');

    await hole.close();
    hole = undefined;
    await redis.start();
    await coin.waitFor('Budget total is at 80%', 30_000);
    await expect.poll(pending, { timeout: 10_000, interval: 100 }).toBe(0);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(coin.out().split('Budget total is at 80%').length - 1).toBe(1);
  }, 90_000);
});
