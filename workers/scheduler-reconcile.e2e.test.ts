import pino from 'pino';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../domain/clock.js';
import { createStore } from '../drizzle/store/index.js';
import { startRedisServer, type RedisServer } from '../test/redis-server.js';
import { startWorkerRole, type WorkerRole } from './worker-role.js';
import { scriptedNotifier, seedDueTemplates, templateEventCounts, uniquePrefix, waitUntil } from '../test/worker-kit.js';
import { scratchDatabase } from '../test/databases.js';
import { rowsOf } from '../drizzle/store/rows.js';

/** Port of this file's own redis-server (c12out's fault-test range 6390–6399). */
const PORT = 6391;

/**
 * Redis comes back empty (a restart without persistence, a failover, FLUSHALL): the sweep's job
 * scheduler is gone. Workers declare it again on every reconnect and every `reconcileMs`, so the
 * next due template is still applied. Production: a sweep each minute and a reconcile each
 * minute (bound 2 minutes); here both are shrunk to seconds, so the bound is a few seconds.
 */
describe('scheduler reconcile: Redis back empty (own redis-server, real PostgreSQL)', () => {
  let redis: RedisServer;
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let role: WorkerRole;
  /** While `holding`, the platform refuses every message (a retry later): jobs wait in Redis. */
  let holding = false;
  let refused = 0;
  const told = scriptedNotifier(() => (holding ? (refused++, new Error('platform unavailable')) : 'sent'));
  const notRelayed = async () =>
    rowsOf<{ n: number }>(await scratch.database.db.execute(sql`select count(*)::int as n from notice_outbox where relayed_at is null`))[0]!.n;
  const SWEEP_EVERY_S = 2;
  const RECONCILE_MS = 1_000;
  /** The scaled-down bound: a sweep period plus a reconcile period, plus slack for a busy machine. */
  const BOUND_MS = SWEEP_EVERY_S * 1000 + RECONCILE_MS + 6_000;

  /** Makes `n` templates never applied before due now (in the past by a second) and resolves the expected total. */
  async function dueNow(n: number): Promise<number> {
    const before = (await templateEventCounts(scratch.database)).events;
    await scratch.database.db.execute(sql`
      update templates set next_due_at = now() - interval '1 second'
      where id in (select id from templates t where next_due_at > now()
        and not exists (select 1 from events e where e.template_id = t.id) order by id limit ${n})`);
    return before + n;
  }

  beforeAll(async () => {
    redis = await startRedisServer(PORT);
    scratch = await scratchDatabase();
    // Templates not due for half a day; each step below makes some of them due a second ago. Their
    // daily slot is 12 hours away, so that is their one occurrence up to now. (With the slot at
    // the seed's own minute, a run that made them due in the first second of a minute caught up
    // that minute's slot as well: two records per template, 1 run in ~15 under load.)
    await seedDueTemplates(scratch.database, { count: 30, books: 3, dueAt: new Date(Date.now() + 12 * 3600_000), notify: true });
    role = await startWorkerRole({
      db: scratch.database.db,
      store: createStore(scratch.database.db),
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      notifier: told.notifier,
      redisUrl: redis.url,
      prefix: uniquePrefix('reconcile'),
      runWorkers: true,
      sweepPattern: `*/${SWEEP_EVERY_S} * * * * *`,
      reconcileMs: RECONCILE_MS,
      relayIntervalMs: 200,
    });
  });
  afterAll(async () => {
    await role?.close();
    await redis?.stop();
    await scratch?.drop();
  });

  it('GIVEN workers running THEN a due template is applied by the scheduled sweep', async () => {
    const want = await dueNow(2);
    await waitUntil(async () => (await templateEventCounts(scratch.database)).events >= want, BOUND_MS);
  });

  it('GIVEN Redis flushed (connections kept) THEN the next due template is still applied within the bound, once', async () => {
    await redis.flush();
    const t0 = Date.now();
    const want = await dueNow(3);
    await waitUntil(async () => (await templateEventCounts(scratch.database)).events >= want, BOUND_MS);
    expect(Date.now() - t0).toBeLessThan(BOUND_MS);
    expect(await templateEventCounts(scratch.database)).toEqual({ events: want, distinct: want });
  }, 30_000);

  it('GIVEN Redis restarted empty THEN the next due template is applied within the bound', async () => {
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1_500));
    await redis.start();
    const t0 = Date.now();
    const want = await dueNow(4);
    await waitUntil(async () => (await templateEventCounts(scratch.database)).events >= want, BOUND_MS);
    expect(Date.now() - t0).toBeLessThan(BOUND_MS);
    expect(await templateEventCounts(scratch.database)).toEqual({ events: want, distinct: want });
  }, 30_000);

  it('GIVEN notices waiting in Redis (the platform refusing) WHEN Redis restarts empty THEN they are relayed again at once and each record is told once', async () => {
    // Everything so far told, so what follows is about the notices of this step only.
    const toldRecords = () => told.got.reduce((n, g) => n + (g.text.match(/^#\d+ /gm) ?? []).length, 0);
    await waitUntil(async () => toldRecords() >= (await templateEventCounts(scratch.database)).events, 30_000);
    holding = true;
    const refusedBefore = refused;
    const want = await dueNow(3);
    await waitUntil(async () => (await templateEventCounts(scratch.database)).events >= want, 20_000);
    // Relayed into Redis (done in PostgreSQL waits for the platform) and tried at least once.
    await waitUntil(async () => refused > refusedBefore && (await notRelayed()) === 0, 10_000);
    await redis.stop();
    holding = false;
    await new Promise((r) => setTimeout(r, 1_500));
    await redis.start();
    // Their jobs went with the old Redis. Without the relay on reconnect they would wait for the
    // relay-again period (2 minutes); 20 s is the reconnect and a BullMQ worker's first poll, with room.
    await waitUntil(async () => toldRecords() >= want, 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(toldRecords()).toBe(want);
  }, 60_000);
});
