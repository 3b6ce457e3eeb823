import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { ChartRenderer, ChartSpec } from '../bot/presentation/chart-types.js';
import { renderChart } from './charts/render-chart.js';
import { isReady, producerConnection, readyWithin } from './queues.js';

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
 * worker's PNG (`job.waitUntilFinished`). When the worker does not answer within `timeoutMs` it
 * resolves undefined, so the reply goes out as text; a job still waiting is removed so a late
 * worker does not draw for nobody.
 *
 * Redis down never holds a reply: the queue's connection fails fast, and while it is not
 * connected (or when it drops during a render) the chart is drawn by `fallback` in this process
 * (text only without one), at once instead of after the timeout.
 */
export function createChartsQueueClient(opts: ChartsQueueOptions & { timeoutMs?: number; fallback?: ChartRenderer }): ChartsClient {
  const producer = producerConnection(opts.redisUrl);
  const queue = new Queue<ChartSpec, string>(CHARTS_QUEUE, { connection: producer, ...(opts.prefix ? { prefix: opts.prefix } : {}) });
  const events = new QueueEvents(CHARTS_QUEUE, queueOpts(opts));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CHART_TIMEOUT_MS;
  // ioredis reports each failed reconnect; one line per outage is enough.
  let down = false;
  const onError = (err: unknown) => {
    if (!down) opts.logger?.warn({ err: String(err) }, 'charts queue: redis unreachable; charts render in-process');
    down = true;
  };
  producer.on('error', onError);
  producer.on('ready', () => (down = false));
  // Each render in flight listens for the connection dropping; many may be in flight at once.
  producer.setMaxListeners(200);
  // Without a listener an 'error' event (Redis down) would be printed for every retry.
  queue.on('error', onError);
  events.on('error', onError);
  const fallback = async (spec: ChartSpec) => (opts.fallback ? opts.fallback(spec) : undefined);

  const render: ChartRenderer = async (spec) => {
    if (!(await readyWithin(producer, 3_000))) return fallback(spec);
    let job: Job<ChartSpec, string> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let onClose: (() => void) | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const lost = new Promise<'lost'>((resolve) => {
      onClose = () => resolve('lost');
      producer.once('close', onClose);
    });
    const work = (async () => {
      job = await queue.add(spec.kind, spec, { attempts: 1, removeOnComplete: { age: 60 }, removeOnFail: { age: 600 } });
      const base64 = await job.waitUntilFinished(events, timeoutMs);
      return Buffer.from(base64, 'base64');
    })();
    try {
      const png = await Promise.race([work, timedOut, lost]);
      if (png === 'lost') {
        opts.logger?.warn({ kind: spec.kind }, 'redis went away during a chart render; drawing it here');
        return await fallback(spec);
      }
      if (!png) {
        opts.logger?.warn({ kind: spec.kind, timeoutMs }, 'chart not rendered in time; answering with text');
        void job?.remove().catch(() => {});
      }
      return png;
    } catch (err) {
      // Not even queued (Redis went away a moment ago, before ioredis noticed): draw it here.
      if (!job || !isReady(producer)) {
        opts.logger?.warn({ err: String(err), kind: spec.kind }, 'chart could not be queued; drawing it here');
        return fallback(spec);
      }
      opts.logger?.warn({ err: String(err), kind: spec.kind }, 'chart job failed; answering with text');
      return undefined;
    } finally {
      clearTimeout(timer);
      if (onClose) producer.off('close', onClose);
      work.catch(() => {});
    }
  };

  return {
    render,
    close: async () => {
      await events.close();
      await queue.close();
      await producer.quit().catch(() => producer.disconnect());
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
