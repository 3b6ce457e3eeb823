import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { BookDefaults, LedgerStore } from '../domain/ports.js';
import type { ChartRenderer } from './presentation/chart-types.js';
import type { RateLimiter } from './rate-limit.js';

/** Everything commands may use, assembled once by the composition root. */
export interface Services {
  store: LedgerStore;
  clock: Clock;
  defaults: BookDefaults;
  logger: Logger;
  renderChart?: ChartRenderer;
  /** Per-chat command rate limit (bot/rate-limit.ts); unset: unlimited (tests, benchmarks). */
  commandLimiter?: RateLimiter;
  /** The public address of the web app (config PUBLIC_URL); `/app` links point there. */
  webAppUrl?: string;
  /** Lifetime of personal API tokens issued by `/token` (config API_TOKEN_TTL_DAYS); default 90. */
  apiTokenTtlDays?: number;
  /**
   * Messages to chats outside a reply (issue 4): the outbound queue (BullMQ with REDIS_URL, else
   * in-process), with retries and platform rate limits. `outbound(platform, chatId, reply)` builds one.
   */
  outbox?: import('../workers/notifier.js').Outbox;
  /**
   * Runs one input in a database transaction with the ledger bound to it, retrying transient
   * database errors (issue 12): the redelivery mark commits with the effect. Unset: no transaction.
   */
  transact?: <T>(work: (store: LedgerStore) => Promise<T>) => Promise<T>;
  /** Reads receipt photos on the worker (issue 18); unset: receipts are not read here. */
  receipts?: ReceiptReader;
}

/** Hands a held receipt photo (its scan id) to the worker; returns once it is queued. */
export interface ReceiptReader {
  read(scanId: number): Promise<void>;
  close(): Promise<void>;
}
