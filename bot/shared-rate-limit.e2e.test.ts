import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedRateLimiter } from './shared-rate-limit.js';

const logger = pino({ level: 'silent' });
const up = new Redis('redis://127.0.0.1:6379', { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
beforeAll(async () => {
  if (up.status !== 'ready') await new Promise((resolve) => up.once('ready', resolve));
});
afterAll(() => up.disconnect());

describe('rate limits shared through Redis', () => {
  it('GIVEN two replicas (two limiters on one Redis) THEN together they allow one burst, not two', async () => {
    const prefix = `t-${randomBytes(4).toString('hex')}`;
    const opts = { capacity: 10, refillPerSecond: 0.001, redis: up, prefix, name: 'chat', logger, timeoutMs: 2_000 };
    const a = createSharedRateLimiter(opts);
    const b = createSharedRateLimiter(opts);
    const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).take('telegram:1')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    // One "slow down" per flood, whichever replica refused first.
    expect(decisions.filter((d) => d.firstRefusal)).toHaveLength(1);
    const refused = decisions.find((d) => !d.allowed)!;
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    // Other keys have buckets of their own.
    expect((await a.take('telegram:2')).allowed).toBe(true);
  });

  it('GIVEN a backlog applied at once THEN the shared bucket refills by when each was sent, not by when it is applied', async () => {
    const prefix = `t-${randomBytes(4).toString('hex')}`;
    const limiter = createSharedRateLimiter({ capacity: 3, refillPerSecond: 1, redis: up, prefix, name: 'chat', logger, timeoutMs: 2_000 });
    const sent = Date.now() - 60_000;
    const paced = [];
    for (let i = 0; i < 8; i++) paced.push((await limiter.take('telegram:1', 1, sent + i * 1000)).allowed);
    expect(paced).toEqual(Array(8).fill(true));
    const flood = [];
    for (let i = 0; i < 8; i++) flood.push((await limiter.take('telegram:2', 1, sent)).allowed);
    expect(flood.filter(Boolean)).toHaveLength(3);
  });

  it('GIVEN Redis does not answer THEN the decision comes from the process at once (fail open, per-replica limit)', async () => {
    const down = new Redis('redis://127.0.0.1:6409', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => {});
    const limiter = createSharedRateLimiter({ capacity: 3, refillPerSecond: 0.001, redis: down, prefix: 'x', name: 'api', logger, timeoutMs: 50 });
    const started = performance.now();
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter.take('token:1'));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    down.disconnect();
  });
});
