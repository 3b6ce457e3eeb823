/**
 * Calls made in the same turn of the event loop, answered together: the first call of a turn
 * waits for the turn to end (`setImmediate`), then a lone call goes to `one` and two or more go
 * to `many` at once, which answers them in the order they were made. Used on a shared batch
 * transaction (issue 19), where the handlers of several chats run side by side and reach the same
 * statement at about the same moment: one statement for all of them instead of one each.
 * If `many` fails, every call of its group fails with its error; an answer that is a
 * {@link Failed} fails only its own call. A turn with more than `max` calls is answered in groups
 * of at most `max` (each group one `many`), so no statement grows without bound.
 */
export function turnBatch<I, O>(one: (item: I) => Promise<O>, many: (items: I[]) => Promise<(O | Failed)[]>, max = 200): (item: I) => Promise<O> {
  let waiting: { item: I; resolve(o: O): void; reject(err: unknown): void }[] = [];

  function flush(): void {
    const turn = waiting;
    waiting = [];
    for (let at = 0; at < turn.length; at += max) answer(turn.slice(at, at + max));
  }

  function answer(calls: typeof waiting): void {
    if (calls.length === 1) {
      const [c] = calls as [(typeof calls)[0]];
      one(c.item).then(c.resolve, c.reject);
      return;
    }
    many(calls.map((c) => c.item)).then(
      (out) =>
        calls.forEach((c, k) => {
          const o = out[k]!;
          if (o instanceof Failed) c.reject(o.err);
          else c.resolve(o);
        }),
      (err: unknown) => calls.forEach((c) => c.reject(err)),
    );
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (waiting.length === 1) setImmediate(flush);
    });
}

/** One call's failure in the answers of `many` (the others of its turn are answered as usual). */
export class Failed {
  constructor(readonly err: unknown) {}
}
