import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createRegistry } from '../bot/commands/index.js';
import { createDispatcher, type Incoming } from '../bot/dispatcher.js';
import type { Services } from '../bot/services.js';
import type { Actor } from '../domain/access/actor.js';
import { systemClock } from '../domain/clock.js';
import { importCsv } from '../domain/ledger/csv-import.js';
import { chatJournal } from '../drizzle/store/chat-journal.js';
import { createStore } from '../drizzle/store/index.js';
import { drainStats } from '../drizzle/store/stats-rollup.js';
import { freshPostgres } from '../test/databases.js';
import { fromWire, toWire, type WireReply } from '../workers/notifier.js';
import { ACTUAL_LABELS, ACTUAL_YEARS, benchCsv, benchTransactions, expectedMatrix, type Matrix } from './actual-data.js';
import { median } from './stats-util.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COUNT = Number(process.env.BENCH_ACTUAL_TRANSACTIONS ?? 100_000);
const RECORDS = Number(process.env.BENCH_ACTUAL_RECORDS ?? 100);

interface Side {
  ingestMs: number;
  /** One record, then the balance: ms each. */
  one: number[];
  matrixMs: number[];
  matrix: Matrix;
  /** Balance of the account after the import, cents. */
  balance: number;
}

/**
 * Actual's `@actual-app/api` into a scratch folder: it needs better-sqlite3 (a native module
 * that downloads or compiles at install), so it is never a dependency of COIN. Returns why not
 * when it cannot be installed or loaded here.
 */
function installActual(dir: string): string | undefined {
  if (existsSync(path.join(dir, 'node_modules/@actual-app/api/package.json'))) return undefined;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, '@actual-app/api'], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (r.status !== 0) return `npm install @actual-app/api failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' / ')}`;
  return undefined;
}

function actualSide(dir: string): Side | string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/actual-side.ts'), dir, String(COUNT), String(RECORDS)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60 * 60_000,
  });
  const line = r.stdout?.trim().split('\n').pop();
  if (r.status !== 0 || !line?.startsWith('{')) return `Actual did not run (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`;
  return JSON.parse(line) as Side;
}

/** COIN on PostgreSQL: the CSV through `/import`'s use case, records through the chat path, the matrix from the statistics store. */
async function coinSide(): Promise<Side & { firstMatrixMs: number }> {
  const database = await freshPostgres();
  try {
    const store = createStore(database.db);
    const journal = chatJournal(database.db, { encode: toWire, decode: (v) => fromWire(v as WireReply) });
    const services: Services = {
      store,
      clock: systemClock,
      defaults: { currency: 'EUR', timezone: 'UTC', language: 'en' },
      logger: pino({ level: 'silent' }),
      transact: (work) => journal.transact(work),
    };
    const dispatcher = createDispatcher(createRegistry(), services);
    const message = (text: string): Incoming => ({
      chat: { platform: 'telegram', chatId: 'actual-bench', kind: 'private', title: 'Bench' },
      from: { platform: 'telegram', externalId: 'bench', name: 'Bench' },
      platformAdmin: false,
      text,
      addressedToBot: true,
    });
    // The first message signs up: the book, its owner and the account Main.
    const first = await dispatcher.handleMessage(message(`4.50 ${ACTUAL_LABELS[5]}`));
    if (!first[0]?.text.includes('4.50')) throw new Error(`sign-up failed: ${first[0]?.text}`);
    const entered = (await store.enter(message('').chat, message('').from, false, services.defaults))!;
    const actor: Actor = { store, clock: systemClock, book: entered.book, userId: entered.user.id, role: 'owner' };

    const csv = Buffer.from(benchCsv(benchTransactions(COUNT)));
    const t0 = performance.now();
    const imported = await importCsv(actor, csv);
    const ingestMs = performance.now() - t0;
    if (!imported.ok || imported.created !== COUNT) throw new Error(`import: ${JSON.stringify(imported).slice(0, 300)}`);
    const main = (await store.listAccounts(entered.book.id)).find((a) => a.name === 'Main')!;

    const matrixOnce = async (): Promise<Matrix> => {
      const m: Matrix = {};
      const years = await Promise.all(ACTUAL_YEARS.map((y) => store.statTotals(entered.book.id, `${y}-01-01`, `${y + 1}-01-01`, ['l'])));
      years.forEach((rows, i) => {
        for (const r of rows) {
          const k = `${ACTUAL_YEARS[i]}|${r.name}`;
          m[k] = (m[k] ?? 0) + (r.kind === 'income' ? r.minor : -r.minor);
        }
      });
      return m;
    };
    // The first matrix right after the import: the import started the book's rollup (the sign-up
    // record before it included, migration 0021), so it reads the rollup; then the background's
    // work (none left) is done here, and the steady figure comes from the rollup too.
    const t1 = performance.now();
    await matrixOnce();
    const firstMatrixMs = performance.now() - t1;
    await drainStats(database.db, entered.book.id);
    const matrixMs: number[] = [];
    let matrix: Matrix = {};
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      matrix = await matrixOnce();
      matrixMs.push(performance.now() - t);
    }
    const one: number[] = [];
    for (let i = 0; i < RECORDS; i++) {
      const t = performance.now();
      const replies = await dispatcher.handleMessage(message(`4.50 ${ACTUAL_LABELS[5]}`));
      one.push(performance.now() - t);
      if (!replies[0]?.text.includes('Main')) throw new Error(`no balance in the answer: ${replies[0]?.text}`);
    }
    // The balance after the import: the sign-up record (−4.50) taken out.
    return { ingestMs, one, matrixMs, matrix, firstMatrixMs, balance: main.balanceMinor + 450 };
  } finally {
    await database.close();
  }
}

