import { Hono } from 'hono';
import pino from 'pino';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { mountApi } from '../adapters/http/api/api-app.js';
import { systemClock } from '../domain/clock.js';
import { issueToken } from '../domain/access/api-tokens.js';
import { createStore } from '../drizzle/store/index.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { startTelegramDouble } from '../test/doubles/telegram-api.js';
import { TEST_REDIS_URL, dropPrefix, spawnWorker, templateEventCounts, uniquePrefix, waitUntil } from '../test/worker-kit.js';
import { scratchDatabase } from '../test/databases.js';

const BOOKS = 10;
const TEMPLATES = 500;
const BATCH = 100;
/** The book whose account the test locks, so the sweep's last batch hangs there until the kill. */
const HELD_BOOK_TEMPLATES = 5;

/**
 * Templates made through the API have no chat of their own; they report to their book's chats.
 * 500 of them, applied by two worker processes (the real entry point) while one is killed in the
 * middle of a batch: each occurrence is recorded once and told once in its book's chat.
 */
/**
 * A schedule whose next occurrence is months away whenever the test runs: the test makes one
 * occurrence due by hand, and a `daily at:09:00` would make a second one due when it runs
 * between 09:00 and 10:00 UTC.
 */
const FAR = new Date(Date.now() + 180 * 86_400_000);
const FAR_SCHEDULE = `yearly:${String(FAR.getUTCMonth() + 1).padStart(2, '0')}-${String(Math.min(FAR.getUTCDate(), 28)).padStart(2, '0')}`;

describe('API-made templates: applied by two worker processes, one killed mid-sweep (Bot API double)', () => {
  it('GIVEN 500 templates made through the API THEN each is applied once and each record is told once in its book’s chat', async () => {
    const scratch = await scratchDatabase();
    const tg = await startTelegramDouble();
    const prefix = uniquePrefix('api-tpl');
    const { db } = scratch.database;
    const held = postgres(scratch.url, { max: 1, onnotice: () => {} });
    const children: ReturnType<typeof spawnWorker>[] = [];
    try {
      // Ten private Telegram books of one owner, each with its chat and a Main account.
      await db.execute(sql`insert into users (name) values ('Api')`);
      await db.execute(sql`insert into books (title, currency, timezone) select 'Book ' || g, 'EUR', 'UTC' from generate_series(1, ${BOOKS}) g`);
      await db.execute(sql`insert into accounts (book_id, name, currency) select id, 'Main', 'EUR' from books`);
      await db.execute(sql`update books set default_account_id = a.id from accounts a where a.book_id = books.id`);
      await db.execute(sql`insert into members (book_id, user_id, role) select id, (select min(id) from users), 'owner' from books`);
      await db.execute(sql`insert into chats (platform, chat_id, book_id, kind, title) select 'telegram', (7000 + id)::text, id, 'private', title from books`);
      const bookIds = rowsOf<{ id: number }>(await db.execute(sql`select id from books order by id`)).map((r) => r.id);
      const [owner] = rowsOf<{ id: number }>(await db.execute(sql`select min(id)::int as id from users`));

      // The templates, through the HTTP API with a personal token.
      const store = createStore(db);
      const { token } = await issueToken(store, systemClock, owner!.id, 'test', 30);
      const app = new Hono();
      mountApi(app, { store, clock: systemClock, logger: pino({ level: 'silent' }), rateLimit: false });
      const heldBook = bookIds[BOOKS - 1]!;
      const others = bookIds.slice(0, BOOKS - 1);
      const create = async (i: number) => {
        const book = i < TEMPLATES - HELD_BOOK_TEMPLATES ? others[i % others.length]! : heldBook;
        const res = await app.request(`/api/v1/books/${book}/templates`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ schedule: FAR_SCHEDULE, record: `${1 + (i % 9)}.25 #rent t${i}` }),
        });
        return res.status;
      };
      const statuses: number[] = [];
      for (let i = 0; i < TEMPLATES; i += 25) statuses.push(...(await Promise.all(Array.from({ length: 25 }, (_, j) => create(i + j)))));
      expect(statuses.every((s) => s === 201)).toBe(true);
      const [chatless] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from templates where notify_chat_id is null`));
      expect(chatless!.n).toBe(TEMPLATES);
      // All due; the held book's five last, so they fall in the sweep's last batch.
      await db.execute(sql`update templates set next_due_at = now() - interval '1 hour' + (id * interval '1 millisecond')`);
      await db.execute(sql`update templates set next_due_at = now() - interval '1 minute' where book_id = ${heldBook}`);

      // Hold the held book's account: the batch that touches it waits there.
      let releaseHold!: () => void;
      let locked!: () => void;
      const holding = new Promise<void>((r) => (releaseHold = r));
      const isLocked = new Promise<void>((r) => (locked = r));
      const release = held.begin(async (tx) => {
        await tx`select id from accounts where book_id = ${heldBook} for update`;
        locked();
        await holding;
      });
      await isLocked;

      const env = {
        DATABASE_URL: scratch.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_API_ROOT: tg.apiRoot,
        SWEEP_PATTERN: '*/2 * * * * *',
        SWEEP_BATCH_SIZE: String(BATCH),
      };
      const applied = async () => (await templateEventCounts(scratch.database)).events;
      const a = spawnWorker(env);
      children.push(a);
      // A applies every batch but the held one, then waits inside that batch's transaction.
      await waitUntil(async () => (await applied()) === TEMPLATES - BATCH, 60_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(await applied()).toBe(TEMPLATES - BATCH);
      const b = spawnWorker(env);
      children.push(b);
      a.kill('SIGKILL');
      await a.exited;
      releaseHold();
      await release;

      await waitUntil(async () => (await applied()) >= TEMPLATES, 60_000);
      expect(await templateEventCounts(scratch.database)).toEqual({ events: TEMPLATES, distinct: TEMPLATES });

      // Every record told once, in its book's chat: the `#N` lines of each chat are 1..n, no repeats.
      const perBook = new Map(
        rowsOf<{ book_id: number; n: number }>(await db.execute(sql`select book_id, count(*)::int as n from events group by book_id`)).map((r) => [r.book_id, r.n]),
      );
      const toldSeqs = (book: number) =>
        tg
          .outbox(7000 + book)
          .flatMap((m) => [...(m.text ?? '').matchAll(/^#(\d+) /gm)].map((x) => Number(x[1])))
          .sort((x, y) => x - y);
      await waitUntil(async () => bookIds.every((book) => toldSeqs(book).length >= perBook.get(book)!), 90_000, 250);
      await new Promise((r) => setTimeout(r, 1_500));
      for (const book of bookIds) expect(toldSeqs(book)).toEqual(Array.from({ length: perBook.get(book)! }, (_, i) => i + 1));
      b.kill('SIGTERM');
      expect(await b.exited).toBe(0);
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await held.end({ timeout: 1 });
      await tg.close();
      await dropPrefix(prefix);
      await scratch.drop();
    }
  }, 180_000);
});
