import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A fresh clone: `npm start` with no configuration runs the terminal chat and the web app;
 * `/app` in the terminal answers with a one-time link that signs in and shows the book.
 */
describe('the web app from npm start', () => {
  it('GIVEN no configuration THEN /app in the terminal chat gives a link that opens the book in a browser', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coin-web-start-'));
    const port = 19000 + Math.floor(Math.random() * 900);
    const child = spawn('npm', ['start', '--silent'], {
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const until = async (check: () => boolean | Promise<boolean>, ms: number) => {
      const end = Date.now() + ms;
      while (!(await Promise.resolve(check()).catch(() => false))) {
        if (Date.now() > end) throw new Error(`timed out; output: ${out.slice(-500)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    try {
      child.stdin.write('4.50 coffee\n/app\n');
      await until(() => /\/app\/auth\/link\/l_[A-Za-z0-9_-]{43}/.test(out), 60_000);
      const link = /(http:\/\/localhost:\d+)(\/app\/auth\/link\/l_[A-Za-z0-9_-]{43})/.exec(out)!;
      expect(link[1]).toBe(`http://localhost:${port}`);
      const origin = `http://127.0.0.1:${port}`;
      await until(async () => (await fetch(`${origin}/health`)).ok, 20_000);
      const signIn = await fetch(origin + link[2], { method: 'POST', redirect: 'manual' });
      expect(signIn.status).toBe(303);
      const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
      const page = await fetch(origin + signIn.headers.get('location')! + '/records', { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('coffee');
      const css = /href="(\/app\/assets\/app-[0-9a-f]{12}\.css)"/.exec(await (await fetch(origin + signIn.headers.get('location')!, { headers: { cookie } })).text())![1]!;
      expect((await fetch(origin + css)).status).toBe(200);
      // The link worked once.
      expect((await fetch(origin + link[2], { method: 'POST', redirect: 'manual' })).status).toBe(400);
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
