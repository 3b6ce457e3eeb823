import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerStore } from '../../domain/ports.js';
import { ENGINES } from '../../test/databases.js';
import type { Database } from '../db.js';
import { createStore } from './index.js';
import { assertMinor } from '../../domain/money/money.js';

const defaults = { currency: 'EUR', timezone: 'UTC', language: 'en' as const };

describe.each(ENGINES)('API reads on $engine', ({ open }) => {
  let db: Database;
  let store: LedgerStore;
  let ann: number;
  let eve: number;
  let book: number;
  let eveBook: number;
  let main: number;
  let card: number;

  beforeAll(async () => {
    db = await open();
    store = createStore(db.db);
    ann = (await store.resolveUser({ platform: 'telegram', externalId: 'a', name: 'Ann' })).id;
    eve = (await store.resolveUser({ platform: 'telegram', externalId: 'e', name: 'Eve' })).id;
    book = (await store.resolveChat({ platform: 'telegram', chatId: 'g', kind: 'group', title: 'Family' }, defaults)).id;
    eveBook = (await store.resolveChat({ platform: 'telegram', chatId: 'e', kind: 'private', title: 'Eve' }, defaults)).id;
    await store.ensureMember(book, ann, false);
    await store.ensureMember(eveBook, eve, false);
    main = (await store.createAccount(book, { name: 'Main', currency: 'EUR', openingMinor: 0 })).id;
    card = (await store.createAccount(book, { name: 'Card', currency: 'EUR', openingMinor: 0 })).id;
    const eveMain = (await store.createAccount(eveBook, { name: 'Main', currency: 'EUR', openingMinor: 0 })).id;
    const rec = (accountId: number, day: string, note: string, labels: string[] = [], kind: 'expense' | 'income' = 'expense', b = book) =>
      store.record({ bookId: b, kind, accountId, amountMinor: assertMinor(100), currency: 'EUR', labels, note, authorId: ann, occurredAt: new Date(`${day}T12:00:00Z`) });
    await rec(main, '2026-11-01', 'one', ['food']); // #1
    await rec(card, '2026-11-03', '100% juice_box', ['Food']); // #2
    await rec(main, '2026-11-02', 'two'); // #3
    await rec(main, '2026-11-03', 'three', [], 'income'); // #4
    await rec(eveMain, '2026-11-03', 'eve secret 100%', ['food'], 'expense', eveBook);
  });
  afterAll(async () => db?.close());

  it('GIVEN memberships THEN booksOfUser and membership see only the user’s books', async () => {
    expect((await store.booksOfUser(ann)).map((b) => [b.id, b.role])).toEqual([[book, 'owner']]);
    expect(await store.membership(eveBook, ann)).toBeUndefined();
    expect(await store.membership(book, ann)).toMatchObject({ role: 'owner', book: { id: book, title: 'Family' } });
  });

  it('GIVEN events THEN pages come newest first by date, then by number, and the cursor continues exactly', async () => {
    const first = await store.eventPage(book, { limit: 2 });
    expect(first.map((e) => e.seq)).toEqual([4, 2]);
    const last = first[1]!;
    const next = await store.eventPage(book, { limit: 10, after: { occurredAt: last.occurredAt, seq: last.seq } });
    expect(next.map((e) => e.seq)).toEqual([3, 1]);
  });

  it('GIVEN filters THEN each narrows within the book only', async () => {
    const seqs = async (f: Parameters<LedgerStore['eventPage']>[1]) => (await store.eventPage(book, f)).map((e) => e.seq);
    expect(await seqs({ limit: 10, label: 'FOOD' })).toEqual([2, 1]);
    expect(await seqs({ limit: 10, accountId: card })).toEqual([2]);
    expect(await seqs({ limit: 10, kind: 'income' })).toEqual([4]);
    expect(await seqs({ limit: 10, from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-03T00:00:00Z') })).toEqual([3]);
    // LIKE wildcards are matched literally.
    expect(await seqs({ limit: 10, q: '%' })).toEqual([2]);
    expect(await seqs({ limit: 10, q: 'e_b' })).toEqual([2]);
    expect(await seqs({ limit: 10, q: 't_o' })).toEqual([]);
    expect(await seqs({ limit: 10, q: 'secret' })).toEqual([]);
  });
});
