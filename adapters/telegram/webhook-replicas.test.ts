import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { createRegistry } from '../../bot/commands/index.js';
import { createDispatcher } from '../../bot/dispatcher.js';
import type { ChatJournal } from '../../bot/chat-journal.js';
import { systemClock } from '../../domain/clock.js';
import { openPostgres, type Database } from '../../drizzle/db.js';
import { chatJournal } from '../../drizzle/store/chat-journal.js';
import { createStore } from '../../drizzle/store/index.js';
import { rowsOf } from '../../drizzle/store/rows.js';
import { freshPostgres } from '../../test/databases.js';
import { startTelegramDouble, type TelegramDouble } from '../../test/doubles/telegram-api.js';
import { fromWire, toWire, type WireReply } from '../../workers/notifier.js';
import { createTelegramBot, type TelegramBot } from './telegram-adapter.js';
import { mountTelegramWebhook } from './webhook.js';

const SECRET = 'replica-secret_0123456789abcdef';

/**
 * Two replicas in webhook mode (each its own connection pool, as two processes would have) on
 * one database, updates of the same chats arriving at either (issue 16's load balancer): one
 * chat's updates take effect in arrival order and once.
 */
describe('webhook replicas keep each chat in order', () => {
  let tg: TelegramDouble;
  let main: Database;
  const replicas: { db: Database; tb: TelegramBot; app: Hono }[] = [];

  beforeAll(async () => {
    tg = await startTelegramDouble();
    main = await freshPostgres();
    const name = rowsOf<{ name: string }>(await main.db.execute(sql`select current_database() as name`))[0]!.name;
    const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
    url.pathname = `/${name}`;
    for (let i = 0; i < 2; i++) {
      const db = await openPostgres(url.toString(), { max: 4 });
      const journal: ChatJournal = chatJournal(db.db, { encode: toWire, decode: (v) => fromWire(v as WireReply) });
      const registry = createRegistry();
      const logger = pino({ level: 'silent' });
      const dispatcher = createDispatcher(registry, {
        store: createStore(db.db),
        clock: systemClock,
        defaults: { currency: 'EUR', timezone: 'UTC', language: 'en' },
        logger,
        transact: (w) => journal.transact(w),
      });
      const tb = createTelegramBot({
        token: tg.token,
        apiRoot: tg.apiRoot,
        dispatcher,
        registry,
        logger,
        journal,
        throttle: false,
        botInfo: { id: tg.bot.id, is_bot: true, first_name: tg.bot.first_name, username: tg.bot.username } as never,
      });
      const app = new Hono();
      mountTelegramWebhook(app, tb, SECRET);
      replicas.push({ db, tb, app });
    }
  });
  afterAll(async () => {
    for (const r of replicas) {
      await r.tb.applier.stop(2000);
      await r.tb.sender.drain(2000);
      await r.db.close();
    }
    await tg?.close();
    await main?.close();
  });

  let updateId = 1000;
  const post = async (replica: number, chat: number, text: string): Promise<Response> =>
    replicas[replica]!.app.request('/telegram/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET },
      body: JSON.stringify({
        update_id: ++updateId,
        message: { message_id: updateId, date: 1_795_000_000, chat: { id: chat, type: 'private', first_name: `U${chat}` }, from: { id: chat, is_bot: false, first_name: `U${chat}` }, text },
      }),
    });

  it('GIVEN records and /undo of one chat alternating between two replicas THEN #N follow arrival, /undo undoes the record before it, nothing twice', async () => {
    const chats = [7001, 7002, 7003, 7004, 7005, 7006];
    const script = ['1.25 r1', '2.25 r2', '3.25 r3', '/undo', '4.25 r4', '5.25 r5', '6.25 r6', '/undo', '7.25 r7', '8.25 r8'];
    // Telegram delivers a chat's updates in sequence (the next one after the previous one's
    // answer; chats concurrently): each chat's next update goes out as soon as the previous one is
    // answered — held, not yet applied — and to the other replica than the one before.
    const statuses = (
      await Promise.all(
        chats.map(async (chat, i) => {
          const got: number[] = [];
          for (let k = 0; k < script.length; k++) got.push((await post((k + i) % 2, chat, script[k]!)).status);
          return got;
        }),
      )
    ).flat();
    expect(new Set(statuses)).toEqual(new Set([200]));
    // Both replicas applied their share.
    const deadline = Date.now() + 20_000;
    let pending = 1;
    while (pending > 0 && Date.now() < deadline) {
      pending = rowsOf<{ pending: number }>(await main.db.execute(sql`select count(*)::int as pending from chat_inbox where done_at is null`))[0]!.pending;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(pending).toBe(0);
    expect(replicas.every((r) => r.tb.applier.applied > 0)).toBe(true);
    const events = rowsOf<{ chat_id: string; seq: number; note: string; deleted: boolean }>(
      await main.db.execute(sql`
        select c.chat_id, e.seq, e.note, e.deleted_at is not null as deleted
        from chats c join events e on e.book_id = c.book_id order by c.chat_id, e.seq`),
    );
    for (const chat of chats) {
      const mine = events.filter((e) => e.chat_id === String(chat));
      // r1..r8 each once, numbered in arrival order; /undo took back r3 and r6.
      expect(mine.map((e) => `#${e.seq} ${e.note}${e.deleted ? ' undone' : ''}`)).toEqual([
        '#1 r1', '#2 r2', '#3 r3 undone', '#4 r4', '#5 r5', '#6 r6 undone', '#7 r7', '#8 r8',
      ]);
    }
  }, 60_000);
});
