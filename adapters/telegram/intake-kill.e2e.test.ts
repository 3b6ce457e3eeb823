import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramDouble, type TelegramDouble } from '../../test/doubles/telegram-api.js';
import { freshPostgres } from '../../test/databases.js';
import type { Database } from '../../drizzle/db.js';
import { startCoin, type CoinProcess } from '../../chaos/coin-process.js';
import { offer, settled } from '../../chaos/load.js';
import { checkLedger } from '../../chaos/ledger-check.js';

/**
 * Issue 12 with a real COIN process (the `npm start` entry point) in polling mode: kill -9 in
 * the middle of bursts, start again, and every record Telegram delivered is in the ledger
 * exactly once, in order, and answered.
 */
describe('Telegram intake survives kill -9', () => {
  let tg: TelegramDouble;
  let db: Database;
  let dir: string;
  let url: string;
  const procs: CoinProcess[] = [];

  beforeAll(async () => {
    tg = await startTelegramDouble();
    db = await freshPostgres();
    // The test database's URL: freshPostgres names it; read it back from the server.
    const [row] = (await db.db.execute('select current_database() as name' as never)) as unknown as { name: string }[];
    const u = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
    u.pathname = `/${row!.name}`;
    url = u.toString();
    dir = mkdtempSync(path.join(tmpdir(), 'coin-kill-'));
  });
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await tg?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const launch = async () => {
    const p = startCoin(
      { DATABASE_URL: url, DATABASE_POOL_SIZE: '4', TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, ROLES: 'bot', DATA_DIR: dir, PORT: '0' },
      process.env.COIN_KILL_LOG ?? path.join(dir, 'coin.log'),
    );
    procs.push(p);
    await Promise.race([p.ready, p.exited.then((c) => Promise.reject(new Error(`COIN exited ${c}`)))]);
    return p;
  };

  it('GIVEN chats sending bursts of 10 WHEN COIN is killed with -9 mid-burst and started again THEN 0 lost, 0 duplicated, #N in order, all answered', async () => {
    const first = await launch();
    // 20 records a chat: within the per-chat command limit (20 at once, then 1/s), which would refuse more.
    const spec = { chats: [3001, 3002, 3003, 3004], perChat: 20, burst: 10, gapMs: 600 };
    const offering = offer(tg, spec);
    // Mid-burst: the second round is being fetched and applied.
    await tg.waitForOutbox((m) => m.chat_id === 3002 && /#1[1-9] −/.test(m.text ?? ''), 20_000).catch(() => undefined);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    await launch();
    await offering;
    const done = await settled(tg, spec, 40_000);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      let o = await checkLedger(sql, tg, spec.chats, spec.perChat);
      // Say what went wrong (replies sent twice alone are the documented at-least-once window).
      if (o.lost || o.duplicated || o.orderGaps || o.repliesMissing) o = await checkLedger(sql, tg, spec.chats, spec.perChat, (l) => console.log(l));
      if (!done) console.log(readFileSync(path.join(dir, 'coin.log'), 'utf8').split('\n').filter((l) => !l.includes('"level":30')).slice(-30).join('\n'));
      expect(done).toBe(true);
      expect(o).toMatchObject({ offered: 80, applied: 80, lost: 0, duplicated: 0, orderGaps: 0, balanceMismatches: 0, repliesMissing: 0 });
    } finally {
      await sql.end();
    }
  }, 90_000);
});
