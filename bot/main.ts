import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createRegistry } from './commands/index.js';
import { createDispatcher } from './dispatcher.js';
import { openPglite, openPostgres, type Database } from '../drizzle/db.js';
import { createStore } from '../drizzle/store/index.js';
import { systemClock } from '../domain/clock.js';
import { createHttpApp } from '../adapters/http/app.js';
import { createTelegramBot, startTelegram } from '../adapters/telegram/telegram-adapter.js';
import { mountTelegramWebhook } from '../adapters/telegram/webhook.js';
import { createDiscordBot } from '../adapters/discord/discord-adapter.js';
import { startConsoleChat } from '../adapters/console/console-adapter.js';
import type { Services } from './services.js';
import { mountApi } from '../adapters/http/api/api-app.js';
import { createBookAlerts } from '../workers/book-alerts.js';
import { deliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { createRateLimiter, CHAT_COMMAND_LIMIT } from './rate-limit.js';
import { createChartRenderer, startChartsWorker } from '../workers/charts-queue.js';
import { buildNotifier, startWorkerRole } from '../workers/worker-main.js';
import { mountDashboard } from '../workers/dashboard.js';
import { mountWeb } from '../adapters/web/web-app.js';
import { setWebAppMenuButton } from '../adapters/telegram/menu-button.js';
import path from 'node:path';

/** Assembles COIN from configuration: the only place that reads `process.env`. */
export interface Running {
  stop: () => Promise<void>;
  /** Resolves when the terminal chat ends (Ctrl-D); undefined when there is none. */
  consoleDone?: Promise<void>;
}

export async function main(env: Record<string, string | undefined> = process.env): Promise<Running> {
  const config: Config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL);
  const metrics = createMetrics();
  const database: Database = config.DATABASE_URL ? await openPostgres(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE }) : await openPglite(path.join(config.DATA_DIR, 'pglite'));
  logger.info({ engine: database.engine, roles: config.ROLES }, 'database ready');
  const store = createStore(database.db);
  const roles = new Set(config.ROLES);
  // Charts render on the worker through the `charts` queue when Redis is set, in-process otherwise.
  const charts = createChartRenderer({ redisUrl: config.REDIS_URL, logger, prefix: config.QUEUE_PREFIX });
  const services: Services = {
    store,
    clock: systemClock,
    defaults: { currency: config.DEFAULT_CURRENCY, timezone: config.DEFAULT_TIMEZONE, language: 'en' },
    logger,
    renderChart: (spec) => charts.render(spec),
    commandLimiter: createRateLimiter(CHAT_COMMAND_LIMIT),
    apiTokenTtlDays: config.API_TOKEN_TTL_DAYS,
    // `/app` links: the public address, or this machine when only the terminal chat runs.
    webAppUrl: config.PUBLIC_URL ?? (!config.TELEGRAM_BOT_TOKEN && !config.DISCORD_TOKEN ? `http://localhost:${config.PORT}` : undefined),
  };
  const registry = createRegistry();
  const dispatcher = createDispatcher(registry, services);
  const stops: (() => Promise<void>)[] = [];
  const mounts: ((app: Hono) => void)[] = [];
  stops.push(() => charts.close());
  let consoleDone: Promise<void> | undefined;

  if (roles.has('bot')) {
    if (config.TELEGRAM_BOT_TOKEN) {
      const bot = createTelegramBot({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT, dispatcher, registry, logger, metrics });
      const mode = config.TELEGRAM_WEBHOOK_URL
        ? { kind: 'webhook' as const, url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET! }
        : { kind: 'polling' as const };
      if (mode.kind === 'webhook') mounts.push((app) => mountTelegramWebhook(app, bot, mode.secret));
      stops.push(await startTelegram(bot, registry, mode));
      if (config.PUBLIC_URL)
        await setWebAppMenuButton(bot.api, config.PUBLIC_URL).catch((err) => logger.warn({ err: String(err) }, 'telegram menu button not set'));
      logger.info({ mode: mode.kind }, 'telegram started');
    }
    if (config.DISCORD_TOKEN) {
      const discord = createDiscordBot({
        token: config.DISCORD_TOKEN,
        applicationId: config.DISCORD_APPLICATION_ID!,
        apiRoot: config.DISCORD_API_ROOT,
        guildId: config.DISCORD_GUILD_ID,
        dispatcher,
        registry,
        logger,
        metrics,
      });
      await discord.start();
      stops.push(() => discord.stop());
      logger.info({ commands: config.DISCORD_GUILD_ID ? 'guild' : 'global' }, 'discord started');
    }
    if (!config.TELEGRAM_BOT_TOKEN && !config.DISCORD_TOKEN) {
      const chat = startConsoleChat({ dispatcher, input: process.stdin, output: process.stdout, outDir: path.join(config.DATA_DIR, 'out') });
      stops.push(async () => chat.close());
      consoleDone = chat.done;
    }
  }

  if (roles.has('worker') && config.REDIS_URL) {
    const chartsWorker = startChartsWorker({ redisUrl: config.REDIS_URL, logger, prefix: config.QUEUE_PREFIX });
    stops.push(() => chartsWorker.close());
  }

  // Templates and outbound messages (issue 4): BullMQ with REDIS_URL (the worker role runs the
  // sweep and delivery; any number of such processes), else in-process. Every role may queue.
  const workerRole = await startWorkerRole({
    db: database.db,
    store,
    clock: systemClock,
    logger,
    notifier: buildNotifier({
      telegram: config.TELEGRAM_BOT_TOKEN ? { token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT } : undefined,
      discord: config.DISCORD_TOKEN ? { token: config.DISCORD_TOKEN, apiRoot: config.DISCORD_API_ROOT } : undefined,
      console: roles.has('bot') && !config.TELEGRAM_BOT_TOKEN && !config.DISCORD_TOKEN ? process.stdout : undefined,
    }),
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    runWorkers: roles.has('worker'),
  });
  stops.push(() => workerRole.close());
  if (roles.has('api') && config.ADMIN_TOKEN && workerRole.queues) {
    const queues = workerRole.queues.all;
    mounts.push((app) => mountDashboard(app, { queues, token: config.ADMIN_TOKEN! }));
  }

  const tellBook = createBookAlerts({ delivery: deliveryStore(database.db), outbox: workerRole.outbox });
  if (roles.has('api'))
    mounts.push((app) => mountApi(app, { store, clock: systemClock, logger, renderChart: services.renderChart, tellBook }));
  if (roles.has('api'))
    mounts.push((app) =>
      mountWeb(app, { store, clock: systemClock, logger, defaults: services.defaults, telegramBotToken: config.TELEGRAM_BOT_TOKEN, publicUrl: config.PUBLIC_URL, tellBook }),
    );

  if (roles.has('api') || mounts.length) {
    const app = createHttpApp({ logger, metrics, pingDatabase: database.ping, adminToken: config.ADMIN_TOKEN, mount: (a) => mounts.forEach((m) => m(a)) });
    const server = serve({ fetch: app.fetch, port: config.PORT });
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    logger.info({ port: config.PORT }, 'http listening');
  }

  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => logger.error({ err: String(err) }, 'stop failed'));
    await database.close();
  };
  return consoleDone ? { stop, consoleDone } : { stop };
}

const isEntry = process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]));
if (isEntry) {
  main()
    .then(({ stop, consoleDone }) => {
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        void stop().then(() => process.exit(0));
      };
      process.on('SIGTERM', shutdown);
      process.on('SIGINT', shutdown);
      // Ctrl-D in an interactive terminal ends the session; piped input just runs the commands.
      if (consoleDone && process.stdin.isTTY) void consoleDone.then(shutdown);
    })
    .catch((err) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`Configuration error: ${err.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`COIN failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
