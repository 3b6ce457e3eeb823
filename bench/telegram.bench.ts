import pino from 'pino';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { createRegistry } from '../bot/commands/index.js';
import { createDispatcher } from '../bot/dispatcher.js';
import { systemClock } from '../domain/clock.js';
import { createStore } from '../drizzle/store/index.js';
import { chatJournal } from '../drizzle/store/chat-journal.js';
import { fromWire, toWire, type WireReply } from '../workers/notifier.js';
import type { ChatJournal } from '../bot/chat-journal.js';
import { createTelegramBot, startTelegram } from '../adapters/telegram/telegram-adapter.js';
import { DEFAULT_GATHER_MS } from '../adapters/telegram/telegram-polling.js';
import { mountTelegramWebhook } from '../adapters/telegram/webhook.js';
import { createHttpApp } from '../adapters/http/app.js';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rowsOf } from '../drizzle/store/rows.js';
import { fileURLToPath } from 'node:url';
import { emptyDatabase } from '../test/databases.js';
import { openPostgres, type Database } from '../drizzle/db.js';
import { loadavg } from 'node:os';
import { percentile } from './stats-util.js';
import { cpuSince, pidsCpuMs } from './proc-cpu.js';
import { wakeCost } from './wake-cost.js';
import { createMetrics, histogramValue, type Metrics } from '../app/metrics.js';
import type { LoadResult, LoadSpec } from './telegram-load.js';

const CHATS = 50;
const PER_CHAT = 40; // 2,000 updates per run
const RATE = Number(process.env.BENCH_TG_RATE ?? 1000); // the issue's target load, updates/s (BENCH_TG_RATE: another)
/** The gather window, ms (BENCH_TG_GATHER; default: production's, 20). */
const GATHER = process.env.BENCH_TG_GATHER === undefined ? DEFAULT_GATHER_MS : Number(process.env.BENCH_TG_GATHER);
/** BENCH_TG_INTAKE=webhook: updates arrive as Telegram's webhook sends them instead of by long polling. */
const WEBHOOK = process.env.BENCH_TG_INTAKE === 'webhook';
const MODERATE = 300; // a load between idle and busy, updates/s (printed, not a target)
const WARM_PER_CHAT = 100; // 5,000 updates before the counted runs
/** Other chats in the database before the runs (BENCH_TG_SEED, a multiple of 500). */
const SEED = Number(process.env.BENCH_TG_SEED ?? 10_000);

/**
 * Recorded events per second and update→reply latency through the whole Telegram path
 * (grammY polling, the durable inbox, dispatcher, PostgreSQL, outbox, reply), each run 2,000
 * updates from 50 chats, in two shapes one after the other in the same run: one update per
 * transaction (the applier's batches of one) and batched (the default; issue 19):
 *
 * 1. saturation — each chat sends its next record as soon as the previous one is answered
 *    (50 in flight): the most updates per second the bot gets through;
 * 2. target load, three times — 1,000 updates/s arrive on a fixed schedule whatever the bot does,
 *    and each latency counts from the moment its update was due: what users see at that load
 *    (`BENCH_TG_RATE` sets another);
 * 3. a moderate load, 300 updates/s, once: printed, not a target, not in the summary.
 *
 * The bot polls as in production, with its gather window (`BENCH_TG_GATHER` sets another; 0: none);
 * `BENCH_TG_INTAKE=webhook` has the double POST each update to the bot's webhook route instead.
 *
 * Each run also prints CPU per update (bot process, this database's PostgreSQL backends, the API
 * double), statements the bot sent and commits per update; the summary gives the share of raw
 * single-row INSERT commits on the same server and the batched ÷ one-per-transaction ratios.
 * (In a closed loop latency is only in-flight count ÷ throughput — 50 in flight at 1,000/s is
 * 50 ms by arithmetic — so latency is measured at a stated load, as load generators like wrk2 do.)
 * Each run uses 50 new chats, so every chat's first update (sign-up) is in the figures. The Bot
 * API double runs in a process of its own (Telegram is not on the bot's machine) and generates
 * the load there (`bench/telegram-load.ts`). Outbound throttling is off: it would cap the run at
 * Telegram's 30 messages/s, which measures Telegram's limit, not COIN.
 */
