import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { enterWithToken, hashToken, type TokenEntry, type TokenRefusal } from '../../../domain/access/api-tokens.js';
import type { TokenStore } from '../../../domain/access/ports.js';
import { freshShare } from '../../../domain/fresh-share.js';
import { TtlCache } from '../../../bot/ttl-cache.js';
import type { Clock } from '../../../domain/clock.js';
import type { LedgerStore } from '../../../domain/ports.js';
import { createRateLimiter, type RateLimiter, type RateLimitOptions } from '../../../bot/rate-limit.js';
import type { ApiEnv } from './api-env.js';
import { errorJson } from './api-errors.js';

let idPool = Buffer.alloc(0);
let idAt = 0;
/** 12 random hex characters, cut from a pool refilled every 1,024 requests (one syscall each). */
function requestId(): string {
  if (idAt + 6 > idPool.length) {
    idPool = randomBytes(6 * 1024);
    idAt = 0;
  }
  idAt += 6;
  return idPool.toString('hex', idAt - 6, idAt);
}

/**
 * One line per request: id, method, path (never the query or headers, which is where secrets
 * would be), status, duration and the token id. The id is returned as `X-Request-Id`.
 */
export function requestLog(logger: Logger): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const started = performance.now();
    const reqId = requestId();
    c.set('requestId', reqId);
    c.header('X-Request-Id', reqId);
    // API answers are per user and may hold balances: never cached by browsers or proxies.
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    await next();
    const token = c.get('token');
    const line = {
      reqId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      tokenId: token?.id,
      userId: token?.userId,
    };
    if (c.res.status >= 500) logger.error(line, 'api request');
    else logger.info(line, 'api request');
  };
}

const REFUSAL_TEXT: Record<TokenRefusal, string> = {
  missing: 'Send a personal token as "Authorization: Bearer <token>". Create one with /token in a private chat with the bot.',
  malformed: 'This is not a valid token.',
  unknown: 'This is not a valid token.',
  expired: 'This token has expired. Create a new one with /token.',
  revoked: 'This token was revoked. Create a new one with /token.',
};

/** The peer address of a request (the socket's, never a header a client can write). */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // In-process requests (`app.request` in tests) have no socket.
    return 'unknown';
  }
}

/** `/books/{id}/…` in a request path: the book the request is about (ids past int4 are left to the route's 400). */
const BOOK_IN_PATH = /\/books\/(\d{1,10})(?:\/|$)/;
/** Requests that record read the book's accounts in the same statement as the token. */
const RECORDS = /\/books\/\d+\/events(?:\/batch)?\/?$/;

/** The book a request names and whether it records (then the book's accounts come along). */
export function bookOfRequest(method: string, path: string): { id: number; snapshot: boolean } | undefined {
  const m = BOOK_IN_PATH.exec(path);
  const id = m ? Number(m[1]) : NaN;
  if (!(id >= 1 && id <= 2_147_483_647)) return undefined;
  return { id, snapshot: method === 'POST' && RECORDS.test(path) };
}

/**
 * `Authorization: Bearer coin_…`, checked against the stored hash on every request, in the same
 * statement that reads the user's membership of the book the path names (see `enterWithToken`). With
 * `failures`, refused tokens are counted per client address: once its bucket is empty the address
 * gets 429 before any token is looked up, so guessing tokens costs the database nothing.
 */
