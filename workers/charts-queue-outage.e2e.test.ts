import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../test/redis-server.js';
import { createChartsQueueClient, startChartsWorker, type ChartsClient } from './charts-queue.js';
import { CHART_SIZE } from './charts/chart-theme.js';
import { renderChart } from './charts/render-chart.js';
import { SAMPLE_SPECS } from '../test/chart-samples.js';
import { uniquePrefix } from '../test/worker-kit.js';

/** Port of this file's own redis-server (c12out's fault-test range 6390–6399). */
const PORT = 6390;
const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

describe('charts queue with Redis down (a redis-server of its own, stopped)', () => {
  let redis: RedisServer;
  let client: ChartsClient;
  let worker: { close(): Promise<void> } | undefined;
  const drawnHere: string[] = [];

  beforeAll(async () => {
    redis = await startRedisServer(PORT);
    const prefix = uniquePrefix('charts');
    worker = startChartsWorker({ redisUrl: redis.url, prefix });
    client = createChartsQueueClient({
      redisUrl: redis.url,
      prefix,
      timeoutMs: 20_000,
      fallback: async (spec) => {
        drawnHere.push(spec.kind);
        return renderChart(spec);
      },
    });
  });
  afterAll(async () => {
    await client?.close();
    await worker?.close();
    await redis?.stop();
  });

  it('GIVEN Redis up THEN the worker draws; GIVEN Redis stopped THEN the chart is drawn in-process at once, not after the worker timeout; back THEN the worker draws again', async () => {
    expect(pngSize((await client.render(SAMPLE_SPECS.pie))!)).toEqual(CHART_SIZE);
    expect(drawnHere).toEqual([]);

    await redis.stop();
    const t0 = Date.now();
    const png = await client.render(SAMPLE_SPECS.bars);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(pngSize(png!)).toEqual(CHART_SIZE);
    expect(drawnHere).toEqual(['bars']);

    await redis.start();
    await expect.poll(async () => {
      drawnHere.length = 0;
      await client.render(SAMPLE_SPECS.members);
      return drawnHere.length;
    }, { timeout: 15_000, interval: 500 }).toBe(0);
  }, 40_000);
});
