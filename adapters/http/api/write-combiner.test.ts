import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../../domain/access/api-tokens.js';
import { FixedClock } from '../../../domain/clock.js';
import type { Database } from '../../../drizzle/db.js';
import { createStore } from '../../../drizzle/store/index.js';
import { rowsOf } from '../../../drizzle/store/rows.js';
import { freshPglite, freshPostgres } from '../../../test/databases.js';
import { mountApi } from './api-app.js';

/**
 * Issue 19: single POSTs into one book that overlap are written together (one statement, one
 * commit), yet each answers as it would alone: its own `#N` in arrival order, its accounts'
 * balances right after it, its own refusal. On both engines; on PostgreSQL the record statements
 * the pool sends are counted too.
 */
describe.each(['postgres', 'pglite'] as const)('combined single POSTs on %s', (engine) => {
  let database: Database;
  let store: ReturnType<typeof createStore>;
  let app: Hono;
  let token: string;
  let userId: number;
  /** Event-writing statements sent (PostgreSQL only: PGlite has no statement hook). */
  let writes = 0;
  let books = 0;
  /** What the book's chats were told: one entry per announcement. */
  const told: { book: number; thresholds: number[] }[] = [];

  beforeAll(async () => {
    database =
      engine === 'postgres'
        ? await freshPostgres({
            debug: (_connection, query) => {
              if (/insert into events/i.test(query)) writes++;
            },
          })
        : await freshPglite();
    store = createStore(database.db);
    const clock = new FixedClock('2026-11-24T12:00:00Z');
    const user = await store.resolveUser({ platform: 'console', externalId: 'w', name: 'Wes' });
    userId = user.id;
    token = (await issueToken(store, clock, user.id, 'w', 1)).token;
    app = new Hono();
    mountApi(app, {
      store,
      clock,
      logger: pino({ level: 'silent' }),
      rateLimit: false,
      tellBook: async (book, alerts) => void told.push({ book: book.id, thresholds: alerts.map((x) => x.threshold) }),
    });
  });
  afterAll(async () => database?.close());

  /** A new book (no events yet) with `Main` (default) and `Big`, a balance just under the bound (2^53 − 1). */
  async function newBook() {
    const book = await store.resolveChat(
      { platform: 'console', chatId: `w${++books}`, kind: 'private', title: 'W' },
      { currency: 'EUR', timezone: 'UTC', language: 'en' },
    );
    await store.ensureMember(book.id, userId, false);
    const main = await store.createAccount(book.id, { name: 'Main', currency: 'EUR', openingMinor: 0 });
    await store.setDefaultAccount(book.id, main.id);
    const big = await store.createAccount(book.id, { name: 'Big', currency: 'EUR', openingMinor: Number.MAX_SAFE_INTEGER - 1_000 });
    return { id: book.id, main: main.id, big: big.id };
  }

  const post = async (bookId: number, body: unknown, headers: Record<string, string> = {}) => {
    const res = await app.request(`/api/v1/books/${bookId}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  const eventsOf = async (bookId: number) =>
    rowsOf<{ seq: number; kind: string; amount: number; account: number; created: string }>(
      await database.db.execute(
        sql`select seq, kind, amount_minor::int as amount, account_id as account, created_at::text as created from events where book_id = ${bookId} order by seq`,
      ),
    );
  const balanceOf = async (accountId: number) =>
    Number(rowsOf<{ b: string }>(await database.db.execute(sql`select balance_minor::text as b from accounts where id = ${accountId}`))[0]!.b);

  it('GIVEN 50 concurrent POSTs into one book THEN 50 events #1..#50, each answering the balance right after its own #N, in far fewer writes', async () => {
    const b = await newBook();
    const before = writes;
    // Distinct amounts (expenses and incomes) so every running balance is told apart.
    const bodies = Array.from({ length: 50 }, (_, i) =>
      i % 3 === 2 ? { kind: 'income', amountMinor: 1_000 + i, note: `r${i}` } : { amountMinor: 100 + i, labels: ['food'], note: `r${i}` },
    );
    const answers = await Promise.all(bodies.map((x) => post(b.id, x)));
    for (const r of answers) expect(r.status, JSON.stringify(r.body)).toBe(201);

    const events = await eventsOf(b.id);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const seqs = answers.map((r) => r.body.event.seq as number);
    expect([...seqs].sort((x, y) => x - y)).toEqual(events.map((e) => e.seq));
    // Each answer's balance is the running balance after its own #N.
    let running = 0;
    const after = new Map<number, number>();
    for (const e of events) after.set(e.seq, (running += e.kind === 'income' ? e.amount : -e.amount));
    for (const [i, r] of answers.entries()) {
      expect(r.body.event.note).toBe(`r${i}`);
      expect(r.body.balances).toEqual([{ accountId: b.main, balanceMinor: after.get(r.body.event.seq)!, balance: expect.any(String) }]);
      expect(Number(r.body.balances[0].balance.replace('.', ''))).toBe(r.body.balances[0].balanceMinor);
    }
    expect(await balanceOf(b.main)).toBe(running);

    // Written together: each write has one transaction time; alone they would be 50.
    const instants = new Set(events.map((e) => e.created)).size;
    expect(instants).toBeLessThanOrEqual(10);
    if (engine === 'postgres') expect(writes - before).toBe(instants);
  });

  it('GIVEN an item with an unknown account among concurrent ones THEN it alone gets the 422 a lone POST gets, the others #1..#19', async () => {
    const b = await newBook();
    const bad = { amount: '3', account: 'Nowhere' };
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(b.id, i === 7 ? bad : { amountMinor: 10 + i })));
    const alone = await post(b.id, bad);
    expect(alone.status).toBe(422);
    expect(alone.body.error).toBe('account_unknown');
    expect(answers[7]).toEqual(alone);
    expect(answers.filter((_, i) => i !== 7).every((r) => r.status === 201)).toBe(true);
    expect((await eventsOf(b.id)).map((e) => e.seq)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    expect(await balanceOf(b.main)).toBe(-answers.reduce((s, _, i) => s + (i === 7 ? 0 : 10 + i), 0));
  });

  it('GIVEN an income that would take an account past 2^53 − 1 among concurrent ones THEN it alone gets 422 balance_out_of_range, the others are recorded', async () => {
    const b = await newBook();
    const over = { kind: 'income', amount: '20', account: 'Big' };
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(b.id, i === 10 ? over : { amountMinor: 10 + i, note: `n${i}` })));
    expect(answers[10]!.status).toBe(422);
    expect(answers[10]!.body.error).toBe('balance_out_of_range');
    expect(answers[10]).toEqual(await post(b.id, over));
    for (const [i, r] of answers.entries()) if (i !== 10) expect(r.status, JSON.stringify(r.body)).toBe(201);
    const events = await eventsOf(b.id);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    let running = 0;
    const after = new Map(events.map((e) => [e.seq, (running -= e.amount)]));
    for (const [i, r] of answers.entries()) if (i !== 10) expect(r.body.balances[0].balanceMinor).toBe(after.get(r.body.event.seq));
    expect(await balanceOf(b.main)).toBe(running);
    expect(await balanceOf(b.big)).toBe(Number.MAX_SAFE_INTEGER - 1_000);
  });

  it('GIVEN concurrent transfers and expenses THEN each answers both its accounts right after it', async () => {
    const b = await newBook();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        post(b.id, i % 2 ? { kind: 'transfer', amountMinor: 50 + i, account: 'Big', toAccount: 'Main' } : { amountMinor: 7 + i }),
      ),
    );
    for (const r of answers) expect(r.status, JSON.stringify(r.body)).toBe(201);
    const events = await eventsOf(b.id);
    const bal = { main: 0, big: Number.MAX_SAFE_INTEGER - 1_000 };
    const after = new Map<number, { main: number; big: number }>();
    for (const e of events) {
      if (e.kind === 'transfer') {
        bal.big -= e.amount;
        bal.main += e.amount;
      } else bal.main -= e.amount;
      after.set(e.seq, { ...bal });
    }
    for (const r of answers) {
      const want = after.get(r.body.event.seq)!;
      const got = Object.fromEntries(r.body.balances.map((x: { accountId: number; balanceMinor: number }) => [x.accountId, x.balanceMinor]));
      expect(got).toEqual(r.body.event.kind === 'transfer' ? { [b.big]: want.big, [b.main]: want.main } : { [b.main]: want.main });
      if (r.body.event.kind === 'transfer') expect(r.body.balances.map((x: { accountId: number }) => x.accountId)).toEqual([b.big, b.main]);
    }
  });

  it('GIVEN a budget that concurrent POSTs go over THEN the book hears each threshold once', async () => {
    const b = await newBook();
    await store.setBudget(b.id, { label: 'food', amountMinor: 10_000, currency: 'EUR', period: 'monthly', createdAt: new Date('2026-11-01T00:00:00Z') });
    const answers = await Promise.all(Array.from({ length: 30 }, () => post(b.id, { amount: '10', labels: ['food'] })));
    for (const r of answers) expect(r.status).toBe(201);
    const mine = told.filter((x) => x.book === b.id);
    const thresholds = mine.flatMap((x) => x.thresholds);
    expect(thresholds).toContain(100);
    expect(new Set(thresholds).size).toBe(thresholds.length);
    expect(mine.every((x) => x.thresholds.length > 0)).toBe(true);
  });

  it('GIVEN concurrent POSTs with Idempotency-Keys THEN each records once and a resend replays it (keyed requests go alone)', async () => {
    const b = await newBook();
    const send = () => Promise.all(Array.from({ length: 10 }, (_, i) => post(b.id, { amountMinor: 5 + i }, { 'idempotency-key': `k${i}` })));
    const first = await send();
    expect(first.map((r) => r.status)).toEqual(Array(10).fill(201));
    const again = await send();
    expect(again.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(again.map((r) => r.body.event.seq)).toEqual(first.map((r) => r.body.event.seq));
    expect((await eventsOf(b.id)).length).toBe(10);
  });
});
