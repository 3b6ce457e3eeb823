import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMinor } from '../../domain/money/money.js';
import type { NewEvent } from '../../domain/event-write.js';
import { ONE_CONNECTION_ENGINES, seqScanned } from '../../test/seq-scans.js';
import type { Database } from '../db.js';
import { createStore } from './index.js';
import { pgCode, rowsOf } from './rows.js';

const CHAT_RECORDS = 3_000;

/**
 * Migration 0026: the unique keys of `events` for an external row (book, source key) and a
 * template's occurrence (template, occurrence) hold only the rows that have one. A chat record has
 * neither, so it writes two index entries less; the keys still refuse a duplicate, and a replayed
 * import or API batch still finds its rows by key, not by reading the book's events.
 */
describe.each(ONE_CONNECTION_ENGINES)('the unique keys of events on $engine', ({ open }) => {
  let db: Database;
  let book: number;
  let account: number;
  let author: number;
  const event = (i: number, more: Partial<NewEvent> = {}): NewEvent => ({
    bookId: book,
    kind: 'expense',
    accountId: account,
    amountMinor: assertMinor(100 + (i % 50)),
    currency: 'EUR',
    labels: ['coffee'],
    note: `coffee ${i}`,
    authorId: author,
    occurredAt: new Date(Date.UTC(2026, 11, 1) + i * 60_000),
    ...more,
  });

  beforeAll(async () => {
    db = await open();
    const store = createStore(db.db);
    const b = await store.resolveChat({ platform: 'console', chatId: 'keys', kind: 'private', title: 'keys' }, { currency: 'EUR', timezone: 'UTC', language: 'en' });
    const u = await store.resolveUser({ platform: 'console', externalId: 'keys', name: 'Ann' });
    await store.ensureMember(b.id, u.id, false);
    book = b.id;
    author = u.id;
    account = (await store.createAccount(b.id, { name: 'Cash', currency: 'EUR', openingMinor: 0 })).id;
    // A book's chat records: no source key, no template.
    for (let i = 0; i < CHAT_RECORDS; i += 1_000) await store.recordBatch(book, Array.from({ length: 1_000 }, (_, k) => event(i + k)));
    await db.db.execute(sql`analyze`);
  }, 120_000);
  afterAll(async () => db?.close());

  it('GIVEN 3,000 chat records THEN the two keys hold none of them (a fraction of the size of the book-and-number key)', async () => {
    const [sizes] = rowsOf<{ source: string | number; template: string | number; seq: string | number }>(
      await db.db.execute(sql`select pg_relation_size('events_book_source_uq') as source, pg_relation_size('events_template_occurrence_uq') as template, pg_relation_size('events_book_seq_uq') as seq`),
    );
    // An index with no entries is its metapage (and a root page): 8-16 KB; the #N key of 3,000 rows is over 64 KB.
    expect(Number(sizes!.seq)).toBeGreaterThan(64 * 1024);
    expect(Number(sizes!.source)).toBeLessThanOrEqual(16 * 1024);
    expect(Number(sizes!.template)).toBeLessThanOrEqual(16 * 1024);
  });

  it('GIVEN rows of a bank statement recorded with their keys THEN sending them again records nothing and reads no whole events table', async () => {
    const store = createStore(db.db);
    const rows = Array.from({ length: 20 }, (_, i) => event(CHAT_RECORDS + i, { sourceKey: `bank:${i}`, sourceHash: `h${i}` }));
    const first = await store.recordBatch(book, rows);
    expect(first.items.map((r) => r.outcome)).toEqual(rows.map(() => 'created'));
    const before = await seqScanned(db, ['events']);
    const again = await store.recordBatch(book, rows);
    expect(again.items.map((r) => r.outcome)).toEqual(rows.map(() => 'replayed'));
    const one = await store.record(event(CHAT_RECORDS, { sourceKey: 'bank:0', sourceHash: 'h0' }));
    expect(one.event.seq).toBe((first.items[0] as { event: { seq: number } }).event.seq);
    const after = await seqScanned(db, ['events']);
    expect((after.events ?? 0) - (before.events ?? 0)).toBe(0);
    const [{ n }] = rowsOf<{ n: number }>(await db.db.execute(sql`select count(*)::int as n from events where book_id = ${book}`)) as [{ n: number }];
    expect(n).toBe(CHAT_RECORDS + 20);
  });

  it('GIVEN a key already recorded THEN a second row with it is refused by the database itself (23505), for a source key and a template occurrence', async () => {
    const insert = (key: string | null, template: number | null, occurrence: string | null, seq: number) =>
      db.db.execute(sql`insert into events (book_id, seq, kind, account_id, amount_minor, currency, note, author_id, occurred_at, source_key, template_id, occurrence_at)
        values (${book}, ${seq}, 'expense', ${account}, 100, 'EUR', '', ${author}, now(), ${key}, ${template}, ${occurrence}::timestamptz)`);
    const refused = (p: Promise<unknown>) => p.then(() => 'written', (e: unknown) => pgCode(e));
    expect(await refused(insert('bank:0', null, null, 90_001))).toBe('23505');
    const [t] = rowsOf<{ id: number }>(
      await db.db.execute(sql`insert into templates (book_id, kind, schedule, schedule_text, record, anchor_at, author_id)
        values (${book}, 'expense', '{"every":"month"}', 'monthly', '1 rent', now(), ${author}) returning id`),
    );
    expect(await refused(insert(null, t!.id, '2026-12-01T00:00:00Z', 90_002))).toBe('written');
    expect(await refused(insert(null, t!.id, '2026-12-01T00:00:00Z', 90_003))).toBe('23505');
  });
});
