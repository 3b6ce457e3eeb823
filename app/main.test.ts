import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, killGroup, startCoin, type CoinProcess } from '../test/coin-process.js';

/** Polls `check` until it holds; on time-out says why the last try failed and how the process is. */
async function waitFor(p: CoinProcess, check: () => Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      if (await check()) return;
      last = 'not yet';
    } catch (err) {
      last = err instanceof Error && err.cause ? err.cause : err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out: ${String(last)}; exit code ${p.child.exitCode}\nstderr: ${p.err().slice(-2000)}`);
}

/** `npm start` as a newcomer runs it: embedded PGlite, terminal chat, /health; and bad config. */
describe('start-up', () => {
  it('GIVEN a bad variable THEN start-up stops with one line naming it', async () => {
    const p = startCoin({ PORT: 'eighty' });
    expect(await p.exited).toBe(2);
    expect(p.err().trim()).toBe('Configuration error: PORT must be a number');
  });

  it('GIVEN no tokens and no DATABASE_URL THEN the terminal chat records into embedded PGlite and /health answers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coin-start-'));
    const port = String(await freePort());
    const p = startCoin({ DATA_DIR: dir, PORT: port, LOG_LEVEL: 'silent' });
    try {
      p.say('4.50 coffee');
      p.say('/accounts');
      await p.waitFor('Main  −4.50 EUR', 60_000);
      expect(p.out()).toContain('#1 −4.50 EUR');
      await waitFor(p, async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 20_000);
      expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({ status: 'ok', database: 'ok' });
      // The web app: `/app` links to this machine; the link signs in once and shows the book.
      p.say('/app');
      await waitFor(p, async () => /\/app\/auth\/link\/l_/.test(p.out()), 20_000);
      const link = new RegExp(`http://localhost:${port}(/app/auth/link/l_[A-Za-z0-9_-]{43})`).exec(p.out())![1]!;
      const signIn = await fetch(`http://127.0.0.1:${port}${link}`, { method: 'POST', redirect: 'manual' });
      expect(signIn.status).toBe(303);
      const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
      const records = await fetch(`http://127.0.0.1:${port}${signIn.headers.get('location')}/records`, { headers: { cookie } });
      expect(await records.text()).toContain('coffee');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      killGroup(p.child.pid);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
