/**
 * One lookup for many callers, never older than the caller: callers with the same key that
 * arrive while a run for that key is in flight wait for it to end, then share the NEXT run,
 * which starts after all of them arrived. The first caller runs at once. So a caller never gets
 * a result read before it came (a token revoked before a request arrives is refused on that
 * request), and under load a key costs at most two runs in flight instead of one per caller.
 * A failed run fails the callers that shared it.
 */
export function freshShare<A extends unknown[], T>(run: (...args: A) => Promise<T>, keyOf: (...args: A) => string): (...args: A) => Promise<T> {
  const waiting = new Map<string, { args: A; resolve(v: T): void; reject(e: unknown): void }[]>();
  return (...args: A): Promise<T> => {
    const key = keyOf(...args);
    const queue = waiting.get(key);
    if (queue) return new Promise<T>((resolve, reject) => queue.push({ args, resolve, reject }));
    const mine: { args: A; resolve(v: T): void; reject(e: unknown): void }[] = [];
    waiting.set(key, mine);
    const first = run(...args);
    const next = async (): Promise<void> => {
      while (mine.length) {
        const group = mine.splice(0);
        // The newest caller's arguments (its clock reading): the run starts after every one of them.
        await run(...group.at(-1)!.args).then(
          (v) => group.forEach((w) => w.resolve(v)),
          (e: unknown) => group.forEach((w) => w.reject(e)),
        );
      }
      waiting.delete(key);
    };
    void first.then(next, next);
    return first;
  };
}
