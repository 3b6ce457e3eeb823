import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMinor } from '../../domain/money/money.js';
import { ONE_CONNECTION_ENGINES, seqScanned } from '../../test/seq-scans.js';
import type { Database } from '../db.js';
import { chatJournal } from './chat-journal.js';
import { createStore } from './index.js';
import { rowsOf } from './rows.js';

const defaults = { currency: 'EUR', timezone: 'UTC', language: 'en' as const };
const codec = { encode: (r: { text: string }) => r, decode: (v: unknown) => v as { text: string } };
type ApplyUpdate = Parameters<ReturnType<typeof chatJournal<{ text: string }>>['applyBatch']>[2];

/** Tables a chat batch reads and writes by key: scanning one whole means work that grows with every user. */
const KEYED = ['users', 'identities', 'books', 'chats', 'members', 'accounts', 'labels', 'chat_inbox', 'chat_outbox'];
const OTHERS = 5_000;

/**
 * Migration 0025: a chat batch (several chats' updates in one transaction: their enter read, their
 * records, the inbox marks and the replies, then the replies marked sent) looks its rows up by
 * key, however many other books the database holds. Batch statements take their rows as one JSON
 * parameter, which PostgreSQL estimated at 100 rows; for that many lookups a hash join over a
 * scan of the whole table looked cheaper, so with 10,000 chats every batch read every book,
 * account, chat and identity (the bench's PostgreSQL CPU per update doubled). Counted with
 * PostgreSQL's own table statistics: rows read by sequential scans of those tables while the
 * batch runs, with 5,000 other books.
 */
describe.each(ONE_CONNECTION_ENGINES)('a chat batch among many books on $engine', ({ engine, open }) => {
  let db: Database;
  beforeAll(async () => {
    db = await open();
    // Other people's books: users with identities, books with their chat, owner and Cash account,
    // a label each, and a week of applied updates and sent replies.
    const q = (s: ReturnType<typeof sql>) => db.db.execute(s);
    await q(sql`insert into users (name) select 'other ' || g from generate_series(1, ${OTHERS}::int) g`);
    await q(sql`insert into identities (platform, external_id, user_id, name) select 'console', 'other-' || id, id, name from users`);
    await q(sql`insert into books (title, currency, timezone) select 'other ' || g, 'EUR', 'UTC' from generate_series(1, ${OTHERS}::int) g`);
    await q(sql`insert into chats (platform, chat_id, book_id, kind) select 'console', 'other-' || id, id, 'private' from books`);
    await q(sql`insert into members (book_id, user_id, role) select b.id, u.id, 'owner' from books b join users u on u.name = b.title`);
    await q(sql`insert into accounts (book_id, name, currency) select id, 'Cash', 'EUR' from books`);
    await q(sql`insert into labels (book_id, name) select id, 'food' from books`);
    await q(sql`insert into chat_inbox (key, chat_key, seq, payload, done_at) select 'other:' || g, 'console:other-' || (g % ${OTHERS}::int), g, '{}', now() from generate_series(1, ${4 * OTHERS}::int) g`);
    await q(sql`insert into chat_outbox (platform, chat_id, reply, sent_at) select 'console', 'other-' || (g % ${OTHERS}::int), '{"text":"ok"}', now() from generate_series(1, ${4 * OTHERS}::int) g`);
    // Analysed, as a live database is: by autovacuum on PostgreSQL, by COIN's table upkeep on PGlite.
    await q(sql`analyze`);
  });
  afterAll(async () => db?.close());

  const seqRead = () => seqScanned(db, KEYED);

  it('GIVEN 5,000 other books THEN a batch of eight chats recording and answering reads no whole table of them', async () => {
    const journal = chatJournal(db.db, codec);
    const chats = Array.from({ length: 8 }, (_, i) => `plans-${engine}-${i}`);
    // The chats exist already (their first message came earlier): enter finds them.
    const store = createStore(db.db);
    for (const c of chats) {
      const book = await store.resolveChat({ platform: 'console', chatId: c, kind: 'private', title: c }, defaults);
      const user = await store.resolveUser({ platform: 'console', externalId: c, name: 'Ann' });
      await store.ensureMember(book.id, user.id, false);
      await store.createAccount(book.id, { name: 'Cash', currency: 'EUR', openingMinor: 0 });
    }
    for (let round = 0; round < 2; round++) {
      // The second round runs on statements already prepared (and, on PostgreSQL, planned as generic plans).
      await journal.hold(chats.map((c, i) => ({ key: `plans:${round}:${i}`, chatKey: `console:${c}`, seq: round * 100 + i, payload: { c } })));
      const before = await seqRead();
      const apply: ApplyUpdate = async (u, scope) => {
        const c = (u.payload as { c: string }).c;
        const entered = await scope.store.enter({ platform: 'console', chatId: c, kind: 'private', title: c }, { platform: 'console', externalId: c, name: 'Ann' }, false, defaults);
        const cash = entered!.snapshot!.accounts[0]!;
        const rec = await scope.store.record({ bookId: entered!.book.id, kind: 'expense', accountId: cash.id, amountMinor: assertMinor(425), currency: 'EUR', labels: ['coffee'], note: 'coffee', authorId: entered!.user.id, occurredAt: new Date('2026-12-07T08:00:00Z') });
        scope.reply({ platform: 'console', chatId: c, reply: { text: `#${rec.event.seq} − 4.25 coffee` } });
      };
      const out = await journal.applyBatch(chats.map((c) => `console:${c}`), 10, apply, () => []);
      expect(out.applied).toHaveLength(8);
      expect(out.replies).toHaveLength(8);
      await journal.markSent(out.replies.map((r) => r.id));
      const after = await seqRead();
      const read = Object.fromEntries(KEYED.map((t) => [t, (after[t] ?? 0) - (before[t] ?? 0)]).filter(([, n]) => (n as number) > 0));
      // A scan of any of these tables reads at least 5,000 rows; the batch's own rows are 8 per table.
      expect(read).toEqual({});
    }
    // And it did what it was asked: eight records, each its book's #1 and #2.
    const [{ n }] = rowsOf<{ n: number }>(await db.db.execute(sql`select count(*)::int as n from events`)) as [{ n: number }];
    expect(n).toBe(16);
  });
});

/** The rule behind the test above, for statements written later: JSON batch input goes through `jsonItems` / `jsonTexts`. */
describe('batch statements read their JSON input through json-items', () => {
  it('GIVEN the store\'s statements THEN none reads a JSON array with jsonb_to_recordset or jsonb_array_elements (estimated at 100 rows whatever the batch)', () => {
    const dir = import.meta.dirname;
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /jsonb_to_recordset|jsonb_array_elements/.test(readFileSync(`${dir}/${f}`, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
