import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import pino from 'pino';
import { createRegistry } from '../bot/commands/index.js';
import { createDispatcher } from '../bot/dispatcher.js';
import type { Services } from '../bot/services.js';
import { systemClock } from '../domain/clock.js';
import { openPglite } from '../drizzle/db.js';
import { chatJournal } from '../drizzle/store/chat-journal.js';
import { createStore } from '../drizzle/store/index.js';
import { fromWire, toWire, type WireReply } from '../workers/notifier.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RECORDS = Number(process.env.BENCH_EMBEDDED_RECORDS ?? 1000);
const IDLE_MS = Number(process.env.BENCH_EMBEDDED_IDLE_MS ?? 10_000);

/** One way of starting COIN: this checkout's `npm start`, or an older checkout's. */
interface Variant {
  name: string;
  cwd: string;
}

interface Figures {
  firstAnswerMs: number;
  idleRssMb: number;
  afterRssMb: number;
  peakRssMb: number;
}

/** VmRSS and VmHWM of a process, in MB (Linux /proc). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Resolves when the output so far contains `text` (or rejects after `ms`). */
function waitFor(child: ChildProcessWithoutNullStreams, out: { text: string }, text: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.text.includes(text)) return resolve();
    const timer = setTimeout(() => {
      child.stdout.off('data', check);
      reject(new Error(`no "${text}" in ${ms} ms; last output: ${out.text.slice(-300)}`));
    }, ms);
    const check = () => {
      if (!out.text.includes(text)) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve();
    };
    child.stdout.on('data', check);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node arguments of a checkout's `npm start` (`exec node <args>`), run here without npm in between. */
