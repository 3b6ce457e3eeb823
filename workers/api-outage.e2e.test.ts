import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN, GROUP, createApiKit, type ApiKit } from '../test/api-kit.js';
import { deliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { noticeOutboxStore } from '../drizzle/store/notice-outbox-store.js';
import { startRedisServer, type RedisServer } from '../test/redis-server.js';
import { createBookAlerts } from './book-alerts.js';
import { startWorkerRole, type WorkerRole } from './worker-role.js';
import { scriptedNotifier, uniquePrefix, waitUntil } from '../test/worker-kit.js';
import { RateLimited, outbound } from './notifier.js';

/** Port of this file's own redis-server (c12out's fault-test range 6390–6399). */
const PORT = 6392;

/**
 * The API with Redis stopped: a record that crosses a budget threshold answers at once (its alert
 * is kept in PostgreSQL, not queued in Redis), and the alert reaches the chat once after Redis is
 * back, empty. Templates made through the API report to the book's chats.
 */
describe('API records and notices with Redis down (own redis-server, real PostgreSQL)', () => {
  let redis: RedisServer;
  let k: ApiKit;
  let role: WorkerRole;
  /** Chat `held` answers its first message with a 429 asking for 5 s; everything else is taken. */
  let heldOnce = false;
  const told = scriptedNotifier((chatId) => {
    if (chatId !== 'held' || heldOnce) return 'sent';
    heldOnce = true;
    return new RateLimited('429', 5_000);
  });
  let group: number;
  let token: string;
  const prefix = uniquePrefix('api-outage');

  beforeAll(async () => {
    redis = await startRedisServer(PORT);
    let alerts: ReturnType<typeof createBookAlerts> | undefined;
    k = await createApiKit({ tellBook: (book, owed) => alerts!(book, owed) });
    role = await startWorkerRole({
      db: k.h.database.db,
      store: k.h.services.store,
      clock: k.h.clock,
      logger: pino({ level: 'silent' }),
      notifier: told.notifier,
      redisUrl: redis.url,
      prefix,
      runWorkers: true,
      relayIntervalMs: 200,
      relayAgainAfterMs: 1_500,
    });
    alerts = createBookAlerts({ delivery: deliveryStore(k.h.database.db), outbox: role.outbox });
    await k.h.say(ANN, '/spend 10 #food', GROUP);
    await k.h.say(ANN, '/budget total 100', GROUP);
    group = await k.bookId(GROUP);
    token = await k.tokenFor(ANN);
  });
  afterAll(async () => {
    await role?.close();
    await k?.close();
    await redis?.stop();
  });

  it('GIVEN Redis stopped WHEN API records cross 80% THEN each answers at once and the alert reaches the group once after Redis is back empty', async () => {
    await redis.stop();
    const took: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const r = await k.req('POST', `/books/${group}/events`, { token, json: { amount: '4', labels: ['food'] }, headers: { 'Idempotency-Key': `down-${i}` } });
      took.push(performance.now() - t0);
      expect(r.status).toBe(201);
    }
    // 10 + 18 × 4 = 82 of 100: the 80% threshold is crossed by the 18th record.
    expect(Math.max(...took)).toBeLessThan(1_000);
    expect(await noticeOutboxStore(k.h.database.db, prefix).pending()).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(told.got).toEqual([]);

    await redis.start();
    await waitUntil(async () => told.got.length > 0, 15_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(told.got.map((g) => [g.chatId, g.text])).toEqual([[GROUP, expect.stringContaining('Budget total is at 82%')]]);
    expect(await noticeOutboxStore(k.h.database.db, prefix).pending()).toBe(0);
  }, 40_000);

  it('GIVEN a template made through the API THEN when due it is recorded and the book’s chat is told', async () => {
    told.got.length = 0;
    const r = await k.req('POST', `/books/${group}/templates`, { token, json: { schedule: 'daily at:13:00', kind: 'income', record: '7 bonus' } });
    expect(r.status).toBe(201);
    k.h.clock.set('2026-11-24T13:00:05Z');
    await role.queues!.templates.add('sweep', {});
    await waitUntil(async () => told.got.some((g) => g.text.includes('Recorded from templates')), 15_000);
    const notices = told.got.filter((g) => g.text.includes('Recorded from templates'));
    expect(notices.map((g) => g.chatId)).toEqual([GROUP]);
    expect(notices[0]!.text).toContain('+7.00 EUR');
  }, 30_000);

  it('GIVEN a notice waiting in Redis (held by a 429) WHEN Redis is flushed THEN it is relayed again from PostgreSQL and sent once', async () => {
    told.got.length = 0;
    await role.outbox.send(outbound('console', 'held', { text: 'survives the flush' }, 'flush-survivor'));
    await waitUntil(async () => heldOnce, 10_000);
    await redis.flush();
    await waitUntil(async () => told.got.some((g) => g.chatId === 'held'), 20_000);
    await new Promise((r) => setTimeout(r, 6_000));
    expect(told.got.filter((g) => g.chatId === 'held').map((g) => g.text)).toEqual(['survives the flush']);
  }, 40_000);
});
