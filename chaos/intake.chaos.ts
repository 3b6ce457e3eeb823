/**
 * Chaos suite, chat intake (issue 12): real COIN processes (the `npm start` entry point) in
 * Telegram polling mode against a PostgreSQL server of the suite's own and the Bot API double
 * (this process), chats sending records in bursts of 10, with faults injected mid-load:
 * kill -9 at random points, SIGTERM then restart, PostgreSQL restart -m fast / -m immediate,
 * PostgreSQL down 10 s. Prints one row per fault and exits 1 when a record was lost or applied
 * twice, `#N` broke order, a balance disagrees with its events, a reply is missing, or SIGTERM
 * took 10 s or more. CHAOS_SIZE=small (CI) | full (2,000 records per fault, 3 kill runs).
 * Ports: CHAOS_PG_PORT (default 5440).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { startTelegramDouble } from '../test/doubles/telegram-api.js';
import { startCoin, type CoinProcess } from './coin-process.js';
import { createCluster } from './pg-cluster.js';
import { offer, settled, type LoadSpec } from './load.js';
import { checkLedger, clean, type Outcome } from './ledger-check.js';

const full = process.env.CHAOS_SIZE === 'full';
const CHATS = full ? 20 : 6;
const PER_CHAT = full ? 100 : 20;
const KILL_RUNS = full ? 3 : 1;
// A chat's pace stays within the per-chat command limit (20 at once, then 1/s), which would
// refuse the excess by design: small sends 20 records a chat, full a burst of 10 every 10 s.
const GAP_MS = full ? 10_000 : 700;
const port = Number(process.env.CHAOS_PG_PORT ?? 5440);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const work = mkdtempSync(path.join(tmpdir(), 'coin-chaos-'));
const logFile = path.join(work, 'coin.log');
const pg = createCluster(port);
const tg = await startTelegramDouble();
let coin: CoinProcess | undefined;
let crashes = 0;
let shuttingDown = false;

interface Row extends Outcome {
  fault: string;
  note: string;
  ok: boolean;
}
const rows: Row[] = [];

async function main() {
  pg.start();
  const admin = postgres(pg.url(), { max: 1, onnotice: () => {} });
  await admin`create database coin`;
  await admin.end();
  const env = {
    DATABASE_URL: pg.url('coin'),
    DATABASE_POOL_SIZE: '8',
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.apiRoot,
    ROLES: 'bot',
    DATA_DIR: work,
    PORT: '0',
  };
  // Like a process supervisor (compose `restart:`, Kubernetes): a COIN that dies on its own is
  // started again, and counted (a crash must lose nothing either; the table says how many).
  const launch = async () => {
    const c = startCoin(env, logFile);
    coin = c;
    void c.exited.then(async (code) => {
      if (expectedExit.has(c) || shuttingDown) return;
      crashes++;
      console.log(`COIN exited on its own (${code}); restarting it in 1 s`);
      await sleep(1000);
      if (!shuttingDown) await launch();
    });
    // A start that fails (database down) is retried by the handler above, as a supervisor would.
    await Promise.race([c.ready, c.exited]);
  };
  const expectedExit = new Set<CoinProcess>();
  const stopCoin = async (signal: 'SIGKILL' | 'SIGTERM') => {
    const c = coin!;
    expectedExit.add(c);
    c.child.kill(signal);
    return c.exited;
  };
  await launch();

  let nextChat = 1000;
  const only = process.env.CHAOS_ONLY ? new RegExp(process.env.CHAOS_ONLY, 'i') : undefined;
  const scenario = async (fault: string, inject: () => Promise<string>) => {
    if (only && !only.test(fault)) return;
    const chats = Array.from({ length: CHATS }, () => nextChat++);
    const spec: LoadSpec = { chats, perChat: PER_CHAT, burst: 10, gapMs: GAP_MS };
    const loadMs = (PER_CHAT / 10) * GAP_MS;
    const offering = offer(tg, spec);
    await sleep(loadMs * (0.2 + Math.random() * 0.6));
    const t0 = Date.now();
    const crashed = crashes;
    const note = await inject();
    await offering;
    const done = await settled(tg, spec, 90_000);
    await sleep(1500); // late duplicates would arrive now
    const sql = postgres(pg.url('coin'), { max: 1, onnotice: () => {} });
    const o = await checkLedger(sql, tg, chats, PER_CHAT, (line) => console.log(`  ${fault}: ${line}`));
    await sql.end();
    const ok = clean(o) && done && !note.startsWith('FAIL');
    const crashNote = crashes > crashed ? `; COIN crashed ${crashes - crashed}× and was restarted` : '';
    rows.push({ fault, note: `${note}${crashNote}${done ? '' : ' (not settled)'}; settled ${((Date.now() - t0) / 1000).toFixed(1)} s after the fault`, ok, ...o });
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${fault}: ${JSON.stringify(o)} ${note}`);
  };

  for (let i = 1; i <= KILL_RUNS; i++)
    await scenario(`kill -9 mid-load (run ${i})`, async () => {
      await stopCoin('SIGKILL');
      await launch();
      return 'killed, restarted';
    });

  await scenario('SIGTERM mid-load, restart', async () => {
    const t = Date.now();
    const code = await stopCoin('SIGTERM');
    const took = Date.now() - t;
    const said = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"telegram st'))
      .slice(-2)
      .map((l) => {
        const j = JSON.parse(l) as Record<string, unknown>;
        return `${j.msg as string} ${JSON.stringify({ ...j, level: undefined, time: undefined, app: undefined, msg: undefined, pid: undefined, hostname: undefined })}`;
      });
    console.log(`  SIGTERM: ${said.join(' | ')}`);
    await launch();
    return `${took >= 10_000 || code !== 0 ? 'FAIL ' : ''}exit ${code} in ${(took / 1000).toFixed(1)}s`;
  });

  for (const mode of ['fast', 'immediate'] as const)
    await scenario(`PostgreSQL restart -m ${mode}`, async () => {
      pg.restart(mode);
      return 'restarted';
    });

  await scenario('PostgreSQL down 10 s', async () => {
    pg.stop('fast');
    await sleep(10_000);
    pg.start();
    return 'down 10 s';
  });
}

function table() {
  const cols: (keyof Row)[] = ['fault', 'offered', 'applied', 'duplicated', 'lost', 'orderGaps', 'balanceMismatches', 'repliesMissing', 'repliesDuplicated', 'note'];
  const head = ['fault', 'offered', 'applied', 'dup', 'lost', '#N gaps', 'bal≠', 'replies missing', 'replies twice', 'note'];
  const lines = [head, ...rows.map((r) => cols.map((c) => String(r[c])))];
  const w = head.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  console.log(`\nchat intake chaos (${full ? 'full' : 'small'}: ${CHATS} chats × ${PER_CHAT} records per fault, bursts of 10)`);
  for (const l of lines) console.log(l.map((c, i) => (i === 0 || i === l.length - 1 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
  console.log('replies twice: the documented at-least-once window (a crash between sending and marking sent); not a failure.');
}

let failed = false;
const t0 = Date.now();
try {
  await main();
} catch (err) {
  console.error('chaos run failed:', err);
  failed = true;
} finally {
  shuttingDown = true;
  coin?.child.kill('SIGKILL');
  await tg.close().catch(() => undefined);
  pg.destroy();
}
table();
failed ||= rows.some((r) => !r.ok);
console.log(`\n${failed ? 'FAILED' : 'all clean'} in ${((Date.now() - t0) / 1000).toFixed(0)} s${failed ? ` (COIN log: ${logFile})` : ''}`);
if (!failed) rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
