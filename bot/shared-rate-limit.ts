import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRateLimiter, type RateDecision, type RateLimiter, type RateLimitOptions } from './rate-limit.js';

/**
 * The token bucket of `bot/rate-limit.ts`, kept in Redis so every replica spends from the same
 * bucket: with N replicas a chat or an API token still gets one burst, not N. Redis's own clock
 * (`TIME`) refills it, so replicas whose clocks differ agree.
 * KEYS[1] the bucket; ARGV capacity, refill per second, idle expiry (ms), cost (actions to spend),
 * and optionally when the action was sent (ms; refills only up to then when that is earlier).
 * Returns {allowed 0/1, retry-after ms, remaining, first refusal 0/1}.
 */
const TAKE = `
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2]) / 1000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local sent = tonumber(ARGV[5])
if sent and sent < now then now = sent end
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'refused')
local tokens = tonumber(b[1]) or capacity
local at = tonumber(b[2]) or now
local refused = b[3] == '1'
local cost = tonumber(ARGV[4]) or 1
tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs)
local allowed, retry, first = 0, 0, 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
  refused = false
else
  retry = math.ceil((cost - tokens) / perMs)
  if not refused then first = 1 end
  refused = true
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', math.max(at, now), 'refused', refused and '1' or '0')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {allowed, retry, math.floor(tokens), first}
`;

export interface SharedRateLimitOptions extends RateLimitOptions {
  redis: Redis;
  /** Key prefix (QUEUE_PREFIX) and the limit's name: `<prefix>:rl:<name>:<key>`. */
  prefix: string;
  name: string;
  logger: Logger;
  /**
   * The longest a request waits on Redis (default 50 ms). Past it, or when Redis is down, the
   * decision falls back to this process's own bucket: a Redis outage loosens the limit to per
   * replica, it never stalls or refuses a request.
   */
  timeoutMs?: number;
}

/** A rate limiter shared by every process through Redis, failing open to a per-process bucket. */
export function createSharedRateLimiter(opts: SharedRateLimitOptions): RateLimiter {
  const local = createRateLimiter(opts);
  const timeoutMs = opts.timeoutMs ?? 50;
  // A full bucket refills in capacity / rate seconds; an idle bucket older than that is full anyway.
  const idleMs = String(Math.ceil((opts.capacity / opts.refillPerSecond) * 1000) + 1000);
  const rate = String(opts.refillPerSecond);
  const capacity = String(opts.capacity);
  let warnedAt = 0;
  // EVALSHA with the script loaded once per connection (ioredis falls back to EVAL on NOSCRIPT).
  opts.redis.defineCommand('coinTakeToken', { numberOfKeys: 1, lua: TAKE });
  const take = (opts.redis as unknown as Record<string, (...a: string[]) => Promise<unknown>>).coinTakeToken!.bind(opts.redis);

  const viaRedis = (key: string, cost: number, sentAt: number | undefined): Promise<RateDecision> =>
    new Promise<RateDecision>((resolve, reject) => {
      // When the timer fires, the answer may already wait in the socket behind a busy event loop
      // (timers run before I/O in a loop turn): give I/O that turn before giving up on Redis.
      const timer = setTimeout(() => setImmediate(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`))), timeoutMs);
      take(`${opts.prefix}:rl:${opts.name}:${key}`, capacity, rate, idleMs, String(cost), ...(sentAt !== undefined && Number.isFinite(sentAt) ? [String(Math.floor(sentAt))] : []))
        .then((r) => {
          const [allowed, retryAfterMs, remaining, first] = r as number[];
          resolve({ allowed: allowed === 1, retryAfterMs: retryAfterMs!, remaining: remaining!, firstRefusal: first === 1 });
        }, reject)
        .finally(() => clearTimeout(timer));
    });

  return {
    options: local.options,
    async take(key: string, cost = 1, sentAt?: number): Promise<RateDecision> {
      try {
        return await viaRedis(key, cost, sentAt);
      } catch (err) {
        if (Date.now() - warnedAt > 30_000) {
          warnedAt = Date.now();
          opts.logger.warn({ err: String(err), limit: opts.name }, 'shared rate limit unavailable; limiting per process');
        }
        return local.take(key, cost, sentAt);
      }
    },
  };
}
