import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { LedgerStore } from '../domain/ports.js';
import type { Platform } from '../domain/types.js';
import type { Db } from '../drizzle/db.js';
import { deliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { templateSweepStore } from '../drizzle/store/template-store.js';
import { statsUpkeep } from '../drizzle/store/stats-upkeep.js';
import { pruneExpired } from '../drizzle/store/housekeeping.js';
import type { BullWorkers } from './bullmq-runner.js';
import { consoleNotifier } from './console-notifier.js';
import { createInProcessOutbox, type InProcessOutbox } from './in-process-queue.js';
import { startInProcessSweeps, type InProcessSweeps } from './in-process-runner.js';
import { routeNotifier, type Notifier, type Outbox } from './notifier.js';
import { deliver } from './outbound.js';
import type { BullQueues } from './queues.js';
import { createTemplateSweep, type TemplateSweep } from './template-sweep.js';

/** Platform credentials the notifiers need (from config). */
export interface NotifierConfig {
  telegram?: { token: string; apiRoot: string } | undefined;
  discord?: { token: string; apiRoot?: string | undefined } | undefined;
  /** Where the terminal chat's notifications are printed. */
  console?: NodeJS.WritableStream | undefined;
}

/**
 * A notifier for every platform that has credentials. A platform's client library (grammY,
 * discord.js) is loaded only when its credentials are set, which keeps start-up quick.
 */
export async function buildNotifier(c: NotifierConfig): Promise<Notifier> {
  const by: Partial<Record<Platform, Notifier>> = {};
  if (c.telegram) by.telegram = (await import('./telegram-notifier.js')).telegramNotifier(c.telegram);
  if (c.discord) by.discord = (await import('./discord-notifier.js')).discordNotifier(c.discord);
  if (c.console) by.console = consoleNotifier(c.console);
  return routeNotifier(by);
}

export interface WorkerRoleDeps {
  db: Db;
  store: LedgerStore;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  /** BullMQ when set; otherwise everything runs in this process. */
  redisUrl?: string | undefined;
  /** Redis key prefix (default `coin`). */
  prefix?: string | undefined;
  /** This process runs the worker role: sweeps and outbound delivery (ROLES has `worker`). */
  runWorkers: boolean;
  /** Cron pattern of the BullMQ sweep trigger (default every minute). */
  sweepPattern?: string | undefined;
  /** Period of the in-process sweep timer without Redis (default every minute). */
  sweepIntervalMs?: number | undefined;
  batchSize?: number | undefined;
}

/** What the composition root (`app/main.ts`) gets: where to queue messages (every role uses it), the queues, and a stop. */
export interface WorkerRole {
  outbox: Outbox;
  /** BullMQ queues (for the dashboard); undefined without Redis. */
  queues?: BullQueues | undefined;
  /** The in-process sweep timer, when it runs here. */
  sweeps?: InProcessSweeps | undefined;
  /** Finishes the jobs in hand and closes queues and connections. */
  close(): Promise<void>;
}

/**
 * The minute sweep, then the upkeep: the statistics rollup's dirty marks
 * (`drizzle/store/stats-upkeep.ts`) and forgetting old update ids and expired link codes
 * (`drizzle/store/housekeeping.ts`). An upkeep failure is logged and never fails the sweep; the
 * next minute tries again.
 */
function withUpkeep(db: Db, clock: Clock, logger: Logger, sweep: TemplateSweep): TemplateSweep {
  return async (opts) => {
    const summary = await sweep(opts);
    if (opts?.signal?.aborted) return summary;
    await statsUpkeep(db).catch((err) => logger.error({ err: String(err) }, 'statistics upkeep failed'));
    await pruneExpired(db, clock.now()).catch((err) => logger.error({ err: String(err) }, 'pruning old update ids failed'));
    return summary;
  };
}

/**
 * Assembles the worker side. With Redis: the outbox queues BullMQ jobs, and with the worker role
 * this process also runs the sweep and outbound workers (any number of such processes may run).
 * Without Redis: an in-process outbox that also delivers, and with the worker role the sweep
 * runs on a timer here.
 */
export async function startWorkerRole(d: WorkerRoleDeps): Promise<WorkerRole> {
  const delivery = deliveryStore(d.db);
  const deliverDeps = { notifier: d.notifier, store: delivery, now: () => d.clock.now(), logger: d.logger };
  const makeSweep = (outbox: Outbox) =>
    withUpkeep(d.db, d.clock, d.logger, createTemplateSweep({
      sweepStore: templateSweepStore(d.db),
      ledger: d.store,
      delivery,
      outbox,
      clock: d.clock,
      logger: d.logger,
      ...(d.batchSize ? { batchSize: d.batchSize } : {}),
    }));

  if (d.redisUrl) {
    // BullMQ loads only with Redis configured (it is a large library).
    const { DEFAULT_PREFIX, bullOutbox, openQueues, redisConnection } = await import('./queues.js');
    const { startBullWorkers } = await import('./bullmq-runner.js');
    const connection = redisConnection(d.redisUrl);
    const prefix = d.prefix ?? DEFAULT_PREFIX;
    const queues = openQueues(connection, prefix);
    const outbox = bullOutbox(queues);
    let workers: BullWorkers | undefined;
    if (d.runWorkers) {
      const sweep = makeSweep(outbox);
      workers = await startBullWorkers({
        connection,
        prefix,
        queues,
        sweep,
        deliver: (msg) => deliver(msg, deliverDeps),
        logger: d.logger,
        ...(d.sweepPattern ? { sweepPattern: d.sweepPattern } : {}),
      });
    }
    return {
      outbox,
      queues,
      async close() {
        await workers?.close();
        await queues.close();
        await connection.quit().catch(() => connection.disconnect());
      },
    };
  }

  const outbox: InProcessOutbox = createInProcessOutbox(deliverDeps);
  let sweeps: InProcessSweeps | undefined;
  if (d.runWorkers) {
    const sweep = makeSweep(outbox);
    sweeps = startInProcessSweeps({ sweep, logger: d.logger, ...(d.sweepIntervalMs ? { intervalMs: d.sweepIntervalMs } : {}) });
  }
  return {
    outbox,
    sweeps,
    async close() {
      await sweeps?.close();
      await outbox.close();
    },
  };
}
