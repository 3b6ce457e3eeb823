import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createChartRenderer } from './chart-renderer.js';
import { CHARTS_QUEUE, createChartsQueueClient, redisOptions, startChartsWorker } from './charts-queue.js';
import { CHART_SIZE } from './charts/chart-theme.js';
import { SAMPLE_SPECS } from '../test/chart-samples.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** PNG width and height from the IHDR chunk. */
const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

describe('charts queue (BullMQ on real Redis)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  const prefix = () => {
    const p = `coin-test-${randomBytes(4).toString('hex')}`;
    cleanups.push(async () => {
      const q = new Queue(CHARTS_QUEUE, { connection: redisOptions(REDIS_URL), prefix: p });
      await q.obliterate({ force: true });
      await q.close();
    });
    return p;
  };
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('GIVEN a worker THEN the bot gets the PNG it rendered', async () => {
    const p = prefix();
    const worker = startChartsWorker({ redisUrl: REDIS_URL, prefix: p });
    const client = createChartsQueueClient({ redisUrl: REDIS_URL, prefix: p, timeoutMs: 15000 });
    cleanups.unshift(async () => {
      await client.close();
      await worker.close();
    });
    const png = await client.render(SAMPLE_SPECS.pie);
    expect(png?.subarray(1, 4).toString()).toBe('PNG');
    expect(pngSize(png!)).toEqual(CHART_SIZE);
  });

  it('GIVEN no worker THEN render gives up after the timeout and the waiting job is removed', async () => {
    const p = prefix();
    const client = createChartsQueueClient({ redisUrl: REDIS_URL, prefix: p, timeoutMs: 300 });
    cleanups.unshift(() => client.close());
    const started = Date.now();
    expect(await client.render(SAMPLE_SPECS.bars)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3000);
    const q = new Queue(CHARTS_QUEUE, { connection: redisOptions(REDIS_URL), prefix: p });
    await expect.poll(() => q.getJobCounts('waiting').then((c) => c.waiting)).toBe(0);
    await q.close();
  });

  it('GIVEN a worker whose render fails THEN render resolves undefined (the bot answers with text)', async () => {
    const p = prefix();
    const worker = startChartsWorker({
      redisUrl: REDIS_URL,
      prefix: p,
      render: async () => {
        throw new Error('no fonts');
      },
    });
    const client = createChartsQueueClient({ redisUrl: REDIS_URL, prefix: p, timeoutMs: 15000 });
    cleanups.unshift(async () => {
      await client.close();
      await worker.close();
    });
    expect(await client.render(SAMPLE_SPECS.members)).toBeUndefined();
  });

  it('GIVEN no REDIS_URL THEN charts render in-process', async () => {
    const renderer = await createChartRenderer({});
    const png = await renderer.render(SAMPLE_SPECS.balance);
    expect(pngSize(png!)).toEqual(CHART_SIZE);
    await renderer.close();
  });
});
