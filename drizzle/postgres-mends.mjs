/**
 * A module hook (Node `module.register`) that mends two known defects of postgres.js 3.4.9 as its
 * files load. Each mend changes nothing when its text is not found (a release that changed or
 * fixed the function); `drizzle/postgres-mends.test.ts` fails then, to say so.
 *
 * 1. The socket guard (connection.js; porsager/postgres#1208, #1154, PRs #1176/#1209): when
 *    PostgreSQL restarts or fails over, a write scheduled with `setImmediate` may run after the
 *    connection closed and call `socket.write` on null. That TypeError is thrown from a timer, so
 *    no caller can catch it and the whole process dies (seen on every `pg_ctl restart` in
 *    `npm run chaos`). Also, closing cancels that timer without forgetting it, so the reconnected
 *    connection never flushes a small write again. Mended: a write without a socket fails the
 *    queries waiting on it with CONNECTION_CLOSED (which `withDbRetry` retries), and closing
 *    clears the pending write.
 *
 * 2. Pipelining inside a transaction (index.js; see porsager/postgres#951): the first time a
 *    connection meets a statement it must describe it before sending more, so the statements a
 *    transaction issues meanwhile wait in its queue. Once the connection is idle again, 3.4.9
 *    sends ONE of them, and every later one waits for the answer before it, until the queue is
 *    empty: twenty chats' sign-ups in one inbox batch became twenty round trips after each other
 *    (the batch took 80 ms instead of 25 on a loaded machine). Mended: the queue is sent at once,
 *    up to the next statement that must be described first (or the pipeline limit), as outside a
 *    transaction. The order on the wire is the order asked, as before.
 */
const GUARD = `function nextWrite(fn) {
    if (!socket) {
      chunk = nextWriteTimer = null
      ;(query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`;

/** Mend 1, for connection.js. */
export function mend(src) {
  if (!src.includes('function nextWrite(fn) {\n    const x = socket.write(chunk, fn)')) return src;
  return src
    .replace('function nextWrite(fn) {\n    const x = socket.write(chunk, fn)', GUARD)
    .replaceAll('    clearImmediate(nextWriteTimer)\n', '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n');
}

const DRAIN_ONE = `      c.reserved = () => queries.length
        ? c.execute(queries.shift())
        : move(c, reserved)`;
const DRAIN_ALL = `      c.reserved = () => {
        while (queries.length)
          if (!c.execute(queries.shift())) return
        move(c, reserved)
      }`;

/** Mend 2, for index.js: a transaction's waiting statements go out together. */
export function mendTransactionQueue(src) {
  return src.includes(DRAIN_ONE) ? src.replace(DRAIN_ONE, DRAIN_ALL) : src;
}

export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  const file = /[\\/]node_modules[\\/]postgres[\\/](?:src|cjs[\\/]src)[\\/](connection|index)\.js$/.exec(url)?.[1];
  if (!file || loaded.source == null) return loaded;
  const text = typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source).toString('utf8');
  return { ...loaded, source: file === 'connection' ? mend(text) : mendTransactionQueue(text) };
}
