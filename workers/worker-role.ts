import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { LedgerStore } from '../domain/ports.js';
import type { Platform } from '../domain/types.js';
import type { Db } from '../drizzle/db.js';
import { deliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { templateSweepStore } from '../drizzle/store/template-store.js';
import { statsUpkeep } from '../drizzle/store/stats-upkeep.js';
import { pruneExpired } from '../drizzle/store/housekeeping.js';
import { tableUpkeep } from '../drizzle/store/table-upkeep.js';
import type { BullWorkers } from './bullmq-runner.js';
import { consoleNotifier } from './console-notifier.js';
import { createInProcessOutbox, type InProcessOutbox } from './in-process-queue.js';
import { startInProcessSweeps, type InProcessSweeps } from './in-process-runner.js';
import { routeNotifier, type Notifier, type Outbox } from './notifier.js';
import { deliver } from './outbound.js';
import type { BullQueues } from './queues.js';
import { LOCAL_RELAY, noticeOutboxStore } from '../drizzle/store/notice-outbox-store.js';
import { durableOutbox, startNoticeRelay, type NoticeRelay } from './notice-relay.js';
import { createTemplateSweep, type TemplateSweep } from './template-sweep.js';
import { digestRunStore } from '../drizzle/store/digest-store.js';
import { createDigestSweep, type DigestSweep } from './digest-sweep.js';
import type { ChartRenderer } from '../bot/presentation/chart-types.js';

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
  /** How often the worker checks that Redis still has the sweep's job scheduler (default every minute). */
  reconcileMs?: number | undefined;
  /** How often the notice relay looks for kept messages (default every second). */
  relayIntervalMs?: number | undefined;
  /** A relayed notice not sent after this long is relayed again (default 2 minutes). */
  relayAgainAfterMs?: number | undefined;
  /** Draws digest charts when they are sent (default: in this process). */
  renderChart?: ChartRenderer | undefined;
  /** The database has no autovacuum (embedded PGlite): the minute sweep vacuums and analyses (`tableUpkeep`). */
  tableUpkeep?: boolean | undefined;
}

