import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../../domain/access/api-tokens.js';
import { FixedClock } from '../../../domain/clock.js';
import { openPostgres, type Database } from '../../../drizzle/db.js';
import { createStore } from '../../../drizzle/store/index.js';
import { emptyDatabase } from '../../../test/databases.js';
import { mountApi } from './api-app.js';

/**
 * Issue 19: one API record costs at most two commits (it was five): the token, its membership and
 * the book's accounts in one statement, the record in another. Transactions are counted from what
 * the pool itself sends (every statement outside BEGIN…COMMIT is one, every COMMIT one more), so
 * the count cannot pick up anyone else's work on the shared server, as `pg_stat_database` would.
 */
describe('API commits per record (real PostgreSQL)', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let app: Hono;
  let base: string;
  let headers: Record<string, string>;
  let commits = 0;
  const inTx = new Set<number>();

  beforeAll(async () => {
    const empty = await emptyDatabase();
    drop = empty.drop;
    database = await openPostgres(empty.url, {
      max: 4,
      debug: (connection, query) => {
        const q = query.trimStart().slice(0, 12).toLowerCase();
        if (q.startsWith('begin')) inTx.add(connection);
        else if (q.startsWith('commit') || q.startsWith('rollback')) {
          inTx.delete(connection);
          commits++;
        } else if (!inTx.has(connection)) commits++;
      },
    });
    const store = createStore(database.db);
    const clock = new FixedClock('2026-11-24T12:00:00Z');
    const user = await store.resolveUser({ platform: 'console', externalId: 'c', name: 'Cee' });
    const book = await store.resolveChat({ platform: 'console', chatId: 'c', kind: 'private', title: 'C' }, { currency: 'EUR', timezone: 'Europe/Berlin', language: 'en' });
    await store.ensureMember(book.id, user.id, false);
    await store.createAccount(book.id, { name: 'Main', currency: 'EUR', openingMinor: 0 });
    const { token } = await issueToken(store, clock, user.id, 'c', 1);
    app = new Hono();
    mountApi(app, { store, clock, logger: pino({ level: 'silent' }), rateLimit: false });
    base = `/api/v1/books/${book.id}`;
    headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  const counted = async (send: () => Response | Promise<Response>) => {
    const before = commits;
    const res = await send();
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    return commits - before;
  };
  const post = (path: string, body: unknown, extra: Record<string, string> = {}) =>
    app.request(`${base}${path}`, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) });

  it('GIVEN a record with labels THEN two commits, the first use of the token included', async () => {
    expect(await counted(() => post('/events', { amount: '12.50', labels: ['food', 'market'], note: 'x' }))).toBe(2);
    expect(await counted(() => post('/events', { kind: 'income', amountMinor: 100 }))).toBe(2);
  });

  it('GIVEN a record with an Idempotency-Key THEN two commits (the key is checked by the write, not by a read first)', async () => {
    expect(await counted(() => post('/events', { amount: '3' }, { 'idempotency-key': 'once-1' }))).toBe(2);
  });

  it('GIVEN a batch of 1,000 events with keys THEN two commits for the whole batch', async () => {
    const events = Array.from({ length: 1_000 }, (_, i) => ({ key: `c-${i}`, amountMinor: i + 1, labels: [`l${i % 5}`] }));
    expect(await counted(() => post('/events/batch', { events }))).toBe(2);
    // Resent: still two, and nothing new.
    expect(await counted(() => post('/events/batch', { events }))).toBe(2);
  });
});