/**
 * Issue 19: COIN beside Actual Budget's API on the same 100,000 transactions (one account, 20
 * labels/categories, five years): CSV ingest, one record answered with the balance, the year ×
 * label matrix; the sums must agree. Actual is installed on demand into
 * `BENCH_ACTUAL_DIR` (default `$TMPDIR/coin-actual-bench`); when it cannot be, the bench says so
 * and skips. `BENCH_ACTUAL_TRANSACTIONS` and `BENCH_ACTUAL_RECORDS` change the sizes.
 */
export async function benchActual(): Promise<string[]> {
  const dir = process.env.BENCH_ACTUAL_DIR ?? path.join(tmpdir(), 'coin-actual-bench');
  const why = installActual(dir);
  if (why) return [`skipped: ${why}`];
  const loads = [loadavg()[0]!];
  const coin = await coinSide();
  loads.push(loadavg()[0]!);
  const actual = actualSide(dir);
  loads.push(loadavg()[0]!);
  if (typeof actual === 'string') return [`skipped: ${actual}`];

  const expected = expectedMatrix(benchTransactions(COUNT));
  const cells = Object.keys(expected);
  const wrong = (m: Matrix) => cells.filter((k) => m[k] !== expected[k]);
  const expectedBalance = Object.values(expected).reduce((s, v) => s + v, 0);
  const verdict = (c: number, a: number) => (c < a ? `COIN ×${(a / c).toFixed(1)} quicker` : `COIN BEHIND (×${(c / a).toFixed(2)})`);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `${COUNT.toLocaleString('en')} transactions, ${ACTUAL_LABELS.length} labels/categories, ${ACTUAL_YEARS.length} years; COIN on PostgreSQL, Actual ${'@actual-app/api'} on its SQLite`,
    `CSV ingest: COIN ${s(coin.ingestMs)} (${Math.round(COUNT / (coin.ingestMs / 1000)).toLocaleString('en')}/s), Actual ${s(actual.ingestMs)} (${Math.round(COUNT / (actual.ingestMs / 1000)).toLocaleString('en')}/s): ${verdict(coin.ingestMs, actual.ingestMs)}`,
    `one record + balance (median of ${RECORDS}): COIN ${median(coin.one).toFixed(1)} ms (chat path, one transaction), Actual ${median(actual.one).toFixed(1)} ms: ${verdict(median(coin.one), median(actual.one))}`,
    `year × label matrix (median of 5): COIN ${median(coin.matrixMs).toFixed(1)} ms (first right after the import: ${coin.firstMatrixMs.toFixed(1)} ms), Actual ${median(actual.matrixMs).toFixed(1)} ms: ${verdict(median(coin.matrixMs), median(actual.matrixMs))}`,
    `same sums: ${wrong(coin.matrix).length === 0 && wrong(actual.matrix).length === 0 && coin.balance === expectedBalance && actual.balance === expectedBalance ? 'yes' : 'NO'} ` +
      `(${cells.length} cells; COIN ${wrong(coin.matrix).length} differ, Actual ${wrong(actual.matrix).length} differ; balance ${expectedBalance}, COIN ${coin.balance}, Actual ${actual.balance})`,
    `load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${cpus().length} CPUs (both sides in the same run, one after the other)`,
  ];
  return lines;
}
