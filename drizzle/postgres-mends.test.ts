import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mend, mendTransactionQueue } from './postgres-mends.mjs';

/** The files Node loads for `import('postgres')`: src/index.js, its entry, and src/connection.js beside it. */
const postgresFile = (name: string) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'postgres', 'src', name), 'utf8');

describe('the postgres.js socket guard (porsager/postgres#1208)', () => {
  it('GIVEN the installed postgres.js THEN a write without a socket fails its queries instead of throwing from a timer', () => {
    const src = postgresFile('connection.js');
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

describe('the postgres.js transaction queue mend (drizzle/postgres-pipelining.test.ts shows the behaviour)', () => {
  it('GIVEN the installed postgres.js THEN a transaction sends its waiting statements together once it may send again', () => {
    const src = postgresFile('index.js');
    const mended = mendTransactionQueue(src);
    // When this fails, the installed release changed the transaction queue: check whether it
    // drains the whole queue now (then drop the mend) or adapt it.
    expect(mended).not.toBe(src);
    expect(mended).toMatch(/c\.reserved = \(\) => \{\n\s+while \(queries\.length\)\n\s+if \(!c\.execute\(queries\.shift\(\)\)\) return\n\s+move\(c, reserved\)/);
    expect(mendTransactionQueue(mended)).toBe(mended);
  });
});
