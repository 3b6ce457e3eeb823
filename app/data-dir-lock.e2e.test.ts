import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killGroup, startCoin, type CoinProcess } from '../test/coin-process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'coin-lock-e2e-'));
const started: CoinProcess[] = [];
afterAll(() => {
  for (const p of started) killGroup(p.child.pid);
  rmSync(dir, { recursive: true, force: true });
});

/** `npm start` as the README names it, on one DATA_DIR. */
function start(launch: 'npm' | 'tsx' = 'tsx'): CoinProcess {
  const p = startCoin({ DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'warn' }, { launch });
  started.push(p);
  return p;
}

describe('one process per embedded data folder (real processes)', () => {
  it('GIVEN a running COIN THEN a second start on its DATA_DIR is refused in one line and the first keeps working; after kill -9 of the first a new start works with the data intact', async () => {
    const first = start();
    await first.waitFor('COIN terminal chat');
    first.say('4.50 coffee');
    await first.waitFor('#1 −4.50 EUR');

    const second = start('npm');
    expect(await second.exited).not.toBe(0);
    expect(second.err().trim()).toBe(
      `COIN failed to start: DATA_DIR ${dir} is in use by process ${first.child.pid}; one process per data folder: stop it first or use another DATA_DIR`,
    );
    expect(second.out()).not.toContain('COIN terminal chat');

    first.say('2 tea');
    await first.waitFor('#2 −2.00 EUR');

    first.child.kill('SIGKILL');
    await first.exited;
    const third = start();
    await third.waitFor('COIN terminal chat');
    third.say('/history');
    await third.waitFor(/#2 [^\n]*tea\n#1 [^\n]*coffee/);
    third.say('1 water');
    await third.waitFor('#3 −1.00 EUR');
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    // Logs go to stderr in the terminal chat: nothing at warn or above, nothing that is not a log line.
    expect(third.err().split('\n').filter((l) => l && !/^\{"level":(10|20|30),/.test(l))).toEqual([]);
  }, 120_000);

  it('GIVEN the port taken by another program THEN the start is refused in one line naming the port, not a stack trace', async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      const p = startCoin({ DATA_DIR: mkdtempSync(path.join(dir, 'port-')), PORT: String(port), LOG_LEVEL: 'warn' }, { launch: 'tsx' });
      started.push(p);
      expect(await p.exited).not.toBe(0);
      expect(p.err().trim()).toBe(`COIN failed to start: port ${port} is in use by another program: stop it or set PORT to a free port`);
    } finally {
      other.close();
    }
  }, 60_000);
});
