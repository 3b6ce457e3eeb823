import pino from 'pino';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from '../test/databases.js';
import { startTelegramDouble, type TelegramDouble } from '../test/doubles/telegram-api.js';
import type { Database } from '../drizzle/db.js';
import { createStore } from '../drizzle/store/index.js';
import { deliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { createInProcessOutbox } from './in-process-queue.js';
import { RateLimited, outbound } from './notifier.js';
import { jobIdOf, outboundQueueName, redisConnection } from './queues.js';
import { buildNotifier, startWorkerRole, type WorkerRole } from './worker-role.js';
import { TEST_REDIS_URL, dropPrefix, scriptedNotifier, uniquePrefix, waitUntil } from '../test/worker-kit.js';

const silent = pino({ level: 'silent' });

/**
 * Telegram's 429 `retry_after`: the outbound queue holds the message (and the rest of its chat)
 * for that long and then sends it once, without spending one of its retry attempts and without
 * holding up other chats.
 */
describe('outbound queue honours retry_after (BullMQ on real Redis, Bot API double)', () => {
  let tg: TelegramDouble;
  let db: Database;
  let role: WorkerRole;
  const prefix = uniquePrefix('ratelimit');

  beforeAll(async () => {
    tg = await startTelegramDouble();
    db = await freshPostgres();
    role = await startWorkerRole({
      db: db.db,
      store: createStore(db.db),
      clock: { now: () => new Date() },
      logger: silent,
      notifier: await buildNotifier({ telegram: { token: tg.token, apiRoot: tg.apiRoot } }),
      redisUrl: TEST_REDIS_URL,
      prefix,
      runWorkers: true,
      relayIntervalMs: 100,
    });
  });
  afterAll(async () => {
    await role?.close();
    await tg?.close();
    await db?.close();
    await dropPrefix(prefix);
  });

  it('GIVEN a 429 with retry_after 2 THEN the message goes once after 2 s, its chat keeps order, another chat is not held up, no attempt spent', async () => {
    tg.failNext('sendMessage', { error_code: 429, retry_after: 2 });
    await role.outbox.send(outbound('telegram', '701', { text: 'first' }, 'rl-first'));
    await waitUntil(async () => tg.calls.some((c) => c.error_code === 429), 10_000);
    const limitedAt = tg.calls.find((c) => c.error_code === 429)!.at;
    await role.outbox.send(outbound('telegram', '701', { text: 'second' }, 'rl-second'));
    await role.outbox.send(outbound('telegram', '702', { text: 'other' }, 'rl-other'));
    await waitUntil(async () => tg.outbox(701).length === 2 && tg.outbox(702).length === 1, 15_000);

    const [first, second] = tg.outbox(701);
    expect([first!.text, second!.text]).toEqual(['first', 'second']);
    expect(first!.at - limitedAt).toBeGreaterThanOrEqual(1_950);
    expect(tg.outbox(702)[0]!.at).toBeLessThan(first!.at);
    expect(tg.calls.filter((c) => c.method === 'sendMessage' && Number(c.payload.chat_id) === 701)).toHaveLength(3);

    const conn = redisConnection(TEST_REDIS_URL);
    const q = new Queue(outboundQueueName('telegram'), { connection: conn, prefix });
    try {
      // Held, then sent: counted as the one attempt a job sent at once also counts.
      const job = await q.getJob(jobIdOf('rl-first'));
      const plain = await q.getJob(jobIdOf('rl-other'));
      expect(await job?.getState()).toBe('completed');
      expect(job?.attemptsMade).toBe(plain?.attemptsMade);
      expect(job?.attemptsMade).toBe(1);
    } finally {
      await q.close();
      conn.disconnect();
    }
  }, 30_000);

  it('GIVEN three messages of a chat queued together and a 429 on the first THEN the two already given later slots wait behind it: the chat reads them in order', async () => {
    tg.failNext('sendMessage', { error_code: 429, retry_after: 2 });
    for (const text of ['a', 'b', 'c']) await role.outbox.send(outbound('telegram', '703', { text }, `rl-order-${text}`));
    await waitUntil(async () => tg.outbox(703).length === 3, 20_000);
    const limitedAt = tg.calls.find((c) => c.error_code === 429 && Number(c.payload.chat_id) === 703)!.at;
    const sent = tg.outbox(703);
    expect(sent.map((m) => m.text)).toEqual(['a', 'b', 'c']);
    expect(sent[0]!.at - limitedAt).toBeGreaterThanOrEqual(1_950);
    // Still a chat's pace (1 s) between them.
    expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(950);
    expect(sent[2]!.at - sent[1]!.at).toBeGreaterThanOrEqual(950);
  }, 30_000);
});

describe('in-process outbound queue honours RateLimited (REDIS_URL unset)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await freshPostgres();
  });
  afterAll(async () => db?.close());

  it('GIVEN RateLimited(1 s) THEN the message goes after the wait without spending attempts (attempts: 1 would otherwise fail it)', async () => {
    const s = scriptedNotifier((_chat, n) => (n === 1 ? new RateLimited('429', 1_000) : 'sent'));
    const outcomes: string[] = [];
    const q = createInProcessOutbox({
      notifier: s.notifier,
      store: deliveryStore(db.db),
      now: () => new Date(),
      logger: silent,
      attempts: 1,
      onOutcome: (_m, o) => outcomes.push(o),
    });
    const t0 = Date.now();
    await q.send(outbound('console', 'local', { text: 'held' }));
    await q.idle();
    expect(outcomes).toEqual(['sent']);
    expect(s.got[0]!.at - t0).toBeGreaterThanOrEqual(950);
    await q.close();
  });

  it('GIVEN three messages of a chat queued together and RateLimited(2 s) on the first THEN the later two wait behind it, in order, a chat gap apart', async () => {
    const s = scriptedNotifier((_chat, n) => (n === 1 ? new RateLimited('429', 2_000) : 'sent'));
    const q = createInProcessOutbox({ notifier: s.notifier, store: deliveryStore(db.db), now: () => new Date(), logger: silent });
    const t0 = Date.now();
    for (const text of ['a', 'b', 'c']) await q.send(outbound('telegram', '704', { text }));
    await q.idle();
    expect(s.got.map((g) => g.text)).toEqual(['a', 'b', 'c']);
    expect(s.got[0]!.at - t0).toBeGreaterThanOrEqual(1_950);
    expect(s.got[1]!.at - s.got[0]!.at).toBeGreaterThanOrEqual(950);
    expect(s.got[2]!.at - s.got[1]!.at).toBeGreaterThanOrEqual(950);
    await q.close();
  }, 15_000);
});
