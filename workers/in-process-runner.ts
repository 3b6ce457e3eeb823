import type { Logger } from 'pino';
import type { SweepSummary } from '../domain/schedules/sweep.js';
import type { TemplateSweep } from './template-sweep.js';

export interface InProcessSweeps {
  /** Runs a sweep now (waits for one in progress first); what tests and `/health`-style checks use. */
  runNow(): Promise<SweepSummary>;
  /** Stops the timer and lets the sweep in hand finish its current batch. */
  close(): Promise<void>;
}

export interface InProcessSweepOptions {
  sweep: TemplateSweep;
  logger: Logger;
  /** Sweep period; sweeps run just after each multiple of it (default every minute, on the minute). */
  intervalMs?: number;
  /** Run one sweep at start (catch-up after downtime). Default true. */
  atStart?: boolean;
}

/**
 * The sweep without Redis (REDIS_URL unset): the same sweep on a timer in this process, at the
 * start and then just after every minute boundary, one at a time. Running it next to BullMQ
 * workers, or in two processes on one database, is still safe (the database decides).
 */
export function startInProcessSweeps(opts: InProcessSweepOptions): InProcessSweeps {
  const interval = opts.intervalMs ?? 60_000;
  const abort = new AbortController();
  let running: Promise<SweepSummary> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const once = (): Promise<SweepSummary> => {
    const p = opts
      .sweep({ signal: abort.signal })
      .catch((err) => {
        opts.logger.error({ err: String(err) }, 'template sweep failed; next one retries');
        return { applied: 0, duplicates: 0, failed: 0, batches: 0 };
      })
      .finally(() => {
        if (running === p) running = undefined;
      });
    running = p;
    return p;
  };

  const arm = () => {
    if (closed) return;
    // Just after the boundary: an occurrence due at 09:00:00.000 is applied at 09:00:00.05.
    const wait = interval - (Date.now() % interval) + 50;
    timer = setTimeout(() => {
      if (!running) void once();
      arm();
    }, wait);
  };

  if (opts.atStart !== false) void once();
  arm();

  return {
    async runNow() {
      if (running) await running;
      return once();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      abort.abort();
      if (running) await running;
    },
  };
}
