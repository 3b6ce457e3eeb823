import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { mountDashboard } from './dashboard.js';
import { openQueues, redisConnection, type BullQueues } from './queues.js';
import { TEST_REDIS_URL, dropPrefix, uniquePrefix } from '../test/worker-kit.js';

const TOKEN = 'admin-token-0123456789abcdef';

describe('BullMQ dashboard behind the admin token', () => {
  const prefix = uniquePrefix('board');
  let connection: Redis;
  let queues: BullQueues;
  let app: Hono;

  beforeAll(async () => {
    connection = redisConnection(TEST_REDIS_URL);
    queues = openQueues(connection, prefix);
    await queues.templates.add('sweep', {}, { delay: 60_000 });
    app = new Hono();
    mountDashboard(app, { queues: queues.all, token: TOKEN });
  });
  afterAll(async () => {
    await queues?.close();
    connection?.disconnect();
    await dropPrefix(prefix);
  });

  it('GIVEN no token or a wrong one THEN the dashboard and its API answer 401 and ask for credentials', async () => {
    const none = await app.request('/admin/queues');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Basic');
    expect((await app.request('/admin/queues/api/queues', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const wrongBasic = `Basic ${Buffer.from('admin:nope').toString('base64')}`;
    expect((await app.request('/admin/queues', { headers: { authorization: wrongBasic } })).status).toBe(401);
  });

  it('GIVEN the token (Bearer or as the Basic password) THEN the page and the queues API answer', async () => {
    const page = await app.request('/admin/queues', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const script = /src="(static\/js\/main\.[^"]+)"/.exec(await page.text())![1];
    expect((await app.request(`/admin/queues/${script}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await app.request(`/admin/queues/${script}`)).status).toBe(401);
    const basic = `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`;
    const api = await app.request('/admin/queues/api/queues', { headers: { authorization: basic } });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string; counts: Record<string, number> }[] };
    const names = body.queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['templates', 'outbound-telegram', 'outbound-discord', 'outbound-console']));
    expect(body.queues.find((q) => q.name === 'templates')!.counts.delayed).toBe(1);
  });
});
