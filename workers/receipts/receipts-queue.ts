import type { Logger } from 'pino';
import type { ReceiptReader } from '../../bot/services.js';
import { tesseractEngine, type OcrEngine } from './ocr-engine.js';
import { stopPdfProcesses } from './pdf-process.js';
import { readReceiptScan, ScanNotVisible, type ReadJobDeps } from './read-job.js';

/** The BullMQ queue of receipt photos to read. */
export const RECEIPTS_QUEUE = 'receipts';

/** A scan not visible yet is looked for again this often, this many times (its chat transaction commits first). */
const NOT_VISIBLE_DELAY_MS = 500;
const NOT_VISIBLE_ATTEMPTS = 20;

export interface ReceiptReadingOptions {
  /** BullMQ when set: any process queues, worker-role processes read. */
  redisUrl?: string | undefined;
  prefix?: string | undefined;
  logger: Logger;
  /** This process reads receipts from the queue (ROLES has `worker`). */
  runWorkers: boolean;
  deps: Omit<ReadJobDeps, 'ocr' | 'logger'> & { ocr?: OcrEngine | undefined };
  /** Receipts read at once by this process (each is one OCR thread); default 1. */
  concurrency?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Where receipt photos are read: off the chat path, on the worker. With Redis a `receipts` job per
 * scan (job id `receipt_<id>`, so a scan is queued once) and a worker with concurrency 1 per
 * process, since OCR is CPU-bound; without Redis (or while it is unreachable) in this process, one
 * at a time. The OCR engine (tesseract.js) starts on the first receipt, not at start-up.
 */
export async function startReceiptReading(opts: ReceiptReadingOptions): Promise<ReceiptReader> {
  const ocr = opts.deps.ocr ?? tesseractEngine({ logger: opts.logger });
  const deps: ReadJobDeps = { ...opts.deps, ocr, logger: opts.logger };
  let chain: Promise<unknown> = Promise.resolve();
  const inFlight = new Set<Promise<unknown>>();

  const readHere = (id: number): void => {
    const run = chain.then(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await readReceiptScan(id, deps);
        } catch (err) {
          if (!(err instanceof ScanNotVisible) || attempt >= NOT_VISIBLE_ATTEMPTS) {
            opts.logger.error({ err: String(err), scan: id }, 'receipt job failed');
            return undefined;
          }
          await sleep(NOT_VISIBLE_DELAY_MS);
        }
      }
    });
    chain = run;
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  };

  if (!opts.redisUrl) {
    return {
      read: async (id) => readHere(id),
      close: async () => {
        await Promise.all(inFlight);
        await ocr.close();
        stopPdfProcesses();
      },
    };
  }

  // BullMQ and ioredis load only with Redis: the embedded mode never pays for them (issue 19).
  const { Queue, Worker } = await import('bullmq');
  const { isReady, producerConnection, redisConnection } = await import('../queues.js');
  const prefix = opts.prefix ? { prefix: opts.prefix } : {};
  const producer = producerConnection(opts.redisUrl);
  producer.on('error', () => {});
  const queue = new Queue<{ id: number }>(RECEIPTS_QUEUE, { connection: producer, ...prefix });
  queue.on('error', () => {});
  let worker: InstanceType<typeof Worker<{ id: number }>> | undefined;
  let workerConnection: ReturnType<typeof redisConnection> | undefined;
  if (opts.runWorkers) {
    workerConnection = redisConnection(opts.redisUrl);
    workerConnection.on('error', () => {});
    worker = new Worker<{ id: number }>(RECEIPTS_QUEUE, async (job) => readReceiptScan(job.data.id, deps), {
      connection: workerConnection,
      ...prefix,
      concurrency: opts.concurrency ?? 1,
      // OCR may take tens of seconds on a busy machine; the lock is renewed meanwhile.
      lockDuration: 60_000,
    });
    worker.on('error', (err) => opts.logger.warn({ err: String(err) }, 'receipts worker error'));
    worker.on('failed', (job, err) => {
      if (!(err instanceof ScanNotVisible) || job?.attemptsMade === job?.opts.attempts) opts.logger.warn({ err: String(err), job: job?.id }, 'receipt job failed');
    });
  }

  return {
    async read(id) {
      if (!isReady(producer)) {
        opts.logger.warn({ scan: id }, 'receipts queue: redis unreachable; reading the receipt in this process');
        return readHere(id);
      }
      try {
        await queue.add(
          'read',
          { id },
          { jobId: `receipt_${id}`, attempts: NOT_VISIBLE_ATTEMPTS, backoff: { type: 'fixed', delay: NOT_VISIBLE_DELAY_MS }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } },
        );
      } catch (err) {
        opts.logger.warn({ err: String(err), scan: id }, 'receipt could not be queued; reading it in this process');
        readHere(id);
      }
    },
    async close() {
      await worker?.close();
      await workerConnection?.quit().catch(() => workerConnection?.disconnect());
      await queue.close();
      await producer.quit().catch(() => producer.disconnect());
      await Promise.all(inFlight);
      await ocr.close();
      stopPdfProcesses();
    },
  };
}