/** What main.ts gets: where to queue messages (every role uses it), the queues, and a stop. */
export interface WorkerRole {
  /** The notice outbox: PostgreSQL first, relayed to the outbound queue (never waits on Redis). */
  outbox: Outbox;
  /** Moves kept notices on to the outbound queue (tests drain it). */
  relay: NoticeRelay;
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
function withUpkeep(db: Db, clock: Clock, logger: Logger, sweep: TemplateSweep, digests?: DigestSweep, tables = false): TemplateSweep {
  return async (opts) => {
    const summary = await sweep(opts);
    if (opts?.signal?.aborted) return summary;
    // Digests and reminders due (issue 18): on the same minute job, after the templates (whose records they count).
    if (digests) await digests(opts?.signal ? { signal: opts.signal } : {}).catch((err) => logger.error({ err: String(err) }, 'digest sweep failed; the next minute retries'));
    await statsUpkeep(db).catch((err) => logger.error({ err: String(err) }, 'statistics upkeep failed'));
    await pruneExpired(db, clock.now()).catch((err) => logger.error({ err: String(err) }, 'pruning old update ids failed'));
    if (tables)
      await tableUpkeep(db)
        .then((t) => (t.vacuumed.length || t.analysed.length) && logger.debug(t, 'tables vacuumed and analysed'))
        .catch((err) => logger.error({ err: String(err) }, 'table upkeep (vacuum, analyze) failed'));
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
  // Processes relay the notices of their own deployment: the same Redis prefix, or all without Redis.
  const relayGroup = d.redisUrl ? (d.prefix ?? 'coin') : LOCAL_RELAY;
  const notices = noticeOutboxStore(d.db, relayGroup, d.relayAgainAfterMs ? { relayAgainAfterMs: d.relayAgainAfterMs } : {});
  const digestRuns = digestRunStore(d.db, relayGroup);
  // Digest charts are drawn here, by the outbound worker, just before sending (the library loads on first use).
  let chartLib: Promise<typeof import('./charts/render-chart.js')> | undefined;
  const renderChart: ChartRenderer = d.renderChart ?? (async (spec) => (await (chartLib ??= import('./charts/render-chart.js'))).renderChart(spec));
  const deliverDeps = {
    notifier: d.notifier,
    store: delivery,
    now: () => d.clock.now(),
    logger: d.logger,
    done: notices,
    renderChart,
    onBlocked: async (platform: Platform, chatId: string) => {
      const off = await digestRuns.turnOffChat(platform, chatId);
      if (off.length) d.logger.warn({ platform, chat: chatId, off }, 'chat blocked the bot or left; its digest/reminder is turned off');
    },
  };
  let relay: NoticeRelay | undefined;
  const kick = () => relay?.kick();
  const outbox = durableOutbox(notices, kick);
  const relayOpts = { store: notices, logger: d.logger, ...(d.relayIntervalMs ? { intervalMs: d.relayIntervalMs } : {}) };
  const makeSweep = () =>
    withUpkeep(d.db, d.clock, d.logger, createTemplateSweep({
      sweepStore: templateSweepStore(d.db, { relay: relayGroup }),
      ledger: d.store,
      delivery,
      outbox,
      clock: d.clock,
      logger: d.logger,
      inBatch: { onKept: kick },
      ...(d.batchSize ? { batchSize: d.batchSize } : {}),
    }), createDigestSweep({ runs: digestRuns, ledger: d.store, clock: d.clock, logger: d.logger, onKept: kick }), d.tableUpkeep);

  if (d.redisUrl) {
    // BullMQ loads only with Redis configured (it is a large library).
    const { DEFAULT_PREFIX, bullOutbox, isReady, openQueues, producerConnection, redisConnection } = await import('./queues.js');
    const { startBullWorkers } = await import('./bullmq-runner.js');
    const connection = redisConnection(d.redisUrl);
    const producer = producerConnection(d.redisUrl);
    // ioredis reports every failed reconnect; one line per outage is enough.
    let down = false;
    const onError = (err: unknown) => {
      if (!down) d.logger.warn({ err: String(err) }, 'redis unreachable; notices wait in PostgreSQL');
      down = true;
    };
    producer.on('error', onError);
    connection.on('error', () => {});
    const prefix = d.prefix ?? DEFAULT_PREFIX;
    const queues = openQueues(producer, prefix);
    for (const q of queues.all) q.on('error', () => {});
    const live = startNoticeRelay({ ...relayOpts, target: bullOutbox(queues, producer), ready: () => isReady(producer) });
    relay = live;
    // A reconnect may find Redis empty (restarted without persistence): the jobs of notices
    // relayed before it are relayed again at once, not after the relay-again period.
    let closed = false;
    producer.on('close', () => (closed = true));
    producer.on('ready', () => {
      if (down) d.logger.info('redis reachable again');
      down = false;
      const relayedToo = closed;
      closed = false;
      void notices.retryNow({ relayedToo }).then(kick, kick);
    });
    let workers: BullWorkers | undefined;
    if (d.runWorkers) {
      workers = await startBullWorkers({
        connection,
        producer,
        prefix,
        queues,
        sweep: makeSweep(),
        deliver: (msg) => deliver(msg, deliverDeps),
        logger: d.logger,
        ...(d.sweepPattern ? { sweepPattern: d.sweepPattern } : {}),
        ...(d.reconcileMs ? { reconcileMs: d.reconcileMs } : {}),
      });
    }
    return {
      outbox,
      relay: live,
      queues,
      async close() {
        await live.close();
        await workers?.close();
        await queues.close().catch(() => {});
        await producer.quit().catch(() => producer.disconnect());
        await connection.quit().catch(() => connection.disconnect());
      },
    };
  }

  const inProcess: InProcessOutbox = createInProcessOutbox(deliverDeps);
  const live = startNoticeRelay({ ...relayOpts, target: inProcess });
  relay = live;
  let sweeps: InProcessSweeps | undefined;
  if (d.runWorkers) sweeps = startInProcessSweeps({ sweep: makeSweep(), logger: d.logger, ...(d.sweepIntervalMs ? { intervalMs: d.sweepIntervalMs } : {}) });
  return {
    outbox,
    relay: live,
    sweeps,
    async close() {
      await sweeps?.close();
      await live.close();
      await live.drain();
      await inProcess.close();
    },
  };
}
