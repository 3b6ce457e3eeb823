import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { ChartRenderer, ChartSpec } from '../bot/presentation/chart-types.js';
import { renderChart } from './charts/render-chart.js';

/** The BullMQ queue that renders chart images for the bot. */
export const CHARTS_QUEUE = 'charts';

/** How long the bot waits for a picture before it answers with text only. */
export const DEFAULT_CHART_TIMEOUT_MS = 8000;

export interface ChartsQueueOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…`. */
  redisUrl: string;
  /** BullMQ key prefix; tests use a unique one per test. */
  prefix?: string;
  logger?: Logger;
}

/** ioredis options from a URL; BullMQ needs `maxRetriesPerRequest: null` for blocking commands. */
export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  const opts: RedisOptions = {
    host: u.hostname,
    port: Number(u.port || 6379),
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
  if (u.username) opts.username = decodeURIComponent(u.username);
  if (u.password) opts.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') opts.tls = {};
  return opts;
}

const queueOpts = (o: ChartsQueueOptions) => ({ connection: redisOptions(o.redisUrl), ...(o.prefix ? { prefix: o.prefix } : {}) });

/** A chart renderer plus what it holds open. */
export interface ChartsClient {
  render: ChartRenderer;
  close(): Promise<void>;
}

/**
 * The bot side of the `charts` queue: `render` adds a job with the spec and waits for the
 * worker's PNG (`job.waitUntilFinished`). When Redis or the worker does not answer within
 * `timeoutMs` it resolves undefined, so the reply goes out as text; a job still waiting is
 * removed so a late worker does not draw for nobody.
 */
export function createChartsQueueClient(opts: ChartsQueueOptions & { timeoutMs?: number }): ChartsClient {
  const queue = new Queue<ChartSpec, string>(CHARTS_QUEUE, queueOpts(opts));
  const events = new QueueEvents(CHARTS_QUEUE, queueOpts(opts));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CHART_TIMEOUT_MS;
  // Without a listener an 'error' event (Redis down) would crash the process.
  queue.on('error', (err) => opts.logger?.warn({ err: String(err) }, 'charts queue error'));
  events.on('error', (err) => opts.logger?.warn({ err: String(err) }, 'charts queue events error'));

  const render: ChartRenderer = async (spec) => {
    let job: Job<ChartSpec, string> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const work = (async () => {
      job = await queue.add(spec.kind, spec, { attempts: 1, removeOnComplete: { age: 60 }, removeOnFail: { age: 600 } });
      const base64 = await job.waitUntilFinished(events, timeoutMs);
      return Buffer.from(base64, 'base64');
    })();
    try {
      const png = await Promise.race([work, timedOut]);
      if (!png) {
        opts.logger?.warn({ kind: spec.kind, timeoutMs }, 'chart not rendered in time; answering with text');
        void job?.remove().catch(() => {});
      }
      return png;
    } catch (err) {
      opts.logger?.warn({ err: String(err), kind: spec.kind }, 'chart job failed; answering with text');
      return undefined;
    } finally {
      clearTimeout(timer);
      work.catch(() => {});
    }
  };

  return {
    render,
    close: async () => {
      await events.close();
      await queue.close();
    },
  };
}

/** The worker side: renders specs from the `charts` queue and returns the PNG as base64. */
export function startChartsWorker(
  opts: ChartsQueueOptions & { concurrency?: number; render?: (spec: ChartSpec) => Promise<Buffer> },
): { worker: Worker<ChartSpec, string>; close(): Promise<void> } {
  const draw = opts.render ?? renderChart;
  const worker = new Worker<ChartSpec, string>(CHARTS_QUEUE, async (job) => (await draw(job.data)).toString('base64'), {
    ...queueOpts(opts),
    // Rendering is CPU-bound and synchronous; more than a couple at once only queues in-process.
    concurrency: opts.concurrency ?? 2,
  });
  worker.on('error', (err) => opts.logger?.warn({ err: String(err) }, 'charts worker error'));
  worker.on('failed', (job, err) => opts.logger?.warn({ err: String(err), job: job?.id }, 'chart job failed'));
  return { worker, close: () => worker.close() };
}
