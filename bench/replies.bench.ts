import { loadavg } from 'node:os';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { createRegistry } from '../bot/commands/index.js';
import { createDispatcher } from '../bot/dispatcher.js';
import type { ChatJournal } from '../bot/chat-journal.js';
import { systemClock } from '../domain/clock.js';
import { createStore } from '../drizzle/store/index.js';
import { chatJournal } from '../drizzle/store/chat-journal.js';
import { fromWire, toWire, type WireReply } from '../workers/notifier.js';
import { createTelegramBot, startTelegram } from '../adapters/telegram/telegram-adapter.js';
import { freshPostgres } from '../test/databases.js';
import { percentile } from './stats-util.js';
import { startDoubleProcess } from './telegram.bench.js';
import type { RepliesResult, RepliesSpec } from './replies-load.js';

const CHATS = Number(process.env.BENCH_REPLY_CHATS ?? 500);
const BURST = 10;
const SPREAD_MS = 10_000;

/**
 * Issue 12: replies through the durable outbox under a realistic mix — 500 chats, each sending a
 * burst of 10 records at a moment spread over 10 s (5,000 records, 500/s) — with the outbound
 * throttler on (Telegram's 1 message/s per chat, 30/s overall) and, beside it, off. Per record:
 * the time from its burst to the message that answers it (bursts are answered coalesced).
 */
export async function benchReplies(): Promise<string[]> {
  const lines: string[] = [];
  for (const throttle of [true, false]) {
    const db = await freshPostgres();
    const tg = await startDoubleProcess();
    const logger = pino({ level: 'silent' });
    const registry = createRegistry();
    const journal: ChatJournal = chatJournal(db.db, { encode: toWire, decode: (v) => fromWire(v as WireReply) });
    const dispatcher = createDispatcher(registry, {
      store: createStore(db.db),
      clock: systemClock,
      defaults: { currency: 'EUR', timezone: 'UTC', language: 'en' },
      logger,
      transact: (work) => journal.transact(work),
    });
    const tb = createTelegramBot({ token: tg.token, apiRoot: tg.apiRoot, dispatcher, registry, logger, journal, throttle });
    const stop = await startTelegram(tb, registry, { kind: 'polling' });
    await tg.call({ type: 'waitForPoll' }, 'polling');
    let peak = 0;
    const load0 = loadavg()[0]!;
    const sampling = setInterval(() => (peak = Math.max(peak, tb.sender.pending)), 50);
    const spec: RepliesSpec = { chats: CHATS, burst: BURST, spreadMs: SPREAD_MS, chatBase: 100_000 };
    const r = (await tg.call({ type: 'replies', replies: spec }, 'repliesResult')) as unknown as { result: RepliesResult };
    clearInterval(sampling);
    const all = [...r.result.latencies].sort((a, b) => a - b);
    const n = CHATS * BURST;
    const s = (x: number) => (x / 1000).toFixed(2);
    lines.push(
      `throttler ${throttle ? 'on ' : 'off'}: ${n} records from ${CHATS} chats (bursts of ${BURST} over ${SPREAD_MS / 1000} s) answered in ${r.result.seconds.toFixed(1)} s → ${(n / r.result.seconds).toFixed(0)} records/s, ${r.result.messages} messages (${(n / r.result.messages).toFixed(1)} records each)`,
      `  burst→answer: p50 ${s(percentile(all, 50))} s, p99 ${s(percentile(all, 99))} s, max ${s(all.at(-1)!)} s; replies held in memory at most: ${peak}; load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`,
    );
    await stop();
    await tg.close();
    await db.close();
  }
  lines.push(await orderingCost(), `load average ${loadavg()[0]!.toFixed(1)} (2 cores)`);
  return lines;
}

/**
 * What serialising a chat across processes costs: the same transaction (take the chat's oldest
 * pending inbox row) 2,000 times from 8 connections over 200 chats, with and without the per-chat
 * advisory lock that `applyNext` takes first.
 */
async function orderingCost(): Promise<string> {
  const db = await freshPostgres();
  const N = 2000;
  const run = async (lock: boolean) => {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < N) {
          const chat = `telegram:${next++ % 200}`;
          await db.db.transaction(async (tx) => {
            if (lock) await tx.execute(sql`select pg_advisory_xact_lock(120012, hashtext(${chat}))`);
            await tx.execute(sql`select key, seq, payload from chat_inbox where chat_key = ${chat} and done_at is null order by seq limit 1`);
          });
        }
      }),
    );
    return ((performance.now() - t0) * 1000) / N;
  };
  await run(true); // warm-up
  const without = await run(false);
  const withLock = await run(true);
  await db.close();
  return `per-chat ordering (advisory lock per update): ${withLock.toFixed(0)} µs vs ${without.toFixed(0)} µs per transaction without it (+${(withLock - without).toFixed(0)} µs, 8 connections)`;
}