export async function benchTelegram(): Promise<string[]> {
  let statements = 0;
  const empty = await emptyDatabase();
  const db = await openPostgres(empty.url, { max: Number(process.env.BENCH_POOL ?? 10), debug: () => void statements++ });
  const tg = await startDoubleProcess();
  const lines: string[] = [`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`];
  const rawBefore = await rawInsertRate(empty.url);
  lines.push(`raw PostgreSQL single-row INSERT commits (autocommit, 50 in flight), same server, before the runs: ${rawBefore.toFixed(0)} rows/s`);
  // The machine's price of waking a process for little work (bench/wake-cost.ts): much of why CPU
  // per update is higher at a moderate load than at saturation for the same work per update.
  if (existsSync('/proc/self/stat')) {
    const w = await wakeCost(empty.url);
    lines.push(
      `the same small query's CPU (backend + client), back to back: ${w.busy.backendUs.toFixed(0)} + ${w.busy.clientUs.toFixed(0)} µs; one every 3 ms: ${w.gapped.backendUs.toFixed(0)} + ${w.gapped.clientUs.toFixed(0)} µs (×${((w.gapped.backendUs + w.gapped.clientUs) / (w.busy.backendUs + w.busy.clientUs)).toFixed(1)})`,
    );
  }
  // The same load through both shapes, one after the other in this run: one update per
  // transaction (as before issue 19, with the default 8 chats at once) and batched (the default).
  const modes = [
    { name: 'one update per transaction', concurrency: 8, batch: { chats: 1, perChat: 1 } },
    { name: 'batched', concurrency: process.env.BENCH_TG_CONC ? Number(process.env.BENCH_TG_CONC) : undefined, batch: undefined },
  ].filter((m) => !process.env.BENCH_TG_MODE || m.name.startsWith(process.env.BENCH_TG_MODE));
  const summary: { name: string; sat: number; cpu: number; stmts: number; commits: number; p99: number }[] = [];
  let base = 10_000;
  for (const mode of modes) {
    lines.push(`— ${mode.name} (${WEBHOOK ? 'webhook: one update per request, up to 40 at once, as Telegram sends them' : 'long polling'}; gather window ${GATHER} ms) —`);
    const logger = pino({ level: 'silent' });
    const registry = createRegistry();
    const journal: ChatJournal = chatJournal(db.db, { encode: toWire, decode: (v) => fromWire(v as WireReply) });
    const dispatcher = createDispatcher(registry, {
      store: createStore(db.db),
      clock: systemClock,
      defaults: { currency: 'EUR', timezone: 'UTC', language: 'en' },
      logger,
      // As in production: every record asks for budget alerts (free when the book has no budget).
      transact: (work) => journal.transact(work),
    });
    // As in production, with metrics: each run prints where an update's time went from them.
    const metrics = createMetrics();
    const bot = createTelegramBot({ token: tg.token, apiRoot: tg.apiRoot, dispatcher, registry, logger, journal, throttle: false, concurrency: mode.concurrency, batch: mode.batch, metrics });
    let stop: () => Promise<void>;
    if (WEBHOOK) {
      // As a replica serves it: the webhook route on COIN's HTTP app, here in the bot's process;
      // the double POSTs each update to it (test/doubles/telegram-webhook-sender.ts).
      const secret = `bench-${process.pid}-webhook-secret`;
      const app = createHttpApp({ logger, metrics, pingDatabase: async () => {}, mount: (a) => mountTelegramWebhook(a, bot, secret) });
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram/webhook`;
      const stopBot = await startTelegram(bot, registry, { kind: 'webhook', url, secret, gatherMs: GATHER });
      await tg.call({ type: 'webhook', url, secret }, 'webhooking');
      stop = async () => {
        await tg.call({ type: 'unhook' }, 'unhooked');
        await stopBot();
        await new Promise((resolve) => server.close(resolve));
      };
    } else {
      stop = await startTelegram(bot, registry, { kind: 'polling', gatherMs: GATHER });
      await tg.call({ type: 'waitForPoll' }, 'polling');
    }
    // The target-load run three times (each with 50 new chats): one run's p99 is its 20 slowest
    // updates, so the median of three says more than any one.
    // Then a moderate load, not a target (session 13): CPU per update there is about three times
    // the figure at 1,000/s — each process wakes for little work, and on this kind of machine a
    // query after a pause costs about twice one back to back (the wake-cost line above; docs/scaling.md).
    const runs: { name: string; spec: LoadSpec; moderate?: boolean }[] = [
      { name: 'saturation', spec: { mode: 'closed', chats: CHATS, perChat: PER_CHAT, chatBase: (base += 1000) } },
      ...[1, 2, 3].map((i) => ({
        name: `at ${RATE} updates/s, run ${i}`,
        spec: { mode: 'open' as const, chats: CHATS, perChat: PER_CHAT, chatBase: (base += 1000), rate: RATE },
      })),
      {
        name: `at ${MODERATE} updates/s (a moderate load: not a target)`,
        spec: { mode: 'open' as const, chats: CHATS, perChat: PER_CHAT, chatBase: (base += 1000), rate: MODERATE },
        moderate: true,
      },
    ];
    // Other users first (session 12): a bot has thousands of chats, and a statement whose plan scans
    // a whole table costs more with each of them — on a database of 300 chats it does not show.
    // BENCH_TG_SEED other chats (default 10,000; before the first mode) send two records each through the same path, then
    // the tables are analysed, as autovacuum does on a live database.
    if (SEED > 0 && mode === modes[0]) {
      const s0 = performance.now();
      for (let i = 0; i < SEED / 500; i++) await tg.run({ mode: 'closed', chats: 500, perChat: 2, chatBase: (base += 1000) });
      await db.db.execute(sql`analyze`);
      lines.push(`other chats (not counted): ${SEED} chats with 2 records each in ${((performance.now() - s0) / 1000).toFixed(1)} s, then ANALYZE`);
    }
    // Warm-up, not counted: the first updates of a new process run cold (V8 compiles the path in
    // tiers, each pool connection plans its statements on first use, PostgreSQL's backends switch to
    // generic plans after five runs) and cost about twice the CPU of the steady state, which is what
    // a bot that has been up for a minute runs at. 500 updates were not enough (session 10, one
    // machine, the saturation run alone: bot CPU per update 1.21 ms after 500, 0.72–0.79 after
    // 2,000, 0.63 after 5,000; the double's own fell from 0.39 to 0.18 as it warmed too).
    const warm = await tg.run({ mode: 'closed', chats: CHATS, perChat: WARM_PER_CHAT, chatBase: (base += 1000) });
    lines.push(`warm-up (not counted): ${CHATS * WARM_PER_CHAT} updates in ${warm.seconds.toFixed(2)} s`);
    const openP99: number[] = [];
    // BENCH_CPU_PROFILE=file.cpuprofile: the bot process's CPU profile of the counted runs only
    // (not the warm-up, nor the raw INSERT measurement that shares this process).
    const profiler = process.env.BENCH_CPU_PROFILE ? await startProfile() : undefined;
    for (const { name, spec, moderate } of runs) {
      for (const h of [metrics.stage, metrics.latency, metrics.replyWait]) h.reset();
      const cpu0 = process.cpuUsage();
      const pg0 = await postgresCpuMs(db);
      const st0 = statements;
      const commits0 = await commits(db);
      const wal0 = await walLsn(db);
      const r = await tg.run(spec);
      const cpu = process.cpuUsage(cpu0);
      const pgMs = cpuSince(pg0, await postgresCpuMs(db));
      const st = statements - st0;
      await new Promise((res) => setTimeout(res, 1100)); // PostgreSQL publishes its counters at most once a second
      const n = CHATS * PER_CHAT;
      const cm = (await commits(db)) - commits0;
      const walB = await walSince(db, wal0);
      const all = r.latencies.flat().sort((a, b) => a - b);
      const steady = r.latencies.flatMap((l) => l.slice(1)).sort((a, b) => a - b);
      const first = r.latencies.map((l) => l[0]!).sort((a, b) => a - b);
      const ms = (x: number): string => x.toFixed(1);
      // BENCH_TRACE=1: the first 160 latencies in arrival order (how a backlog builds and drains).
      if (process.env.BENCH_TRACE) {
        const byArrival = Array.from({ length: n }, (_, k) => r.latencies[k % CHATS]![Math.floor(k / CHATS)]!);
        console.log(name, byArrival.slice(0, 160).map((x) => x.toFixed(0)).join(' '));
      }
      const botMs = (cpu.user + cpu.system) / 1000 / n;
      const total = botMs + (Number.isNaN(pgMs) ? 0 : pgMs / n) + r.cpuMs / n;
      lines.push(
        `${name}: ${n} updates from ${CHATS} chats in ${r.seconds.toFixed(2)} s → ${(n / r.seconds).toFixed(0)} updates/s (load average ${loadavg()[0]!.toFixed(1)})`,
        `  update→reply: p50 ${ms(percentile(all, 50))} ms, p99 ${ms(percentile(all, 99))} ms, max ${ms(all.at(-1)!)} ms` +
          ` (each chat's first update: p50 ${ms(percentile(first, 50))} ms; the rest: p99 ${ms(percentile(steady, 99))} ms)`,
        `  CPU per update: bot ${botMs.toFixed(2)} ms (user ${(cpu.user / 1000 / n).toFixed(2)}, system ${(cpu.system / 1000 / n).toFixed(2)}), PostgreSQL ${Number.isNaN(pgMs) ? 'n/a' : (pgMs / n).toFixed(2) + ' ms'}, API double ${(r.cpuMs / n).toFixed(2)} ms → ${total.toFixed(2)} ms in all (target ≤ 1 ms)`,
        `  per update: ${(st / n).toFixed(2)} statements sent by the bot (round trips), ${(cm / n).toFixed(2)} commits, ${(walB / n).toFixed(0)} bytes of WAL (the whole server), ${(r.messages / n).toFixed(2)} messages sent`,
        `  where an update's time went in the bot (means, from its metrics): ${await stageMeans(metrics)}`,
      );
      if (moderate) continue;
      if (spec.mode === 'open') openP99.push(percentile(all, 99));
      else summary.push({ name: mode.name, sat: n / r.seconds, cpu: total, stmts: st / n, commits: cm / n, p99: NaN });
    }
    const sorted = [...openP99].sort((a, b) => a - b);
    summary.at(-1)!.p99 = sorted[1]!;
    lines.push(`p99 at ${RATE} updates/s over ${sorted.length} runs: ${openP99.map((x) => x.toFixed(1)).join(', ')} ms → median ${sorted[1]!.toFixed(1)} ms (target < 50 ms)`);
    if (profiler) lines.push(`CPU profile of the runs (${mode.name}): ${await profiler.stop(process.env.BENCH_CPU_PROFILE!.replace(/(\.cpuprofile)?$/, `-${mode.name.split(' ')[0]}.cpuprofile`))}`);
    await stop();
  }
  await tg.close();

  const [{ n }] = (await db.db.execute('select count(*)::int as n from events' as never)) as unknown as [{ n: number }];
  const rawAfter = await rawInsertRate(empty.url);
  await db.close();
  await empty.drop();
  const raw = (rawBefore + rawAfter) / 2;
  lines.push(
    `events recorded: ${n} of ${modes.length * (5 * CHATS * PER_CHAT + CHATS * WARM_PER_CHAT) + 2 * SEED}`,
    `raw PostgreSQL single-row INSERT commits after the runs: ${rawAfter.toFixed(0)} rows/s (mean of both: ${raw.toFixed(0)})`,
    ...summary.map((m) => `${m.name}: saturation ${m.sat.toFixed(0)} updates/s = ${((100 * m.sat) / raw).toFixed(1)} % of raw INSERT commits (target ≥ 10 %); CPU ${m.cpu.toFixed(2)} ms/update; ${m.stmts.toFixed(2)} statements and ${m.commits.toFixed(2)} commits per update; median p99 at ${RATE}/s ${m.p99.toFixed(1)} ms`),
  );
  if (summary.length === 2) {
    const [a, b] = summary as [(typeof summary)[0], (typeof summary)[0]];
    lines.push(`batched vs one per transaction, same run: throughput ×${(b.sat / a.sat).toFixed(2)}, CPU per update ×${(b.cpu / a.cpu).toFixed(2)}, statements ×${(b.stmts / a.stmts).toFixed(2)}, commits ×${(b.commits / a.commits).toFixed(2)}, p99 at ${RATE}/s ×${(b.p99 / a.p99).toFixed(2)}`);
  }
  lines.push(`load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  return lines;
}

/** Commits in the bench database so far (PostgreSQL's own counter). */
async function commits(db: Database): Promise<number> {
  await db.db.execute('select pg_stat_clear_snapshot()' as never);
  const [{ c }] = (await db.db.execute('select xact_commit::bigint::float8 as c from pg_stat_database where datname = current_database()' as never)) as unknown as [{ c: number }];
  return c;
}

/** The server's WAL position now. */
const walLsn = async (db: Database): Promise<string> => rowsOf<{ l: string }>(await db.db.execute(sql`select pg_current_wal_lsn()::text as l`))[0]!.l;
/** Bytes of WAL the server wrote since `lsn` (every database on it: nothing else runs during the bench). */
const walSince = async (db: Database, lsn: string): Promise<number> =>
  Number(rowsOf<{ b: string | number }>(await db.db.execute(sql`select pg_wal_lsn_diff(pg_current_wal_lsn(), ${lsn}::pg_lsn)::bigint as b`))[0]!.b);

/**
 * CPU time so far of the PostgreSQL backends serving the bench database, ms (NaN where /proc is
 * missing). Only this database's backends: the server is shared with other work, whose CPU
 * must not be counted as COIN's. (WAL writer and checkpointer are left out for the same reason.)
 */
async function postgresCpuMs(db: Database): Promise<Map<number, number>> {
  const pids = rowsOf<{ pid: number }>(await db.db.execute('select pid from pg_stat_activity where datname = current_database()' as never)).map((r) => r.pid);
  if (!existsSync('/proc/self/stat')) return new Map([[-1, NaN]]);
  return pidsCpuMs(pids);
}

/**
 * The means of the bot's stage histograms (app/metrics.ts): received → held in the inbox → its
 * batch began → committed, and a committed reply's wait until the double accepted it. The rest of
 * update→reply is the double's side: the update waiting for the bot's next getUpdates, the HTTP.
 */
async function stageMeans(m: Metrics): Promise<string> {
  const mean = async (h: Metrics['stage'], labels: Record<string, string>): Promise<string> => {
    const count = await histogramValue(h, 'count', labels);
    return count ? `${((1000 * (await histogramValue(h, 'sum', labels))) / count).toFixed(1)} ms` : 'n/a';
  };
  const stage = (s: string) => mean(m.stage, { platform: 'telegram', stage: s });
  return `hold ${await stage('hold')}, wait ${await stage('wait')}, apply ${await stage('apply')} → committed ${await mean(m.latency, { platform: 'telegram' })}; reply wait ${await mean(m.replyWait, { platform: 'telegram' })}`;
}

/** Starts the Bot API double in a child process and talks to it over IPC. */
export async function startDoubleProcess() {
  const worker = fork(fileURLToPath(new URL('./telegram-double-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  const waiting = new Map<string, (m: Message) => void>();
  type Message = { type: string; apiRoot?: string; token?: string; result?: LoadResult };
  const ready = new Promise<{ apiRoot: string; token: string }>((resolve) => {
    worker.on('message', (m: Message) => {
      if (m.type === 'ready') resolve({ apiRoot: m.apiRoot!, token: m.token! });
      waiting.get(m.type)?.(m);
      waiting.delete(m.type);
    });
  });
  const { apiRoot, token } = await ready;
  const call = (msg: object, answer: string) =>
    new Promise<Message>((resolve) => {
      waiting.set(answer, resolve);
      worker.send(msg);
    });
  return {
    apiRoot,
    token,
    call,
    run: async (spec: LoadSpec) => (await call({ type: 'run', spec }, 'result')).result!,
    close: async () => {
      await call({ type: 'close' }, 'closed');
      worker.kill();
    },
  };
}

/** The same server's raw rate for one-row INSERT commits, as a yardstick for the figures above. */
async function rawInsertRate(dbUrl: string): Promise<number> {
  const sql = postgres(process.env.BENCH_RAW_URL ?? dbUrl, { max: 10, onnotice: () => {} });
  await sql`create table if not exists bench_raw (id bigserial primary key, book_id int, amount bigint, note text, at timestamptz default now())`;
  const N = 4000;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < N) {
        next++;
        await sql`insert into bench_raw (book_id, amount, note) values (${1}, ${425}, ${'coffee'})`;
      }
    }),
  );
  const rate = N / ((performance.now() - t0) / 1000);
  await sql.end();
  return rate;
}

/** A CPU profile of this process from now until `stop`, written as a `.cpuprofile` (Chrome DevTools, `node --cpu-prof` format). */
async function startProfile(): Promise<{ stop(file: string): Promise<string> }> {
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await writeFile(file, JSON.stringify(profile));
      return file;
    },
  };
}
