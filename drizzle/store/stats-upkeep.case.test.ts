import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import { rowsOf } from './rows.js';
import { statsUpkeep } from './stats-upkeep.js';
import type { LedgerStore } from '../../domain/ports.js';
import { assertMinor } from '../../domain/money/money.js';

describe.each(ENGINES)('statistics upkeep on $engine', ({ open }) => {
  let db!: Database;
  let store!: LedgerStore;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  const marks = async () => Number(rowsOf<{ n: string | number }>(await db.db.execute(sql`select count(*) as n from stat_dirty`))[0]!.n);

  async function bookWithRecords(i: number) {
    const e = (await store.enter(
      { platform: 'telegram', chatId: `up-${i}`, kind: 'group', title: `Up ${i}` },
      { platform: 'telegram', externalId: `up-user-${i}`, name: `U${i}` },
      false,
      { currency: 'EUR', timezone: 'Europe/Berlin', language: 'en' },
    ))!;
    const acc = await store.createAccount(e.book.id, { name: 'Main', currency: 'EUR', openingMinor: 0 });
    for (const day of [1, 2]) {
      await store.record({ bookId: e.book.id, kind: 'expense', accountId: acc.id, amountMinor: assertMinor(100 * day), currency: 'EUR', labels: ['x'], note: '', authorId: e.user.id, occurredAt: new Date(`2026-05-0${day}T10:00:00Z`) });
    }
    return e.book.id;
  }

  it('GIVEN more books than one batch THEN one run goes through them batch by batch and leaves no marks', async () => {
    const books = await Promise.all([1, 2, 3, 4, 5].map(bookWithRecords));
    // One book has a rollup (someone read its statistics), then gets another record.
    await store.statTotals(books[0]!, '2026-05-01', '2026-06-01', ['t']);
    const [acc] = await store.listAccounts(books[0]!);
    await store.record({ bookId: books[0]!, kind: 'expense', accountId: acc!.id, amountMinor: assertMinor(7), currency: 'EUR', labels: [], note: '', authorId: null, occurredAt: new Date('2026-05-03T10:00:00Z') });
    expect(await marks()).toBeGreaterThan(0);

    const done = await statsUpkeep(db.db, { books: 2 });
    expect(done.refreshed).toBe(1);
    expect(await marks()).toBe(0);
    // The refreshed rollup counts the late record.
    const total = (await store.statTotals(books[0]!, '2026-05-01', '2026-06-01', ['t'])).find((r) => r.kind === 'expense');
    expect(total?.minor).toBe(307);
  });
});
