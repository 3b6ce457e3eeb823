import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killGroup, startCoin, type CoinProcess } from '../test/coin-process.js';
import { bullOutbox, openQueues, redisConnection, type BullQueues } from '../workers/queues.js';
import { scratchDatabase } from '../test/databases.js';
import { TEST_REDIS_URL, dropPrefix, seedDueTemplates, templateEventCounts, uniquePrefix, waitUntil } from '../test/worker-kit.js';

/**
 * ROLES splits the work between processes (PostgreSQL + Redis). Before the composition root,
 * a process started with ROLES=bot,api ran a worker anyway (the hidden worker of issue 11).
 */
describe('ROLES=bot,api runs no worker', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  const prefix = uniquePrefix('roles');
  const connection = redisConnection(TEST_REDIS_URL);
  let queues: BullQueues;
  const started: CoinProcess[] = [];
  beforeAll(async () => {
    scratch = await scratchDatabase();
    queues = openQueues(connection, prefix);
  });
  afterAll(async () => {
    for (const p of started) killGroup(p.child.pid);
    await queues?.close();
    await connection.quit();
    await dropPrefix(prefix);
    await scratch?.drop();
  });

  const start = (roles: string) => {
    // The sweep would run every second on a worker here (a six-field cron pattern).
    const p = startCoin({ ROLES: roles, DATABASE_URL: scratch.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, SWEEP_PATTERN: '* * * * * *', PORT: '0' });
    started.push(p);
    return p;
  };
  const waiting = async () => (await queues.outbound.console.getJobCounts('waiting')).waiting ?? 0;
  /** Messages not yet sent: waiting, spaced out for their chat (delayed), or being sent. */
  const unsent = async () => {
    const c = await queues.outbound.console.getJobCounts('waiting', 'delayed', 'active');
    return (c.waiting ?? 0) + (c.delayed ?? 0) + (c.active ?? 0);
  };

  it('GIVEN due templates and a queued message THEN a bot,api process leaves both alone; a worker process then takes them', async () => {
    await seedDueTemplates(scratch.database, { count: 10, books: 2, dueAt: new Date(Date.now() - 60_000) });
    const bot = start('bot,api');
    await bot.waitFor('"msg":"http listening"', 30_000, 'err');
    await bullOutbox(queues).send({ platform: 'console', chatId: 'local', reply: { text: 'queued while no worker runs' } });
    // Three seconds are three sweeps and many polls for any worker that were running.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await waiting()).toBe(1);
    expect((await templateEventCounts(scratch.database)).events).toBe(0);
    expect(bot.out()).not.toContain('worker ready');

    const worker = start('worker');
    await worker.waitFor('"msg":"worker ready"');
    await worker.waitFor('[COIN] queued while no worker runs');
    await waitUntil(async () => (await templateEventCounts(scratch.database)).events === 10, 30_000);
    // The templates' own notices are queued as they apply: the worker sends those too, a second
    // apart per chat (a job early for its chat goes back to delayed), so all of them, not only the
    // waiting ones, are counted; on a loaded machine 10 s once left 2 still waiting.
    await waitUntil(async () => (await unsent()) === 0, 30_000);
    expect(await unsent()).toBe(0);
    for (const p of [bot, worker]) {
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
    expect(bot.out()).not.toContain('worker ready');
  }, 90_000);
});
