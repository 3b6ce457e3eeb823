import pino from 'pino';
import postgres from 'postgres';
import { createRegistry } from '../bot/commands/index.js';
import { budgetAfterRecord } from '../bot/commands/budgets.js';
import { createDispatcher } from '../bot/dispatcher.js';
import { systemClock } from '../domain/clock.js';
import { createStore } from '../drizzle/store/index.js';
import { createTelegramBot, startTelegram } from '../adapters/telegram/telegram-adapter.js';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freshPostgres } from '../test/databases.js';
import { percentile } from './stats-util.js';

const CHATS = 50;
const PER_CHAT = 40; // 2,000 updates

/**
 * Issue 2: recorded events per second and update→reply latency through the whole Telegram path
 * (real grammY runner, dispatcher, PostgreSQL) with 50 chats each sending 40 records, one after
 * another (50 in flight). The Bot API double runs in a process of its own (Telegram is not on the
 * bot's machine either). Outbound throttling is off: it would cap the run at Telegram's 30
 * messages/s, which measures Telegram's limit, not COIN.
 */
export async function benchTelegram(): Promise<string[]> {
  const db = await freshPostgres();
  const tg = await startDoubleThread();
  const logger = pino({ level: 'silent' });
  const registry = createRegistry();
  const dispatcher = createDispatcher(registry, {
    store: createStore(db.db),
    clock: systemClock,
    defaults: { currency: 'EUR', timezone: 'UTC', language: 'en' },
    logger,
    // As in production: every record asks for budget alerts (free when the book has no budget).
    afterRecord: budgetAfterRecord,
  });
  const bot = createTelegramBot({ token: tg.token, apiRoot: tg.apiRoot, dispatcher, registry, logger, throttle: false });
  const stop = await startTelegram(bot, registry, { kind: 'polling' });
  await tg.call({ type: 'waitForPoll' }, 'polling');

  const latencies: number[] = [];
  // Each chat's first update also creates its user, book and account: kept apart, so the
  // steady-state figure is not hidden behind 50 first-time set-ups.
  const steady: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CHATS }, async (_, c) => {
      const chatId = 10_000 + c;
      for (let i = 1; i <= PER_CHAT; i++) {
        const s = performance.now();
        await tg.send(chatId, i, `${i}.25 coffee #bench`);
        latencies.push(performance.now() - s);
        if (i > 1) steady.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await stop();
  await tg.close();

  const [{ n }] = (await db.db.execute('select count(*)::int as n from events' as never)) as unknown as [{ n: number }];
  const insertRate = await rawInsertRate(db);
  await db.close();
  latencies.sort((a, b) => a - b);
  steady.sort((a, b) => a - b);
  return [
    `telegram path: ${CHATS * PER_CHAT} updates from ${CHATS} chats in ${seconds.toFixed(2)} s → ${((CHATS * PER_CHAT) / seconds).toFixed(0)} updates/s, ${n} events recorded`,
    `telegram path latency update→reply: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
    `steady state (each chat's first update left out): p50 ${percentile(steady, 50).toFixed(1)} ms, p99 ${percentile(steady, 99).toFixed(1)} ms`,
    `raw PostgreSQL single-row inserts (autocommit, 50 in flight): ${insertRate.toFixed(0)} rows/s`,
  ];
}

/** Starts the Bot API double in a child process and talks to it over IPC. */
async function startDoubleThread() {
  const worker = fork(fileURLToPath(new URL('./telegram-double-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  const waiting = new Map<string, () => void>();
  const ready = new Promise<{ apiRoot: string; token: string }>((resolve) => {
    worker.on('message', (m: { type: string; chatId?: number; n?: number; apiRoot?: string; token?: string }) => {
      if (m.type === 'ready') resolve({ apiRoot: m.apiRoot!, token: m.token! });
      const key = m.type === 'replied' ? `${m.chatId}:${m.n}` : m.type;
      waiting.get(key)?.();
      waiting.delete(key);
    });
  });
  const { apiRoot, token } = await ready;
  const call = (msg: object, answer: string) =>
    new Promise<void>((resolve) => {
      waiting.set(answer, resolve);
      worker.send(msg);
    });
  return {
    apiRoot,
    token,
    call,
    send: (chatId: number, n: number, text: string) => call({ type: 'send', chatId, n, text }, `${chatId}:${n}`),
    close: async () => {
      await call({ type: 'close' }, 'closed');
      worker.kill();
    },
  };
}

/** The same server's raw rate for one-row INSERTs, as a yardstick for the figures above. */
async function rawInsertRate(db: Awaited<ReturnType<typeof freshPostgres>>): Promise<number> {
  void db;
  const url = process.env.BENCH_RAW_URL;
  const sql = postgres(url ?? (await currentUrl(db)), { max: 10, onnotice: () => {} });
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

async function currentUrl(db: Awaited<ReturnType<typeof freshPostgres>>): Promise<string> {
  const res = (await db.db.execute('select current_database() as d' as never)) as unknown as [{ d: string }];
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  url.pathname = `/${res[0].d}`;
  return url.toString();
}