export function bearerAuth(store: LedgerStore, clock: Clock, failures?: RateLimitOptions): MiddlewareHandler<ApiEnv> {
  const limiter = failures ? createRateLimiter(failures) : undefined;
  const now = failures?.now ?? Date.now;
  /** Address → until when it is refused (bounded like the limiter's buckets). */
  const blocked = new Map<string, number>();
  /**
   * Tokens that passed recently (their hashes): behind a shared address (a proxy, an office) one
   * client guessing tokens must not lock out the others who are already using theirs.
   */
  const recent = new TtlCache<true>(15 * 60_000, 10_000, now);
  // Requests with one token on one book that arrive while its lookup is in flight share the next
  // lookup (begun after they arrived): a client with 50 connections costs PostgreSQL two entry
  // statements at a time, not fifty, and a token revoked before a request still refuses it.
  const tokens: Pick<TokenStore, 'enterApi'> = {
    enterApi: freshShare(
      (hash: string, at: Date, book?: { id: number; snapshot: boolean }) => store.enterApi(hash, at, book),
      (hash, _at, book) => `${hash}:${book?.id ?? ''}:${book?.snapshot ? 1 : 0}`,
    ),
  };
  return async (c, next) => {
    const ip = limiter ? clientAddress(c) : '';
    const until = blocked.get(ip);
    const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (until !== undefined && !(presented && recent.get(hashToken(presented)))) {
      if (until > now()) {
        const seconds = Math.max(1, Math.ceil((until - now()) / 1000));
        c.header('Retry-After', String(seconds));
        return errorJson(c, 429, 'rate_limited', `Too many invalid tokens; try again in ${seconds} s.`);
      }
      blocked.delete(ip);
    }
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    const book = m ? bookOfRequest(c.req.method, c.req.path) : undefined;
    const check: TokenEntry = !header
      ? { ok: false, reason: 'missing' }
      : !m
        ? { ok: false, reason: 'malformed' }
        : await enterWithToken(tokens, clock, m[1], book);
    if (!check.ok) {
      if (limiter && check.reason !== 'missing') {
        const d = limiter.take(`auth:${ip}`);
        if (!d.allowed) {
          blocked.set(ip, now() + d.retryAfterMs);
          if (blocked.size > 10_000) blocked.delete(blocked.keys().next().value!);
        }
      }
      c.header('WWW-Authenticate', check.reason === 'missing' ? 'Bearer realm="coin"' : 'Bearer realm="coin", error="invalid_token"');
      return errorJson(c, 401, 'unauthorized', REFUSAL_TEXT[check.reason]);
    }
    if (limiter && m) recent.set(hashToken(m[1]!), true);
    c.set('token', check.token);
    if (book) c.set('entry', { bookId: book.id, snapshot: book.snapshot, member: check.member });
    await next();
  };
}

/** Spends `cost` events of the request's token; a refusal is the 429 response to return. */
export type SpendEvents = (cost: number) => Promise<Response | undefined>;

/** A batch (`POST …/events/batch`) spends its events itself once it has counted them. */
const BATCH = /\/books\/\d+\/events\/batch\/?$/;

/**
 * Token bucket per token, counted in events: a request costs the events it records — a batch of
 * 500 costs 500 — and any other request costs one. 429 with `Retry-After` (whole seconds) when the
 * bucket holds fewer than the cost; nothing is spent then. Every answer carries `RateLimit-Limit`
 * (the bucket), `RateLimit-Remaining` (events left) and `RateLimit-Reset` (seconds until full).
 * Options make a per-process bucket; a limiter (main.ts: shared through Redis) is used as it is.
 */
export function tokenRateLimit(opts: RateLimitOptions | RateLimiter): MiddlewareHandler<ApiEnv> {
  const limiter = 'take' in opts ? opts : createRateLimiter(opts);
  const { capacity, refillPerSecond } = limiter.options;
  return async (c, next) => {
    const spend: SpendEvents = async (cost) => {
      if (cost > capacity)
        return errorJson(c, 413, 'batch_too_large', `This request records ${cost} events, more than this server's per-token burst of ${capacity}: send at most ${capacity} per request.`, {
          max: capacity,
          got: cost,
        });
      const d = await limiter.take(`token:${c.get('token').id}`, cost);
      c.header('RateLimit-Limit', String(capacity));
      c.header('RateLimit-Remaining', String(d.remaining));
      c.header('RateLimit-Reset', String(Math.ceil((capacity - d.remaining) / refillPerSecond)));
      if (d.allowed) return undefined;
      const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
      c.header('Retry-After', String(seconds));
      return cost > 1
        ? errorJson(c, 429, 'rate_limited', `This request records ${cost} events and ${d.remaining} are left; try again in ${seconds} s.`, {
            cost,
            remaining: d.remaining,
          })
        : errorJson(c, 429, 'rate_limited', `Too many requests; try again in ${seconds} s.`);
    };
    if (c.req.method === 'POST' && BATCH.test(c.req.path)) {
      c.set('spendEvents', spend);
      return next();
    }
    const refused = await spend(1);
    if (refused) return refused;
    await next();
  };
}

/**
 * Refuses bodies over `maxSize` bytes with 413, before any of it is parsed. A body announced by
 * Content-Length is judged by that header alone (as hono's `bodyLimit` does), without touching
 * `c.req.raw.body`: on @hono/node-server that getter builds a whole WHATWG Request per request
 * (a tenth of a record's CPU), while the route's own `c.req.json()` reads the socket directly.
 * Chunked bodies are counted by hono's `bodyLimit` as they stream.
 */
export function apiBodyLimit(maxSize: number): MiddlewareHandler<ApiEnv> {
  const onError = (c: Context) => errorJson(c, 413, 'payload_too_large', `The request body is larger than ${maxSize} bytes.`);
  const streamed = bodyLimit({ maxSize, onError });
  return (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return parseInt(length, 10) > maxSize ? Promise.resolve(onError(c)) : next();
    }
    return streamed(c, next);
  };
}
