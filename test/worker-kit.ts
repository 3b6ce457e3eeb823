import type { Reply } from '../bot/reply.js';
import type { Platform } from '../domain/types.js';
import type { DeliveryResult, Notifier } from '../workers/notifier.js';
/**
 * Helpers for the worker tests and the templates benchmark: throwaway databases whose URL a child
 * worker process can use, Redis prefixes of their own, set-based template seeding, child workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import type { Database } from '../drizzle/db.js';
import { rowsOf } from '../drizzle/store/rows.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A Redis key prefix nobody else uses (`coin-test-…`). */
export const uniquePrefix = (what = 'test'): string => `coin-${what}-${randomBytes(4).toString('hex')}`;

/** Deletes every key under `prefix:`. */
export async function dropPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Inserts `books` books (each with a Main account) and `count` expense templates spread over
 * them, all due at `dueAt` (daily at that time of day, UTC), in a few set-based statements.
 */
export async function seedDueTemplates(database: Database, opts: { count: number; books: number; dueAt: Date; notify?: boolean }): Promise<void> {
  const { db } = database;
  const due = opts.dueAt.toISOString();
  const at = { hour: opts.dueAt.getUTCHours(), minute: opts.dueAt.getUTCMinutes() };
  const schedule = JSON.stringify({ kind: 'daily', at });
  const text = `daily at:${String(at.hour).padStart(2, '0')}:${String(at.minute).padStart(2, '0')}`;
  await db.execute(sql`insert into users (name) values ('Seed')`);
  await db.execute(sql`insert into books (title, currency, timezone) select 'Book ' || g, 'EUR', 'UTC' from generate_series(1, ${opts.books}) g`);
  await db.execute(sql`insert into accounts (book_id, name, currency) select id, 'Main', 'EUR' from books`);
  await db.execute(sql`update books set default_account_id = a.id from accounts a where a.book_id = books.id`);
  await db.execute(sql`
    insert into chats (platform, chat_id, book_id, kind, title)
    select 'console', 'book-' || id, id, 'group', title from books`);
  await db.execute(sql`
    insert into templates (book_id, kind, schedule, schedule_text, record, author_id, notify_platform, notify_chat_id, anchor_at, next_due_at)
    select 1 + (g % ${opts.books}), 'expense', ${schedule}::jsonb, ${text}, (1 + g % 97)::text || '.25 #rent flat ' || g,
      (select min(id) from users), ${opts.notify ? 'console' : null}::text,
      case when ${opts.notify ?? false} then 'book-' || (1 + g % ${opts.books}) end,
      ${due}::timestamptz - interval '1 day', ${due}::timestamptz
    from generate_series(1, ${opts.count}) g`);
}

/** Events recorded from templates: how many, how many distinct (template, occurrence) keys. */
export async function templateEventCounts(database: Database): Promise<{ events: number; distinct: number }> {
  const [r] = rowsOf<{ events: number; distinct: number }>(
    await database.db.execute(
      sql`select count(*)::int as events, count(distinct (template_id, occurrence_at))::int as distinct from events where template_id is not null`,
    ),
  );
  return r!;
}

/** A worker-only COIN process (the one entry point, `app/cli.ts`, with ROLES=worker) on a database and Redis prefix. */
export function spawnWorker(env: Record<string, string>): ChildProcess & { exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'app/cli.ts')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, ROLES: 'worker' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return Object.assign(child, { exited });
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A platform stand-in for queue tests: records what reached it and answers from a script. */
export function scriptedNotifier(script: (chatId: string, n: number) => DeliveryResult | Error = () => 'sent') {
  const got: { platform: Platform; chatId: string; text: string; at: number }[] = [];
  let n = 0;
  const notifier: Notifier = {
    async send(platform, chatId, reply: Reply) {
      const answer = script(chatId, ++n);
      if (answer instanceof Error) throw answer;
      if (answer === 'sent') got.push({ platform, chatId, text: reply.text, at: Date.now() });
      return answer;
    },
  };
  return { notifier, got, calls: () => n };
}
