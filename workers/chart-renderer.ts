import type { Logger } from 'pino';
import type { ChartsClient } from './charts-queue.js';

/**
 * The chart renderer for `Services.renderChart`: through the `charts` queue when Redis is
 * configured (the worker role renders), in-process otherwise. The chart libraries (and BullMQ)
 * load on first use, not at start-up.
 */
export async function createChartRenderer(opts: { redisUrl?: string | undefined; timeoutMs?: number; logger?: Logger; prefix?: string }): Promise<ChartsClient> {
  if (!opts.redisUrl) {
    let lib: Promise<typeof import('./charts/render-chart.js')> | undefined;
    return { render: async (spec) => (await (lib ??= import('./charts/render-chart.js'))).renderChart(spec), close: async () => {} };
  }
  const { createChartsQueueClient } = await import('./charts-queue.js');
  return createChartsQueueClient({
    redisUrl: opts.redisUrl,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
  });
}
