import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { LedgerStore } from '../domain/ports.js';
import type { Platform } from '../domain/types.js';
import type { Db } from '../drizzle/db.js';
import { deliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { templateSweepStore } from '../drizzle/store/template-store.js';
import { statsUpkeep } from '../drizzle/store/stats-upkeep.js';
import { pruneExpired } from '../drizzle/store/housekeeping.js';
import { startBullWorkers, type BullWorkers } from './bullmq-runner.js';
import { consoleNotifier } from './console-notifier.js';
import { discordNotifier } from './discord-notifier.js';
import { createInProcessOutbox, type InProcessOutbox } from './in-process-queue.js';
import { startInProcessSweeps, type InProcessSweeps } from './in-process-runner.js';
import { routeNotifier, type Notifier, type Outbox } from './notifier.js';
import { deliver } from './outbound.js';
import { DEFAULT_PREFIX, bullOutbox, openQueues, redisConnection, type BullQueues } from './queues.js';
import { createTemplateSweep, type TemplateSweep } from './template-sweep.js';
import { telegramNotifier } from './telegram-notifier.js';

/** Platform credentials the notifiers need (from config). */
export interface NotifierConfig {
  telegram?: { token: string; apiRoot: string } | undefined;
  discord?: { token: string; apiRoot?: string | undefined } | undefined;
  /** Where the terminal chat's notifications are printed. */
  console?: NodeJS.WritableStream | undefined;
}

/** A notifier for every platform that has credentials. */
export function buildNotifier(c: NotifierConfig): Notifier {
  const by: Partial<Record<Platform, Notifier>> = {};
  if (c.telegram) by.telegram = telegramNotifier(c.telegram);
  if (c.discord) by.discord = discordNotifier(c.discord);
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
  batchSize?: number | undefined;
}

/** What main.ts gets: where to queue messages (every role uses it), the queues, and a stop. */
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
    sweeps = startInProcessSweeps({ sweep, logger: d.logger });
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

/**
 * `tsx workers/worker-main.ts`: a worker-only process (what `ROLES=worker npm start` runs), with
 * QUEUE_PREFIX to keep its Redis keys apart (benchmarks, tests). Reads the environment like
 * bot/main.ts does, being an entry point.
 */
async function cli(env: NodeJS.ProcessEnv): Promise<void> {
  const { loadConfig } = await import('../bot/config.js');
  const { openPostgres, openPglite } = await import('../drizzle/db.js');
  const { createStore } = await import('../drizzle/store/index.js');
  const { systemClock } = await import('../domain/clock.js');
  const config = loadConfig({ ...env, ROLES: 'worker' });
  const logger = pino({ level: config.LOG_LEVEL });
  const database = config.DATABASE_URL ? await openPostgres(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE }) : await openPglite(path.join(config.DATA_DIR, 'pglite'));
  const role = await startWorkerRole({
    db: database.db,
    store: createStore(database.db),
    clock: systemClock,
    logger,
    notifier: buildNotifier({
      telegram: config.TELEGRAM_BOT_TOKEN ? { token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT } : undefined,
      discord: config.DISCORD_TOKEN ? { token: config.DISCORD_TOKEN, apiRoot: config.DISCORD_API_ROOT } : undefined,
      console: process.stdout,
    }),
    redisUrl: config.REDIS_URL,
    prefix: env.QUEUE_PREFIX,
    runWorkers: true,
    sweepPattern: env.SWEEP_PATTERN,
  });
  logger.info({ redis: Boolean(config.REDIS_URL), pid: process.pid }, 'worker ready');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void role
      .close()
      .then(() => database.close())
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// The file itself was started (not merely imported): `worker-main.ts` also ends in `main.ts`,
// so comparing basenames started a second, worker-only COIN inside every `bot/main.ts` process.
const isEntry = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isEntry) {
  cli(process.env).catch((err) => {
    process.stderr.write(`COIN worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
