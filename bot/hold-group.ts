/**
 * Group commit for updates that arrive one request at a time (Telegram's webhook: up to 40
 * connections, one update each). The first update is held at once, alone; the ones that arrive
 * while that INSERT and its commit are under way wait and go together in the next one, and so on.
 * No timer: a quiet bot's update is held exactly as before, and a busy one's holds cost one
 * statement and one commit per group instead of per update. Each caller's promise settles with its
 * group: resolved once its update is held (committed), rejected with the group's error otherwise,
 * so the webhook answers 200 only for what is in the inbox and 503 for the rest (Telegram resends).
 */
export function createHoldGroup<T>(hold: (items: T[]) => Promise<void>, opts: { max?: number } = {}) {
  const max = opts.max ?? 500;
  let waiting: { item: T; done: (err?: unknown) => void }[] = [];
  let running = false;

  async function drain() {
    running = true;
    while (waiting.length) {
      const group = waiting.slice(0, max);
      waiting = waiting.slice(group.length);
      let err: unknown;
      try {
        await hold(group.map((g) => g.item));
      } catch (e) {
        err = e ?? new Error('hold failed');
      }
      for (const g of group) g.done(err);
    }
    running = false;
  }

  return {
    /** Resolves once `item` is held (with the others that came while the last group was written). */
    hold(item: T): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ item, done: (err) => (err === undefined ? resolve() : reject(err)) });
        if (!running) void drain();
      });
    },
  };
}
