import pino from 'pino';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../domain/clock.js';
import { createStore } from '../drizzle/store/index.js';
import { scratchDatabase } from '../test/databases.js';
import { TEST_REDIS_URL, dropPrefix, scriptedNotifier, uniquePrefix, waitUntil } from '../test/worker-kit.js';
import { TEMPLATES_QUEUE } from './queues.js';
import { startWorkerRole, type WorkerRole } from './worker-role.js';

/**
 * The sweep's schedule is checked every `reconcileMs` so that a Redis emptied under the workers
 * gets it back. The check must not cost a slot: declaring the schedule again while one of its
 * jobs is due but not yet taken made BullMQ replace that job with the next slot's, so the sweep of
 * that slot never ran (with the check every 5 ms, none of 20 slots ran; with a check each
 * second 10 ms after the slot, 1 of 6). Here the check runs every 5 ms against a sweep each second,
 * and every slot's job must have completed, none skipped.
 */
describe('template sweep schedule: checked often, no slot skipped (real Redis and PostgreSQL)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let role: WorkerRole | undefined;
  const prefix = uniquePrefix('slots');

  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => {
    await role?.close();
    await dropPrefix(prefix);
    await scratch?.drop();
  });

  it('GIVEN the schedule checked every 5 ms and a sweep every second THEN each second has its sweep, none replaced by the next', async () => {
    role = await startWorkerRole({
      db: scratch.database.db,
      store: createStore(scratch.database.db),
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      notifier: scriptedNotifier().notifier,
      redisUrl: TEST_REDIS_URL,
      prefix,
      runWorkers: true,
      sweepPattern: '* * * * * *',
      reconcileMs: 5,
    });
    const connection = new Redis(TEST_REDIS_URL);
    const queue = new Queue(TEMPLATES_QUEUE, { connection, prefix });
    try {
      /** Slots (ms) of the scheduled sweeps that completed, in order. */
      const slots = async () =>
        (await queue.getCompleted(0, 200))
          .map((j) => /^repeat:[^:]+:(\d+)$/.exec(j.id ?? '')?.[1])
          .filter((s): s is string => s !== undefined)
          .map(Number)
          .sort((a, b) => a - b);
      await waitUntil(async () => (await slots()).length >= 5, 20_000, 200).catch(() => undefined);
      const done = await slots();
      expect(done.length).toBeGreaterThanOrEqual(5);
      const gaps = done.slice(1).map((s, i) => s - done[i]!);
      expect(gaps).toEqual(gaps.map(() => 1000));
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }, 30_000);
});
