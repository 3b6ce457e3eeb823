import pino from 'pino';
import path from 'node:path';
import type { Hono } from 'hono';
import { loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createRegistry } from '../bot/commands/index.js';
import { createDispatcher } from '../bot/dispatcher.js';
import { openPglite, openPostgres, type Database } from '../drizzle/db.js';
import { createStore } from '../drizzle/store/index.js';
import { systemClock } from '../domain/clock.js';
import type { Services } from '../bot/services.js';
import { createBookAlerts } from '../workers/book-alerts.js';
import { deliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { createRateLimiter, CHAT_COMMAND_LIMIT, type RateLimiter, type RateLimitOptions } from '../bot/rate-limit.js';
import { createChartRenderer } from '../workers/chart-renderer.js';
import { buildNotifier, startWorkerRole } from '../workers/worker-role.js';
import { chatJournal } from '../drizzle/store/chat-journal.js';
import { fromWire, toWire, type Outbox, type WireReply } from '../workers/notifier.js';
import { receiptStore } from '../drizzle/store/receipt-store.js';
import type { ChatJournal } from '../bot/chat-journal.js';

// Platform clients (grammY, discord.js), BullMQ, the chart libraries, the HTTP server and the
// API load below only when the configuration needs them (dynamic imports): start-up time.

/** A started COIN process. */
export interface Running {
  /** Drains (not ready, no new requests, those in hand finish), then stops everything. */
  stop: () => Promise<void>;
  /** True from the moment `stop` begins: `/health/ready` answers 503. */
  draining: () => boolean;
  /** Resolves when the terminal chat ends (Ctrl-D); undefined when there is none. */
  consoleDone?: Promise<void>;
}

/**
 * The composition root: assembles every kind of COIN process (bot, API, worker, any subset of
 * ROLES; the ones tests and benchmarks start too) from one parsed configuration, with one
 * logger (redacting secrets). `app/cli.ts` is the only entry point and the only reader of
 * `process.env`; nothing else decides whether it was "started directly".
 */
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
/** At least `warn`: what a person typing into the terminal chat wants to see of the logs. */
const quieter = (level: string): string => (LEVELS.indexOf(level) > LEVELS.indexOf('warn') ? level : 'warn');

export async function main(env: Record<string, string | undefined>): Promise<Running> {
  // Since this process started (Node's time origin): Node itself and loading the modules.
  const modulesMs = performance.now();
  const config: Config = loadConfig(env);
  // The terminal chat owns stdout: its log lines go to stderr, warnings and errors only unless
  // LOG_LEVEL says otherwise.
  const terminalChat = config.ROLES.includes('bot') && !config.TELEGRAM_BOT_TOKEN && !config.DISCORD_TOKEN;
  const logger = terminalChat ? createLogger(env.LOG_LEVEL ? config.LOG_LEVEL : quieter(config.LOG_LEVEL), pino.destination(2)) : createLogger(config.LOG_LEVEL);
  const metrics = createMetrics();
  const database: Database = config.DATABASE_URL ? await openPostgres(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE }) : await openPglite(path.join(config.DATA_DIR, 'pglite'), { label: `DATA_DIR ${config.DATA_DIR}` });
  logger.info({ engine: database.engine, roles: config.ROLES }, 'database ready');
  const databaseReadyAt = performance.now();
  const store = createStore(database.db);
  // The durable chat path (issue 12): inbox, reply outbox, one transaction per input.
  const journal: ChatJournal = chatJournal(database.db, { encode: toWire, decode: (v) => fromWire(v as WireReply) }, {
    onRetry: (err, attempt, delayMs) => logger.warn({ err: String(err), attempt, delayMs }, 'database unavailable; retrying'),
  });
  const roles = new Set(config.ROLES);
  // One small Redis connection for readiness and the shared rate limits; it never queues
  // commands while disconnected, so a Redis outage answers at once instead of stalling requests.
  const redis = config.REDIS_URL
    ? new (await import('ioredis')).Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2_000, lazyConnect: false })
    : undefined;
  redis?.on('error', () => {});
  // With Redis every replica spends from the same buckets; without it each process limits alone.
  const shared = redis ? await import('../bot/shared-rate-limit.js') : undefined;
  const limiter = (name: string, opts: RateLimitOptions): RateLimiter =>
    redis && shared ? shared.createSharedRateLimiter({ ...opts, redis, prefix: config.QUEUE_PREFIX, name, logger }) : createRateLimiter(opts);
  let draining = false;
  // Charts render on the worker through the `charts` queue when Redis is set, in-process otherwise.
  const charts = await createChartRenderer({ redisUrl: config.REDIS_URL, logger, prefix: config.QUEUE_PREFIX });
  const services: Services = {
    store,
    clock: systemClock,
    defaults: { currency: config.DEFAULT_CURRENCY, timezone: config.DEFAULT_TIMEZONE, language: 'en' },
    logger,
    renderChart: (spec) => charts.render(spec),
    commandLimiter: limiter('chat', CHAT_COMMAND_LIMIT),
    apiTokenTtlDays: config.API_TOKEN_TTL_DAYS,
    // `/app` links: the public address, or this machine when only the terminal chat runs.
    webAppUrl: config.PUBLIC_URL ?? (!config.TELEGRAM_BOT_TOKEN && !config.DISCORD_TOKEN ? `http://localhost:${config.PORT}` : undefined),
    transact: (work) => journal.transact(work),
  };
  // Receipt photos are read on the worker (issue 18): the `receipts` queue with Redis, else here.
  // Proposals go out through the worker role's outbox, which is opened below.
  let receiptOutbox: Outbox | undefined;
  const { startReceiptReading } = await import('../workers/receipts/receipts-queue.js');
  const receipts = await startReceiptReading({
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    logger,
    runWorkers: roles.has('worker'),
    deps: {
      store: { ...receiptStore(database.db), listRules: (bookId) => store.listRules(bookId) },
      outbox: { send: (msg) => (receiptOutbox ? receiptOutbox.send(msg) : Promise.reject(new Error('outbox not open yet'))) },
    },
  });
  services.receipts = receipts;
  const registry = createRegistry();
  const dispatcher = createDispatcher(registry, services);
  const stops: (() => Promise<void>)[] = [];
  const mounts: ((app: Hono) => void)[] = [];
  stops.push(() => charts.close());
  let consoleDone: Promise<void> | undefined;

  if (roles.has('bot')) {
    if (config.TELEGRAM_BOT_TOKEN) {
      const { createTelegramBot, startTelegram } = await import('../adapters/telegram/telegram-adapter.js');
      const { mountTelegramWebhook } = await import('../adapters/telegram/webhook.js');
      const bot = createTelegramBot({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        dispatcher,
        registry,
        logger,
        metrics,
        journal,
        // Transactions applying updates at once: batches grow with the load, so two keep the
        // cores busy and leave the pool to holds and the sender (issue 19).
        concurrency: Math.max(1, Math.min(2, config.DATABASE_POOL_SIZE - 2)),
        throttle: config.TELEGRAM_THROTTLE === 'on',
      });
      const mode = config.TELEGRAM_WEBHOOK_URL
        ? { kind: 'webhook' as const, url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET!, gatherMs: config.TELEGRAM_GATHER_MS }
        : { kind: 'polling' as const, gatherMs: config.TELEGRAM_GATHER_MS };
      // Replicas behind a load balancer: the inbox orders each chat's updates (its per-chat
      // advisory lock in applyNext), and the outbox its replies (journal.turn).
      if (mode.kind === 'webhook') mounts.push((app) => mountTelegramWebhook(app, bot, mode.secret));
      stops.push(await startTelegram(bot, registry, mode));
      if (config.PUBLIC_URL) {
        const { setWebAppMenuButton } = await import('../adapters/telegram/menu-button.js');
        await setWebAppMenuButton(bot.bot.api, config.PUBLIC_URL).catch((err) => logger.warn({ err: String(err) }, 'telegram menu button not set'));
      }
      logger.info({ mode: mode.kind }, 'telegram started');
    }
    if (config.DISCORD_TOKEN) {
      const { createDiscordBot } = await import('../adapters/discord/discord-adapter.js');
      const discord = createDiscordBot({
        token: config.DISCORD_TOKEN,
        applicationId: config.DISCORD_APPLICATION_ID!,
        apiRoot: config.DISCORD_API_ROOT,
        guildId: config.DISCORD_GUILD_ID,
        dispatcher,
        registry,
        logger,
        metrics,
        // Answers through the reply outbox (issue 12): kept with their effect, delivered once.
        journal,
      });
      await discord.start();
      stops.push(() => discord.stop());
      logger.info({ commands: config.DISCORD_GUILD_ID ? 'guild' : 'global' }, 'discord started');
    }
    if (!config.TELEGRAM_BOT_TOKEN && !config.DISCORD_TOKEN) {
      const { startConsoleChat } = await import('../adapters/console/console-adapter.js');
      const chat = startConsoleChat({ dispatcher, input: process.stdin, output: process.stdout, outDir: path.join(config.DATA_DIR, 'out') });
      stops.push(async () => chat.close());
      consoleDone = chat.done;
    }
  }

  if (roles.has('worker') && config.REDIS_URL) {
    const { startChartsWorker } = await import('../workers/charts-queue.js');
    const chartsWorker = startChartsWorker({ redisUrl: config.REDIS_URL, logger, prefix: config.QUEUE_PREFIX });
    stops.push(() => chartsWorker.close());
  }

  // Templates and outbound messages (issue 4): BullMQ with REDIS_URL (the worker role runs the
  // sweep and delivery; any number of such processes), else in-process. Every role may queue.
  const workerRole = await startWorkerRole({
    db: database.db,
    // PGlite runs no autovacuum: the minute sweep does its work.
    tableUpkeep: database.engine === 'pglite',
    store,
    clock: systemClock,
    logger,
    notifier: await buildNotifier({
      telegram: config.TELEGRAM_BOT_TOKEN ? { token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT } : undefined,
      discord: config.DISCORD_TOKEN ? { token: config.DISCORD_TOKEN, apiRoot: config.DISCORD_API_ROOT } : undefined,
      // The terminal chat's notices print here; a worker-only process prints them to its own log.
      console: !roles.has('bot') || (!config.TELEGRAM_BOT_TOKEN && !config.DISCORD_TOKEN) ? process.stdout : undefined,
    }),
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    runWorkers: roles.has('worker'),
    sweepPattern: config.SWEEP_PATTERN,
    sweepIntervalMs: config.SWEEP_INTERVAL_MS,
    reconcileMs: config.RECONCILE_MS,
    batchSize: config.SWEEP_BATCH_SIZE,
  });
  if (roles.has('worker')) logger.info({ redis: Boolean(config.REDIS_URL), pid: process.pid }, 'worker ready');
  receiptOutbox = workerRole.outbox;
  stops.push(() => workerRole.close());
  stops.push(() => receipts.close());
  if (roles.has('api') && config.ADMIN_TOKEN && workerRole.queues) {
    const queues = workerRole.queues.all;
    const { mountDashboard } = await import('../workers/dashboard.js');
    mounts.push((app) => mountDashboard(app, { queues, token: config.ADMIN_TOKEN! }));
  }

  const tellBook = createBookAlerts({ delivery: deliveryStore(database.db), outbox: workerRole.outbox });
  if (roles.has('api')) {
    const { mountApi } = await import('../adapters/http/api/api-app.js');
    const rateLimit = limiter('api', { capacity: config.API_RATE_BURST, refillPerSecond: config.API_RATE_PER_SECOND });
    // Requests from many clients at once: their single records of one turn are written together
    // (drizzle/store/record-combiner.ts: one statement, one commit; each request its own answer).
    const requests = createStore(database.db, { combineRecords: true });
    mounts.push((app) => mountApi(app, { store: requests, clock: systemClock, logger, renderChart: services.renderChart, tellBook, rateLimit, transact: (work) => journal.transact(work) }));
    // The web app under /app (adapters/web): the same store, record use case and alerts as the API.
    const { mountWeb } = await import('../adapters/web/web-app.js');
    const web = { store: requests, clock: systemClock, logger, defaults: services.defaults, telegramBotToken: config.TELEGRAM_BOT_TOKEN, publicUrl: config.PUBLIC_URL, tellBook };
    mounts.push((app) => mountWeb(app, web));
  }

  // Every process serves /health/live, /health/ready and /metrics on PORT (workers too, for
  // their probes and scraping); the API and webhook routes only where their role runs.
  const { createHttpApp } = await import('../adapters/http/app.js');
  const { serve } = await import('@hono/node-server');
  const app = createHttpApp({
    logger,
    metrics,
    pingDatabase: database.ping,
    pingRedis: redis ? async () => void (await redis.ping()) : undefined,
    draining: () => draining,
    adminToken: config.ADMIN_TOKEN,
    mount: (a) => mounts.forEach((m) => m(a)),
  });
  // Requests in hand are counted: a drain waits for their handlers even when a client has
  // already hung up (the handler may be between its commit and its reply).
  let inHand = 0;
  let allDone: (() => void) | undefined;
  const server = serve({
    port: config.PORT,
    fetch: async (req: Request, env: unknown) => {
      inHand++;
      try {
        return await app.fetch(req, env as never);
      } finally {
        if (--inHand === 0) allDone?.();
      }
    },
  });
  // A worker-only or polling-only process serves nothing but health and metrics: when its port is
  // taken (two processes on one host with the same PORT) it runs on without them.
  if (!roles.has('api') && mounts.length === 0)
    server.on('error', (err) => logger.warn({ err: String(err), port: config.PORT }, 'health and metrics not served: port unavailable'));
  // A process that serves the API or the web app cannot run without its port: a taken port is a
  // start failure in one line (not an unhandled 'error' event with a stack).
  else
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`port ${config.PORT} is in use by another program: stop it or set PORT to a free port`) : err),
      );
    });
  // Stops accepting at once (idle keep-alive connections are closed), then waits for the
  // requests in hand, at most 30 s.
  const closeHttp = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if (inHand > 0) await Promise.race([new Promise<void>((resolve) => (allDone = resolve)), new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  };
  logger.info({ port: config.PORT }, 'http listening');

  const readyMs = performance.now();
  const ms = (n: number) => Math.round(n);
  logger.info(
    {
      ms: {
        modules: ms(modulesMs),
        databaseOpen: ms(database.timings.openMs),
        migrations: ms(database.timings.migrateMs),
        start: ms(readyMs - databaseReadyAt),
        ready: ms(readyMs),
      },
    },
    'started',
  );

  const stop = async () => {
    draining = true;
    logger.info('draining');
    // New requests first (the webhook's updates stay with Telegram and go to another replica),
    // then intake and workers finish what they hold, then the connections close.
    await closeHttp().catch((err) => logger.error({ err: String(err) }, 'stop failed'));
    for (const s of stops.reverse()) await s().catch((err) => logger.error({ err: String(err) }, 'stop failed'));
    redis?.disconnect();
    await database.close();
  };
  const isDraining = () => draining;
  return consoleDone ? { stop, draining: isDraining, consoleDone } : { stop, draining: isDraining };
}
