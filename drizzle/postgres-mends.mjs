/**
 * A module hook (Node `module.register`) that mends one known defect of postgres.js 3.4.9 while
 * no release carries the fix (porsager/postgres#1208, #1154, PRs #1176/#1209): when PostgreSQL
 * restarts or fails over, a write scheduled with `setImmediate` may run after the connection
 * closed and call `socket.write` on null. That TypeError is thrown from a timer, so no caller can
 * catch it and the whole process dies (seen on every `pg_ctl restart` in `npm run chaos`). Also,
 * closing cancels that timer without forgetting it, so the reconnected connection never flushes
 * a small write again.
 *
 * The hook edits `postgres/src/connection.js` as it is loaded: a write without a socket fails the
 * queries waiting on it with CONNECTION_CLOSED (which `withDbRetry` retries), and closing clears
 * the pending write. It changes nothing when the text is not found (a fixed release).
 */
const GUARD = `function nextWrite(fn) {
    if (!socket) {
      chunk = nextWriteTimer = null
      ;(query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`;

export function mend(src) {
  if (!src.includes('function nextWrite(fn) {\n    const x = socket.write(chunk, fn)')) return src;
  return src
    .replace('function nextWrite(fn) {\n    const x = socket.write(chunk, fn)', GUARD)
    .replaceAll('    clearImmediate(nextWriteTimer)\n', '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n');
}

export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  if (!/[\\/]node_modules[\\/]postgres[\\/](?:src|cjs[\\/]src)[\\/]connection\.js$/.test(url) || loaded.source == null) return loaded;
  const text = typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source).toString('utf8');
  return { ...loaded, source: mend(text) };
}
