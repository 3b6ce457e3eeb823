/**
 * Transient database failures (issue 12): a connection lost, a server restarting or failing
 * over, a serialization failure. Work that meets one is retried from the start, with bounded
 * backoff, so a short outage delays answers instead of losing them. Every path that writes
 * (chat updates, API requests, worker sweeps) goes through `withDbRetry`.
 */

/** SQLSTATEs worth a retry: serialization/deadlock, connection exceptions, shutdown/crash, too many connections. */
const TRANSIENT_CODES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006', '08007', '25P03']);
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);

export function isTransientDbError(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const err = cur as { code?: unknown; errno?: unknown; message?: unknown; cause?: unknown };
    if (typeof err.code === 'string' && (TRANSIENT_CODES.has(err.code) || TRANSIENT_ERRNO.has(err.code))) return true;
    if (typeof err.errno === 'string' && TRANSIENT_ERRNO.has(err.errno)) return true;
    if (typeof err.message === 'string' && /terminating connection|connection (?:terminated|closed|ended)|the database system is (?:starting up|shutting down|in recovery)|write (?:CONNECTION_CLOSED|ECONNRESET)/i.test(err.message)) return true;
    cur = err.cause;
  }
  return false;
}

export interface RetryOptions {
  /** Give up after this long in total (default 30 s: a 10 s outage fits with room). */
  budgetMs?: number;
  /** First pause (default 100 ms), doubling up to `maxDelayMs` (default 2 s), with jitter. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Stop retrying early (shutdown). */
  signal?: AbortSignal;
  /** Told about each retry (for a log line). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Runs `work`, retrying it from the start while it fails transiently and the budget lasts. */
export async function withDbRetry<T>(work: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const budget = opts.budgetMs ?? 30_000;
  const max = opts.maxDelayMs ?? 2_000;
  const end = Date.now() + budget;
  let delay = opts.firstDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (!isTransientDbError(e) || Date.now() + delay > end || opts.signal?.aborted) throw e;
      const pause = Math.round(delay * (0.5 + Math.random() / 2));
      opts.onRetry?.(e, attempt, pause);
      await sleep(pause, opts.signal);
      delay = Math.min(max, delay * 2);
    }
  }
}
