import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, groupPids, killGroup, startCoin, type CoinProcess, type Launch } from '../test/coin-process.js';
import { startTelegramDouble, type TelegramDouble } from '../test/doubles/telegram-api.js';

/**
 * Issue 11 §3: SIGTERM to the command the README names (`npm start`) and to the Docker image's
 * CMD (compiled JavaScript) stops the whole process tree within 10 s, and the update in hand is
 * answered first. Before, `npm start` went npm → sh → tsx → node and node kept running.
 */
const dockerCmd = (): string[] => {
  const line = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('CMD '))
    .at(-1)!;
  return JSON.parse(line.slice(4)) as string[];
};

describe('SIGTERM stops the whole process tree and answers the update in hand', () => {
  let tg: TelegramDouble;
  const dirs: string[] = [];
  const started: CoinProcess[] = [];
  beforeAll(async () => {
    // The image's build step, so the compiled entry point is the one the Dockerfile runs.
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    tg = await startTelegramDouble();
  }, 240_000);
  afterAll(async () => {
    for (const p of started) killGroup(p.child.pid);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await tg?.close();
  });

  it('GIVEN the Dockerfile THEN its CMD runs node directly on the compiled entry point', () => {
    expect(dockerCmd()).toEqual(['node', 'dist/app/cli.js']);
    expect(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start).toBe('exec node --max-semi-space-size=1 app/start.mjs');
  });

  it.each<[string, Launch]>([
    ['npm start (the README)', 'npm'],
    ['node dist/app/cli.js (the Docker CMD)', 'dist'],
  ])('GIVEN %s with a reply held by a 429 THEN SIGTERM to it answers the update and leaves no process within 10 s', async (_name, launch) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coin-signal-'));
    dirs.push(dir);
    const p = startCoin({ DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'warn', TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot }, { launch });
    started.push(p);
    await tg.waitForPoll(60_000);
    tg.clearRecords();
    const chat = { id: 1000 + started.length, type: 'private' as const };
    // The reply is refused once with retry_after 3: the update is in hand when SIGTERM comes.
    tg.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 3', retry_after: 3 });
    tg.sendText(chat, { id: chat.id, first_name: 'Ann' }, '4.50 coffee');
    const refusedAt = Date.now() + 30_000;
    while (!tg.calls.some((c) => c.method === 'sendMessage' && c.error_code === 429)) {
      if (Date.now() > refusedAt) throw new Error('the bot never tried to answer');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(tg.outbox(chat.id).map((m) => m.text)).toEqual([]);

    const pgid = p.child.pid!;
    expect(groupPids(pgid).length).toBeGreaterThan(0);
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    while (groupPids(pgid).length > 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
    expect(groupPids(pgid)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await p.exited).toBe(0);
    expect(tg.outbox(chat.id).map((m) => m.text).join('\n')).toContain('#1 −4.50 EUR');
  }, 90_000);
});
