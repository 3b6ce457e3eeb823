import type { ApiDeps } from '../adapters/http/api/api-env.js';
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { createLogger } from '../app/logger.js';
import type { RateLimitOptions } from '../bot/rate-limit.js';
import type { ChartRenderer } from '../bot/presentation/chart-types.js';
import type { LedgerStore } from '../domain/ports.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { createHarness, type TestUser } from './harness.js';
import { mountApi } from '../adapters/http/api/api-app.js';

export const ANN: TestUser = { id: '101', name: 'Ann' };
export const BOB: TestUser = { id: '102', name: 'Bob' };
export const VIC: TestUser = { id: '103', name: 'Vic' };
export const EVE: TestUser = { id: '104', name: 'Eve' };
export const GROUP = 'g-family';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/**
 * The API on a real database next to the chat bot (the test harness), with every log line
 * captured: API tests talk to both and check what each sees.
 */
export async function createApiKit(
  opts: {
    rateLimit?: RateLimitOptions | false;
    bodyLimitBytes?: number;
    store?: (s: LedgerStore) => LedgerStore;
    renderChart?: ChartRenderer;
    tellBook?: ApiDeps['tellBook'];
    engine?: 'postgres' | 'pglite';
  } = {},
) {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger('debug', sink);
  const h = await createHarness({ extend: (s) => (s.logger = logger), ...(opts.engine ? { engine: opts.engine } : {}) });
  const store = opts.store ? opts.store(h.services.store) : h.services.store;
  const app = new Hono();
  const api = mountApi(app, {
    store,
    clock: h.clock,
    logger,
    rateLimit: opts.rateLimit ?? false,
    ...(opts.bodyLimitBytes ? { bodyLimitBytes: opts.bodyLimitBytes } : {}),
    ...(opts.renderChart ? { renderChart: opts.renderChart } : {}),
    ...(opts.tellBook ? { tellBook: opts.tellBook } : {}),
    ...(h.services.transact && !opts.store ? { transact: h.services.transact } : {}),
  });

  async function req(
    method: string,
    path: string,
    o: { token?: string | undefined; json?: unknown; body?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined = o.body;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(`/api/v1${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  /** Issues a token the way a user does: `/token` in their private chat; the secret is the monospace block. */
  async function tokenFor(user: TestUser, name = 'test'): Promise<string> {
    const [reply] = await h.replies(user, `/token ${name}`);
    if (!reply?.pre) throw new Error(`no token in reply: ${reply?.text}`);
    return reply.pre;
  }

  const userId = async (u: TestUser) => (await h.services.store.resolveUser({ platform: 'telegram', externalId: u.id, name: u.name })).id;

  /** Book id of a chat (`p-<user id>` for private chats). */
  async function bookId(chat: string): Promise<number> {
    const res = await h.database.db.execute(sql`select book_id from chats where platform = 'telegram' and chat_id = ${chat}`);
    const row = rowsOf<{ book_id: number }>(res)[0];
    if (!row) throw new Error(`no chat ${chat}`);
    return row.book_id;
  }

  /**
   * Everything a request could change, as one comparable value: events (with deletion), account
   * balances, labels, members, books and tokens (revocation; `last_used_at` is a legitimate read
   * side effect and left out).
   */
  async function snapshot(): Promise<string> {
    const q = async (query: ReturnType<typeof sql>) => JSON.stringify(rowsOf(await h.database.db.execute(query)));
    return [
      await q(sql`select id, book_id, seq, kind, account_id, amount_minor::text, note, deleted_at, occurred_at from events order by id`),
      await q(sql`select id, book_id, name, currency, balance_minor::text, deleted_at from accounts order by id`),
      await q(sql`select id, book_id, name from labels order by id`),
      await q(sql`select event_id, label_id from event_labels order by event_id, label_id`),
      await q(sql`select book_id, user_id, role from members order by book_id, user_id`),
      await q(sql`select id, title, currency, timezone, language, default_account_id, last_seq from books order by id`),
      await q(sql`select id, user_id, name, hash, expires_at, revoked_at from api_tokens order by id`),
    ].join('\n');
  }

  return { h, app, api, logs, logger, req, tokenFor, userId, bookId, snapshot, close: () => h.close() };
}

export type ApiKit = Awaited<ReturnType<typeof createApiKit>>;

/**
 * The usual cast: Ann owns her private book and the family group; Bob is a member there,
 * Vic a viewer; Eve has only her own private book.
 */
export async function seedFamily(k: ApiKit) {
  const { h } = k;
  await h.say(ANN, '/spend 4.50 #coffee morning');
  await h.say(ANN, '/start', GROUP);
  await h.say(ANN, '/spend 30 #food groceries', GROUP);
  await h.say(BOB, '12 #food pizza', GROUP);
  await h.say(VIC, '/start', GROUP);
  await h.say(EVE, '/spend 1 #secret eve-only');
  const group = await k.bookId(GROUP);
  await h.services.store.setRole(group, await k.userId(VIC), 'viewer');
  return {
    group,
    annBook: await k.bookId(`p-${ANN.id}`),
    eveBook: await k.bookId(`p-${EVE.id}`),
    ann: await k.tokenFor(ANN),
    bob: await k.tokenFor(BOB),
    vic: await k.tokenFor(VIC),
    eve: await k.tokenFor(EVE),
  };
}
