import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { verifyToken, type TokenCheck, type TokenRefusal } from '../../../domain/access/api-tokens.js';
import type { Clock } from '../../../domain/clock.js';
import type { LedgerStore } from '../../../domain/ports.js';
import { createRateLimiter, type RateLimiter, type RateLimitOptions } from '../../../bot/rate-limit.js';
import type { ApiEnv } from './api-env.js';
import { errorJson } from './api-errors.js';

/**
 * One line per request: id, method, path (never the query or headers, which is where secrets
 * would be), status, duration and the token id. The id is returned as `X-Request-Id`.
 */
export function requestLog(logger: Logger): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const started = performance.now();
    const reqId = randomBytes(6).toString('hex');
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

/** `Authorization: Bearer coin_…`, checked against the stored hash on every request. */
export function bearerAuth(store: LedgerStore, clock: Clock): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    const check: TokenCheck = !header
      ? { ok: false, reason: 'missing' }
      : !m
        ? { ok: false, reason: 'malformed' }
        : await verifyToken(store, clock, m[1]);
    if (!check.ok) {
      c.header('WWW-Authenticate', check.reason === 'missing' ? 'Bearer realm="coin"' : 'Bearer realm="coin", error="invalid_token"');
      return errorJson(c, 401, 'unauthorized', REFUSAL_TEXT[check.reason]);
    }
    c.set('token', check.token);
    await next();
  };
}

/**
 * Token bucket per token: 429 with `Retry-After` (whole seconds) when it is empty. Options make a
 * per-process bucket; a limiter (main.ts: shared through Redis) is used as it is.
 */
export function tokenRateLimit(opts: RateLimitOptions | RateLimiter): MiddlewareHandler<ApiEnv> {
  const limiter = 'take' in opts ? opts : createRateLimiter(opts);
  return async (c, next) => {
    const d = await limiter.take(`token:${c.get('token').id}`);
    c.header('RateLimit-Limit', String(limiter.options.capacity));
    c.header('RateLimit-Remaining', String(d.remaining));
    if (!d.allowed) {
      const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
      c.header('Retry-After', String(seconds));
      return errorJson(c, 429, 'rate_limited', `Too many requests; try again in ${seconds} s.`);
    }
    await next();
  };
}

/** Refuses bodies over `maxSize` bytes with 413, before any of it is parsed. */
export const apiBodyLimit = (maxSize: number): MiddlewareHandler<ApiEnv> =>
  bodyLimit({ maxSize, onError: (c) => errorJson(c, 413, 'payload_too_large', `The request body is larger than ${maxSize} bytes.`) });
