import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.js';
import type { BookDefaults, LedgerStore } from '../../domain/ports.js';
import type { BudgetAlert } from '../../domain/statistics/budget-alerts.js';
import type { Book } from '../../domain/types.js';
import type { WebSession } from '../../domain/access/web-access.js';
import type { RateLimitOptions } from '../../bot/rate-limit.js';

/** What the web app needs; the composition root passes the same store and clock the bots use. */
export interface WebDeps {
  store: LedgerStore;
  clock: Clock;
  logger: Logger;
  defaults: BookDefaults;
  /** Verifies Telegram Mini App initData; without it only sign-in links work. */
  telegramBotToken?: string | undefined;
  /** The public address (`https://coin.example.org`); an https one makes cookies `Secure`. */
  publicUrl?: string | undefined;
  /** Budget alerts a record made on the web triggered, to the book's chats (the API's hook). */
  tellBook?: ((book: Book, alerts: BudgetAlert[]) => Promise<void>) | undefined;
  /** Sign-in attempts per client address; default {@link SIGN_IN_LIMIT}; `false` turns it off. */
  signInLimit?: RateLimitOptions | false;
}

/** 10 sign-in attempts at once per address, then one every 6 seconds. */
export const SIGN_IN_LIMIT: RateLimitOptions = { capacity: 10, refillPerSecond: 1 / 6 };

export interface WebVariables {
  session: WebSession;
  /** The CSRF token of this session, put into every form. */
  csrf: string;
}

export type WebEnv = { Variables: WebVariables };

export const WEB_PREFIX = '/app';
