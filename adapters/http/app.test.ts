import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../app/metrics.js';
import { createHttpApp } from './app.js';

describe('HTTP basics', () => {
  const logger = pino({ level: 'silent' });

  it('GIVEN the database answers THEN /health is 200, and 503 when it does not', async () => {
    const up = createHttpApp({ logger, metrics: createMetrics(), pingDatabase: async () => {} });
    expect((await up.request('/health')).status).toBe(200);
    const down = createHttpApp({
      logger,
      metrics: createMetrics(),
      pingDatabase: async () => {
        throw new Error('connection refused');
      },
    });
    const res = await down.request('/health');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'error', database: 'unreachable' });
  });

  it('GIVEN the database is down THEN /health/live stays 200 while /health/ready is 503', async () => {
    const app = createHttpApp({
      logger,
      metrics: createMetrics(),
      pingDatabase: async () => {
        throw new Error('connection refused');
      },
    });
    expect((await app.request('/health/live')).status).toBe(200);
    const ready = await app.request('/health/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'error', database: 'unreachable' });
  });

  it('GIVEN the process is draining THEN /health/ready is 503 while /health/live and /health stay 200', async () => {
    let draining = false;
    const app = createHttpApp({ logger, metrics: createMetrics(), pingDatabase: async () => {}, draining: () => draining });
    expect((await app.request('/health/ready')).status).toBe(200);
    draining = true;
    const res = await app.request('/health/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'draining' });
    expect((await app.request('/health/live')).status).toBe(200);
    expect((await app.request('/health')).status).toBe(200);
  });

  it('GIVEN counted updates THEN /metrics exposes them in Prometheus format', async () => {
    const metrics = createMetrics();
    metrics.updates.inc({ platform: 'telegram', outcome: 'ok' }, 3);
    const res = await createHttpApp({ logger, metrics, pingDatabase: async () => {} }).request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toContain('coin_updates_total{platform="telegram",outcome="ok"} 3');
  });

  it('GIVEN an admin token THEN /metrics needs it, as Bearer or as the Basic password', async () => {
    const token = 'metrics-admin-token-0001';
    const app = createHttpApp({ logger, metrics: createMetrics(), pingDatabase: async () => {}, adminToken: token });
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: 'Bearer wrong-token-000000' } })).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const basic = Buffer.from(`prometheus:${token}`).toString('base64');
    expect((await app.request('/metrics', { headers: { authorization: `Basic ${basic}` } })).status).toBe(200);
    // Health stays open for load balancers and orchestrators.
    expect((await app.request('/health')).status).toBe(200);
  });

  it('GIVEN an unknown path THEN 404 JSON', async () => {
    const res = await createHttpApp({ logger, metrics: createMetrics(), pingDatabase: async () => {} }).request('/nope');
    expect(res.status).toBe(404);
  });
});
