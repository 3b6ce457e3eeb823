import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { ApiEntry, ApiToken } from '../../../domain/access/ports.js';
import type { Clock } from '../../../domain/clock.js';
import type { LedgerStore } from '../../../domain/ports.js';
import type { BudgetAlert } from '../../../domain/statistics/budget-alerts.js';
import type { Book } from '../../../domain/types.js';
import type { RateLimiter, RateLimitOptions } from '../../../bot/rate-limit.js';
import type { ChartRenderer } from '../../../bot/presentation/chart-types.js';

/** What the API needs; the composition root passes the same store and clock the bots use. */
export interface ApiDeps {
  store: LedgerStore;
  clock: Clock;
  logger: Logger;
  /**
   * Per-token limit; default {@link API_RATE_LIMIT} per process. A limiter (main.ts: shared by
   * the replicas through Redis) is used as it is; `false` turns it off (benchmarks).
   */
  rateLimit?: RateLimitOptions | RateLimiter | false;
  /** Largest accepted request body in bytes; default {@link API_BODY_LIMIT}. */
  bodyLimitBytes?: number;
  /** Chart PNGs (the same renderer the bots use). */
  renderChart?: ChartRenderer;
  /**
   * Runs `work` in one transaction (the composition root passes the chat path's). A CSV import
   * runs in it, so the accounts a file names are created only with its rows: a file refused at
   * the write (a balance beyond its bound) leaves no account behind. Without it (benchmarks) each
   * step commits on its own.
   */
  transact?: <T>(work: (store: LedgerStore) => Promise<T>) => Promise<T>;
  /** Delivers the budget alerts of an API record to the book's chats (the outbound queue). */
  tellBook?: (book: Book, alerts: BudgetAlert[]) => Promise<void>;
}

/**
 * Per token, counted in events (a request that records none costs one): a burst of 2,000 — two
 * full batches — then 200 a second, so 100,000 records take about eight minutes.
 */
export const API_RATE_LIMIT: RateLimitOptions = { capacity: 2_000, refillPerSecond: 200 };
/** Refused tokens per client address: 10 at once, then one a second (issue 13 item 14). */
export const API_AUTH_FAILURE_LIMIT: RateLimitOptions = { capacity: 10, refillPerSecond: 1 };
/** 64 KiB: the largest legitimate body (one event) is well under 2 KiB. */
export const API_BODY_LIMIT = 64 * 1024;
/** A batch body: 1,000 events of well under 2 KiB each. */
export const API_BATCH_BODY_LIMIT = 2 * 1024 * 1024;

export interface ApiVariables {
  /** The authenticated token (never the secret itself). */
  token: ApiToken;
  requestId: string;
  /** The membership of the book the path names, read with the token (absent: not a member). */
  entry?: { bookId: number; snapshot: boolean; member: ApiEntry['member'] };
  /** Batch requests: spends the batch's events from the token's bucket (absent: no limit). */
  spendEvents?: (cost: number) => Promise<Response | undefined>;
}

export type ApiEnv = { Variables: ApiVariables };
export type ApiApp = OpenAPIHono<ApiEnv>;
