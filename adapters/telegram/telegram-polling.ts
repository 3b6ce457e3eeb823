import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** Most updates one getUpdates returns (Telegram's own maximum). */
const LIMIT = 100;
export const DEFAULT_GATHER_MS = 20;

export interface PollingDeps {
  /** Holds a batch durably (the inbox); throws when it could not. */
  hold(updates: Update[]): Promise<void>;
  /** Updates held and not yet applied: fetching pauses while it is high. */
  backlog(): number;
  /** Long-poll timeout, seconds (default 25). */
  timeout?: number;
  maxBacklog?: number;
  /**
   * Gather window, ms (default 20; 0: none). While updates keep coming, the next getUpdates goes
   * out no sooner than this after the previous one, so a busy bot fetches, holds and applies them
   * in batches instead of one or two at a time (the CPU per update falls by about half at 1,000
   * updates/s, docs/scaling.md). The window counts from when the previous call went out, so the poll
   * a quiet bot holds open brings its update at once (no delay after a pause longer than the
   * window), and a full batch (`LIMIT`) fetches again at once (the window caps no rate).
   */
  gatherMs?: number;
  onError?: (err: unknown, where: 'getUpdates' | 'hold') => void;
}

/**
 * The getUpdates loop (issue 12). Telegram forgets updates below the `offset` of the next call, so
 * the offset advances only after the batch is held in the inbox: an update fetched and not held
 * (database down, process killed) is delivered again. While the database is away the loop keeps
 * retrying the same batch and does not fetch further. Returns a stop that aborts the long poll
 * and waits for the loop to end (a batch being held finishes or is left unconfirmed).
 */
export function startPolling(bot: Bot, deps: PollingDeps): () => Promise<void> {
  const ac = new AbortController();
  const maxBacklog = deps.maxBacklog ?? 2000;
  const gatherMs = deps.gatherMs ?? DEFAULT_GATHER_MS;
  let offset = 0;
  const loop = (async () => {
    let failures = 0;
    /** When the last getUpdates went out, and whether it came back full. */
    let calledAt = -Infinity;
    let full = false;
    while (!ac.signal.aborted) {
      const wait = full ? 0 : calledAt + gatherMs - performance.now();
      if (wait > 0) await sleep(wait, ac.signal);
      if (ac.signal.aborted) break;
      if (deps.backlog() > maxBacklog) {
        await sleep(50, ac.signal);
        continue;
      }
      let updates: Update[];
      calledAt = performance.now();
      try {
        updates = await bot.api.getUpdates({ offset, limit: LIMIT, timeout: deps.timeout ?? 25, allowed_updates: ['message', 'callback_query'] }, ac.signal as never);
        failures = 0;
      } catch (err) {
        if (ac.signal.aborted) break;
        deps.onError?.(err, 'getUpdates');
        await sleep(Math.min(5000, 250 * 2 ** failures++), ac.signal);
        continue;
      }
      full = updates.length >= LIMIT;
      if (!updates.length) continue;
      // Hold the batch; until that succeeds, nothing is confirmed.
      for (let attempt = 0; !ac.signal.aborted; attempt++) {
        try {
          await deps.hold(updates);
          offset = updates[updates.length - 1]!.update_id + 1;
          break;
        } catch (err) {
          deps.onError?.(err, 'hold');
          await sleep(Math.min(2000, 100 * 2 ** attempt), ac.signal);
        }
      }
    }
  })();
  return async () => {
    ac.abort();
    await loop;
    // Confirm what is held, so a restart does not fetch it again (it would be skipped anyway).
    if (offset > 0) await bot.api.getUpdates({ offset, limit: 1, timeout: 0, allowed_updates: ['message', 'callback_query'] }, AbortSignal.timeout(1000) as never).catch(() => undefined);
  };
}
