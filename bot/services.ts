import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { BookDefaults, LedgerStore } from '../domain/ports.js';

/** Renders a chart spec to PNG; in-process or through the `charts` queue. */
export type ChartRenderer = (spec: import('../workers/charts/chart-spec.js').ChartSpec) => Promise<Buffer | undefined>;

/** Everything commands may use, assembled once in main.ts. */
export interface Services {
  store: LedgerStore;
  clock: Clock;
  defaults: BookDefaults;
  logger: Logger;
  renderChart?: ChartRenderer;
  /** Extra replies after a record (budget alerts). */
  afterRecord?: (ctx: import('./registry.js').CommandContext, rec: import('../domain/ports.js').Recorded) => Promise<import('./reply.js').Reply[]>;
  /** Per-chat command rate limit (bot/rate-limit.ts); unset: unlimited (tests, benchmarks). */
  commandLimiter?: import('./rate-limit.js').RateLimiter;
  /** The public address of the web app (config PUBLIC_URL); `/app` links point there. */
  webAppUrl?: string;
  /** Lifetime of personal API tokens issued by `/token` (config API_TOKEN_TTL_DAYS); default 90. */
  apiTokenTtlDays?: number;
  /**
   * Messages to chats outside a reply (issue 4): the outbound queue (BullMQ with REDIS_URL, else
   * in-process), with retries and platform rate limits. `outbound(platform, chatId, reply)` builds one.
   */
  outbox?: import('../workers/notifier.js').Outbox;
}
