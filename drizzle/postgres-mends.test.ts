import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mend } from './postgres-socket-guard.mjs';

/** The file Node loads for `import('postgres')`: src/connection.js beside its entry. */
const connectionJs = () => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres', 'src', 'connection.js'), 'utf8');

describe('the postgres.js socket guard (porsager/postgres#1208)', () => {
  it('GIVEN the installed postgres.js THEN a write without a socket fails its queries instead of throwing from a timer', () => {
    const src = connectionJs();
    const mended = mend(src);
    // When this fails, the installed release changed the function: check whether it is fixed
    // upstream (then drop the guard) or adapt the guard.
    expect(mended).not.toBe(src);
    const body = mended.slice(mended.indexOf('function nextWrite(fn) {'), mended.indexOf('function nextWrite(fn) {') + 400);
    expect(body.indexOf('if (!socket)')).toBeLessThan(body.indexOf('socket.write('));
    expect(body).toContain("error(Errors.connection('CONNECTION_CLOSED', options))");
    // Closing forgets a scheduled write, so a reconnected connection flushes again.
    expect(mended.match(/^\s+clearImmediate\(nextWriteTimer\)\n\s+chunk = nextWriteTimer = null/gm)?.length).toBe(2);
    expect(mend(mended)).toBe(mended);
  });
});
