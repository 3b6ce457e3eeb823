import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const tsx = path.resolve('node_modules/.bin/tsx');

function start(env: Record<string, string>, stdin = '') {
  const child = spawn(tsx, ['bot/main.ts'], { env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  if (stdin) child.stdin.write(stdin);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

async function waitFor(check: () => Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out');
}

/** `npm start` as a newcomer runs it: embedded PGlite, terminal chat, /health; and bad config. */
describe('start-up', () => {
  it('GIVEN a bad variable THEN start-up stops with one line naming it', async () => {
    const p = start({ PORT: 'eighty' });
    expect(await p.exited).toBe(2);
    expect(p.err().trim()).toBe('Configuration error: PORT must be a number');
  });

  it('GIVEN no tokens and no DATABASE_URL THEN the terminal chat records into embedded PGlite and /health answers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coin-start-'));
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const p = start({ DATA_DIR: dir, PORT: port, LOG_LEVEL: 'silent' }, '4.50 coffee\n/accounts\n/app\n');
    try {
      await waitFor(async () => p.out().includes('Main  -4.50 EUR'), 60_000);
      expect(p.out()).toContain('#1 −4.50 EUR');
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 20_000);
      expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({ status: 'ok', database: 'ok' });
      // The web app: `/app` links to this machine; the link signs in once and shows the book.
      await waitFor(async () => /\/app\/auth\/link\/l_/.test(p.out()), 20_000);
      const link = new RegExp(`http://localhost:${port}(/app/auth/link/l_[A-Za-z0-9_-]{43})`).exec(p.out())![1]!;
      const signIn = await fetch(`http://127.0.0.1:${port}${link}`, { method: 'POST', redirect: 'manual' });
      expect(signIn.status).toBe(303);
      const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
      const records = await fetch(`http://127.0.0.1:${port}${signIn.headers.get('location')}/records`, { headers: { cookie } });
      expect(await records.text()).toContain('coffee');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
