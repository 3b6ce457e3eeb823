/** How fast a key may act: a burst of `capacity`, then `refillPerSecond` on average. */
export interface RateLimitOptions {
  capacity: number;
  refillPerSecond: number;
  /** Milliseconds clock; tests move it by hand. */
  now?: () => number;
  /** Buckets kept at most; the least recently used go first (they are usually full anyway). */
  maxKeys?: number;
}

export interface RateDecision {
  allowed: boolean;
  /** When refused: milliseconds until one more action is allowed. */
  retryAfterMs: number;
  /** Whole actions left right now (after this one, when allowed). */
  remaining: number;
  /**
   * True for the first refusal since the key was last allowed: chats answer that one with
   * "slow down" and stay silent for the rest, so a flood does not become a reply flood.
   */
  firstRefusal: boolean;
}

export interface RateLimiter {
  /**
   * Spends `cost` actions of `key` (default one) if it has them all — none when it has not (a
   * promise when the bucket is shared, `shared-rate-limit.ts`). The API spends one per event.
   * `sentAt` (ms): when the person acted, if earlier than now (a chat message applied late, after
   * an outage): the bucket refills up to that moment only, so the limit measures the pace at
   * which messages were sent, not the pace at which a backlog is applied.
   */
  take(key: string, cost?: number, sentAt?: number): RateDecision | Promise<RateDecision>;
  readonly options: Readonly<Required<Omit<RateLimitOptions, 'now'>>>;
}

interface Bucket {
  tokens: number;
  at: number;
  refused: boolean;
}

/** The per-process limiter answers at once. */
export interface LocalRateLimiter extends RateLimiter {
  take(key: string, cost?: number, sentAt?: number): RateDecision;
}

/**
 * An in-memory token bucket per key (a chat, an API token): one process's own limit. With
 * several replicas and REDIS_URL set, main.ts shares the buckets through Redis instead
 * (`shared-rate-limit.ts`), which falls back to this one when Redis does not answer.
 */
export function createRateLimiter(opts: RateLimitOptions): LocalRateLimiter {
  if (!(opts.capacity >= 1) || !(opts.refillPerSecond > 0)) throw new Error('rate limit needs capacity >= 1 and refillPerSecond > 0');
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 10_000;
  const buckets = new Map<string, Bucket>();
  const perMs = opts.refillPerSecond / 1000;

  return {
    options: { capacity: opts.capacity, refillPerSecond: opts.refillPerSecond, maxKeys },
    take(key: string, cost = 1, sentAt?: number): RateDecision {
      const t = sentAt !== undefined && Number.isFinite(sentAt) ? Math.min(now(), sentAt) : now();
      let b = buckets.get(key);
      if (b) {
        b.tokens = Math.min(opts.capacity, b.tokens + Math.max(0, t - b.at) * perMs);
        b.at = Math.max(b.at, t);
        // Re-inserting keeps the map in least-recently-used order for eviction.
        buckets.delete(key);
      } else {
        b = { tokens: opts.capacity, at: t, refused: false };
      }
      buckets.set(key, b);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      if (b.tokens >= cost) {
        b.tokens -= cost;
        b.refused = false;
        return { allowed: true, retryAfterMs: 0, remaining: Math.floor(b.tokens), firstRefusal: false };
      }
      const firstRefusal = !b.refused;
      b.refused = true;
      return { allowed: false, retryAfterMs: Math.ceil((cost - b.tokens) / perMs), remaining: Math.floor(b.tokens), firstRefusal };
    },
  };
}

/** The bots' default: a burst of 20 commands per chat, then one a second. */
export const CHAT_COMMAND_LIMIT: RateLimitOptions = { capacity: 20, refillPerSecond: 1 };
