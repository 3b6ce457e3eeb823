import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import type { LedgerStore } from '../../domain/ports.js';
import { assertMinor } from '../../domain/money/money.js';

const defaults = { currency: 'EUR', timezone: 'UTC', language: 'en' as const };

/** The rule store contract, on PostgreSQL and on embedded PGlite. */
describe.each(ENGINES)('rule store on $engine', ({ open }) => {
  let db!: Database;
  let store!: LedgerStore;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  const newBook = async (chatId: string) => {
    const book = await store.resolveChat({ platform: 'telegram', chatId, kind: 'group', title: chatId }, defaults);
    const user = await store.resolveUser({ platform: 'telegram', externalId: `u-${chatId}`, name: 'Ann' });
    const account = await store.createAccount(book.id, { name: 'Card', currency: 'EUR', openingMinor: 0 });
    return { book, user, account };
  };

  it('GIVEN rules THEN they are numbered per book, listed by number, and numbers are not reused after a delete', async () => {
    const { book, user, account } = await newBook('rules-crud');
    const other = await newBook('rules-other');
    const a = await store.addRule({ bookId: book.id, pattern: 'lidl', label: 'groceries', accountId: account.id, note: 'weekly shop', createdBy: user.id });
    const b = await store.addRule({ bookId: book.id, pattern: 'uber*', label: 'taxi', accountId: null, note: null, createdBy: user.id });
    const c = await store.addRule({ bookId: other.book.id, pattern: 'x', label: 'y', accountId: null, note: null, createdBy: null });
    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 1]);
    expect(a).toMatchObject({ bookId: book.id, pattern: 'lidl', label: 'groceries', accountId: account.id, accountName: 'Card', note: 'weekly shop', createdBy: user.id });
    expect(a.createdAt).toBeInstanceOf(Date);
    expect((await store.listRules(book.id)).map((r) => r.pattern)).toEqual(['lidl', 'uber*']);

    expect(await store.deleteRule(other.book.id, b.seq)).toBeUndefined(); // another book's number 2: none there
    expect((await store.deleteRule(book.id, b.seq))?.pattern).toBe('uber*');
    expect(await store.deleteRule(book.id, b.seq)).toBeUndefined();
    const d = await store.addRule({ bookId: book.id, pattern: 'aldi', label: 'groceries', accountId: null, note: null, createdBy: user.id });
    expect(d.seq).toBe(3);
    expect((await store.listRules(book.id)).map((r) => r.seq)).toEqual([1, 3]);
    expect((await store.listRules(other.book.id)).map((r) => r.pattern)).toEqual(['x']);
  });

  it('GIVEN adds at the same time THEN each gets its own number', async () => {
    const { book } = await newBook('rules-race');
    const added = await Promise.all(Array.from({ length: 6 }, (_, i) => store.addRule({ bookId: book.id, pattern: `p${i}`, label: 'l', accountId: null, note: null, createdBy: null })));
    expect(added.map((r) => r.seq).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('GIVEN the rule account is deleted THEN the rule stays, without an account', async () => {
    const { book, account } = await newBook('rules-account');
    await store.createAccount(book.id, { name: 'Cash', currency: 'EUR', openingMinor: 0 });
    await store.addRule({ bookId: book.id, pattern: 'lidl', label: 'groceries', accountId: account.id, note: null, createdBy: null });
    await store.setDefaultAccount(book.id, (await store.listAccounts(book.id)).find((x) => x.name === 'Cash')!.id);
    await store.deleteAccount(book.id, account.id);
    expect(await store.listRules(book.id)).toMatchObject([{ pattern: 'lidl', accountId: null, accountName: null }]);
  });

  it('GIVEN records THEN the history for suggestions has their notes and labels, newest first, deleted ones left out', async () => {
    const { book, user, account } = await newBook('rules-history');
    const rec = (note: string, labels: string[]) =>
      store.record({ bookId: book.id, kind: 'expense', accountId: account.id, amountMinor: assertMinor(100), currency: 'EUR', labels, note, authorId: user.id, occurredAt: new Date('2026-01-02T10:00:00Z') });
    await rec('Lidl', ['groceries']);
    const gone = await rec('gone', ['x']);
    await rec('Shell', ['car', 'Fuel']);
    await store.setDeleted(book.id, gone.event.seq, true);
    // An imported record: the bank's payee is kept in `meta` (drizzle/store/statement-store.ts).
    const imported = await rec('weekly shop', ['groceries']);
    await db.db.execute(sql`update events set meta = jsonb_build_object('payee', 'LIDL 1234 BERLIN', 'memo', 'card') where id = ${imported.event.id}`);
    expect(await store.ruleHistory(book.id, 10)).toEqual([
      { payee: 'LIDL 1234 BERLIN', note: 'weekly shop', labels: ['groceries'] },
      { note: 'Shell', labels: ['car', 'Fuel'] },
      { note: 'Lidl', labels: ['groceries'] },
    ]);
    expect(await store.ruleHistory(book.id, 1)).toHaveLength(1);
  });
});
