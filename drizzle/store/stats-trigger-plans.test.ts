import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMinor } from '../../domain/money/money.js';
import type { NewEvent } from '../../domain/ports.js';
import { ONE_CONNECTION_ENGINES, seqScanned } from '../../test/seq-scans.js';
import type { Database } from '../db.js';
import { createStore } from './index.js';
import { rowsOf } from './rows.js';

/**
 * Migration 0022: the statistics triggers keep their plans per connection (PL/pgSQL). A connection
 * whose first labelled write was a batch planned the labels trigger's join to `events` as a hash
 * join over a sequential scan (the table was small then) and kept it: every later single record
 * on that connection read the whole `events` table (3 ms a record at 20,000 events in the API
 * bench; on PGlite, which never analyses on its own, for good). Counted here with PostgreSQL's
 * own table statistics: rows read by sequential scans of `events` while single records are made.
 */
describe.each(ONE_CONNECTION_ENGINES)('statistics triggers after a batch on $engine', ({ open }) => {
  let db: Database;
  beforeAll(async () => {
    // PostgreSQL on one connection: the batch and the records after it share its plans.
    db = await open();
  });
  afterAll(async () => db?.close());

  /** Rows sequential scans of `events` have read so far. */
  const seqRead = async (): Promise<number> => (await seqScanned(db, ['events'])).events ?? 0;

  it('GIVEN a batch with labels first, then 5,000 more events THEN a labelled single record does not read the whole events table', async () => {
    const store = createStore(db.db);
    const book = await store.resolveChat({ platform: 'console', chatId: 'plans', kind: 'group', title: 'plans' }, { currency: 'EUR', timezone: 'UTC', language: 'en' });
    const user = await store.resolveUser({ platform: 'console', externalId: 'plans', name: 'Ann' });
    const cash = await store.createAccount(book.id, { name: 'Cash', currency: 'EUR', openingMinor: 0 });
    const event = (i: number): NewEvent => ({ bookId: book.id, kind: 'expense', accountId: cash.id, amountMinor: assertMinor(100 + i), currency: 'EUR', labels: ['food'], note: `n${i}`, authorId: user.id, occurredAt: new Date(Date.UTC(2026, 10, 1 + (i % 28))) });
    // The first labelled write of the connection: a batch, while `events` is small.
    await store.recordBatch(book.id, Array.from({ length: 20 }, (_, i) => event(i)));
    // The book grows (an import).
    for (let k = 0; k < 5; k++) await store.recordBatch(book.id, Array.from({ length: 1000 }, (_, i) => event(100 + k * 1000 + i)));
    const before = await seqRead();
    for (let i = 0; i < 10; i++) await store.record(event(10_000 + i));
    const read = (await seqRead()) - before;
    // The bug read all 5,020 events for each of the 10 records.
    expect(read).toBeLessThan(5_000);
    const [{ n }] = rowsOf<{ n: number }>(await db.db.execute(sql`select count(*)::int as n from events where book_id = ${book.id}`)) as [{ n: number }];
    expect(n).toBe(5_030);
  });
});