function npmStart(cwd: string): string[] {
  const start = (JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.trim().split(/\s+/).filter((w) => w !== 'exec');
  if (words[0] !== 'node') throw new Error(`npm start is not "node …": ${start}`);
  return words.slice(1);
}

/** What `npm install` prepares for `npm start` (the compiled sources, where a checkout has them): done before the starts are timed. */
function prepareStart(cwd: string): void {
  if (existsSync(path.join(cwd, 'app/start.mjs'))) execFileSync(process.execPath, ['app/start.mjs', '--build'], { cwd, stdio: 'ignore' });
}

/**
 * The embedded mode as `npm start` runs it with no DATABASE_URL and no tokens (PGlite under
 * DATA_DIR, in-process jobs, the terminal chat): time to the first answer, RSS after IDLE_MS
 * idle, then 19 more records and `/stats` (a chart rendered in-process) and the RSS idle after
 * them, and the peak. A new DATA_DIR, or (`recordsBefore` > 0) a restart on one that has them.
 */
async function run(v: Variant, dataDir: string, recordsBefore = 0): Promise<Figures> {
  const t0 = performance.now();
  const child = spawn(process.execPath, npmStart(v.cwd), {
    cwd: v.cwd,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir, PORT: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out = { text: '' };
  child.stdout.on('data', (d) => (out.text += d));
  child.stderr.on('data', () => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    child.stdin.write('4.50 coffee\n');
    await waitFor(child, out, `#${recordsBefore + 1} `, 120_000);
    const firstAnswerMs = performance.now() - t0;
    await sleep(IDLE_MS);
    const idle = memory(child.pid!);
    // Within the terminal chat's rate limit (20 at once, then one a second).
    child.stdin.write(Array.from({ length: 19 }, (_, i) => `1.00 r${i + 1}\n`).join('') + '/stats\n');
    await waitFor(child, out, '[chart saved to', 120_000);
    await sleep(IDLE_MS);
    const after = memory(child.pid!);
    return { firstAnswerMs, idleRssMb: idle.rss, afterRssMb: after.rss, peakRssMb: after.peak };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

/**
 * Issue 19 targets for the embedded mode: RSS idle ≤ 250 MB, first start ≤ 4 s, ≥ 500 records/s
 * on PGlite. With `BENCH_EMBEDDED_BEFORE=<dir>` (an older checkout with its node_modules) both
 * run in turns in the same run, and the ratios are printed.
 */
export async function benchEmbedded(): Promise<string[]> {
  const variants: Variant[] = [{ name: 'this checkout', cwd: ROOT }];
  const before = process.env.BENCH_EMBEDDED_BEFORE;
  if (before && existsSync(path.join(before, 'app/cli.ts'))) variants.push({ name: `before (${path.basename(before)})`, cwd: before });
  const runs = Number(process.env.BENCH_EMBEDDED_RUNS ?? 3);
  const scratch = mkdtempSync(path.join(tmpdir(), 'coin-bench-embedded-'));
  const results = new Map<Variant, Figures[]>(variants.map((v) => [v, []]));
  /** This checkout started again on the folder of its first start (20 records in it). */
  const restarts: Figures[] = [];
  const loads: number[] = [];
  for (const v of variants) prepareStart(v.cwd);
  try {
    for (let i = 0; i < runs; i++)
      for (const v of variants) {
        const dir = path.join(scratch, `d${i}-${variants.indexOf(v)}`);
        results.get(v)!.push(await run(v, dir));
        loads.push(loadavg()[0]!);
        if (v !== variants[0]) continue;
        restarts.push(await run(v, dir, 20));
        loads.push(loadavg()[0]!);
      }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const summary = (fs: Figures[]) => ({
    first: median(fs.map((f) => f.firstAnswerMs)) / 1000,
    idle: median(fs.map((f) => f.idleRssMb)),
    after: median(fs.map((f) => f.afterRssMb)),
    peak: median(fs.map((f) => f.peakRssMb)),
  });
  const lines: string[] = [];
  const mine = summary(results.get(variants[0]!)!);
  for (const v of variants) {
    const s = summary(results.get(v)!);
    lines.push(
      `${v.name}: first start to the first answer ${s.first.toFixed(2)} s (target ≤ 4 s: ${s.first <= 4 ? 'met' : 'MISSED'}); ` +
        `RSS idle ${s.idle.toFixed(0)} MB (target ≤ 250 MB: ${s.idle <= 250 ? 'met' : 'MISSED'}); ` +
        `RSS idle after 20 records and /stats with its chart ${s.after.toFixed(0)} MB, peak ${s.peak.toFixed(0)} MB (medians of ${runs})`,
    );
  }
  const again = summary(restarts);
  lines.push(
    `this checkout started again on that folder (20 records in it): to the first answer ${again.first.toFixed(2)} s; ` +
      `RSS idle ${again.idle.toFixed(0)} MB (target ≤ 250 MB: ${again.idle <= 250 ? 'met' : 'MISSED'}); ` +
      `after 20 more records and /stats ${again.after.toFixed(0)} MB, peak ${again.peak.toFixed(0)} MB (medians of ${runs})`,
  );
  for (const v of variants.slice(1)) {
    const s = summary(results.get(v)!);
    lines.push(
      `same run, this checkout vs ${v.name}: RSS idle ×${(s.idle / mine.idle).toFixed(2)} less, after /stats ×${(s.after / mine.after).toFixed(2)} less, first start ×${(s.first / mine.first).toFixed(2)} quicker`,
    );
  }
  const rpsDir = mkdtempSync(path.join(tmpdir(), 'coin-bench-embedded-rps-'));
  try {
    const rps = await pgliteRecordsPerSecond(path.join(rpsDir, 'pglite'), RECORDS);
    lines.push(
      `${RECORDS} records one after the other through the chat path on PGlite (a new DATA_DIR): ${rps.toFixed(0)} records/s ` +
        `(target ≥ 500: ${rps >= 500 ? 'met' : 'MISSED'}; load average ${loadavg()[0]!.toFixed(1)})`,
    );
  } finally {
    rmSync(rpsDir, { recursive: true, force: true });
  }
  lines.push(`load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the runs on ${cpus().length} CPUs`);
  return lines;
}

/**
 * Records per second on PGlite through the whole chat path below the terminal (dispatcher, one
 * transaction per message with its inbox and reply rows, the record use case), one message after
 * the other as a terminal chat sends them — without the per-chat rate limit (20 at once, then one
 * a second), which the terminal chat keeps.
 */
export async function pgliteRecordsPerSecond(dataDir: string, records: number): Promise<number> {
  const database = await openPglite(dataDir);
  try {
    const journal = chatJournal(database.db, { encode: toWire, decode: (v) => fromWire(v as WireReply) });
    const services: Services = {
      store: createStore(database.db),
      clock: systemClock,
      defaults: { currency: 'EUR', timezone: 'UTC', language: 'en' },
      logger: pino({ level: 'silent' }),
      transact: (work) => journal.transact(work),
    };
    const dispatcher = createDispatcher(createRegistry(), services);
    const say = (text: string) =>
      dispatcher.handleMessage({
        chat: { platform: 'console', chatId: 'local', kind: 'private', title: 'bench' },
        from: { platform: 'console', externalId: 'bench', name: 'bench' },
        platformAdmin: false,
        text,
        addressedToBot: true,
      });
    await say('4.50 coffee');
    for (let i = 0; i < 50; i++) await say(`1.00 warm${i}`);
    const t0 = performance.now();
    for (let i = 0; i < records; i++) await say(`1.00 r${i}`);
    return records / ((performance.now() - t0) / 1000);
  } finally {
    await database.close();
  }
}
