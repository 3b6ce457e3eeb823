import { Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../app/metrics.js';
import { createHttpApp } from './app.js';

/** Readiness with a real Redis (the unit tests of app.ts ask no server). */
describe('readiness with Redis configured', () => {
  const logger = pino({ level: 'silent' });

  it('GIVEN Redis is configured THEN readiness asks the real Redis, and fails when it is unreachable', async () => {
    const up = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 0 });
    // Port 6409 is in this suite's range and nothing listens there.
    const down = new Redis('redis://127.0.0.1:6409', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    down.on('error', () => {});
    try {
      const ping = (r: Redis) => async () => void (await r.ping());
      const good = createHttpApp({ logger, metrics: createMetrics(), pingDatabase: async () => {}, pingRedis: ping(up) });
      const res = await good.request('/health/ready');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', database: 'ok', redis: 'ok' });
      const bad = createHttpApp({ logger, metrics: createMetrics(), pingDatabase: async () => {}, pingRedis: ping(down) });
      const res2 = await bad.request('/health/ready');
      expect(res2.status).toBe(503);
      expect(await res2.json()).toEqual({ status: 'error', database: 'ok', redis: 'unreachable' });
    } finally {
      up.disconnect();
      down.disconnect();
    }
  });
});
