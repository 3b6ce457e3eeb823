import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import type { LedgerStore } from '../../domain/ports.js';
import { assertMinor } from '../../domain/money/money.js';

const defaults = { currency: 'EUR', timezone: 'Europe/Berlin', language: 'en' as const };

/** One store contract, run on PostgreSQL (postgres.js) and on embedded PGlite. */
describe.each(ENGINES)('store on $engine', ({ open }) => {
  let db!: Database;
  let store!: LedgerStore;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  const newBook = async (chatId: string) => {
    const book = await store.resolveChat({ platform: 'telegram', chatId, kind: 'group', title: `Chat ${chatId}` }, defaults);
    const user = await store.resolveUser({ platform: 'telegram', externalId: `u-${chatId}`, name: 'Ann' });
    await store.ensureMember(book.id, user.id, false);
    return { book, user };
  };

  it('GIVEN a chat seen twice THEN it maps to one book with the defaults', async () => {
    const a = await store.resolveChat({ platform: 'telegram', chatId: '100', kind: 'private', title: 'Ann' }, defaults);
    const b = await store.resolveChat({ platform: 'telegram', chatId: '100', kind: 'private', title: 'Ann' }, defaults);
    expect(b.id).toBe(a.id);
    expect(a).toMatchObject({ currency: 'EUR', timezone: 'Europe/Berlin', language: 'en' });
  });

  it('GIVEN concurrent first messages from one user THEN one user exists', async () => {
    const ref = { platform: 'telegram' as const, externalId: 'race-1', name: 'Racer' };
    const users = await Promise.all(Array.from({ length: 8 }, () => store.resolveUser(ref)));
    expect(new Set(users.map((u) => u.id)).size).toBe(1);
  });

  it('GIVEN a new book THEN the first member is owner, platform admins are admins, others members', async () => {
    const book = await store.resolveChat({ platform: 'telegram', chatId: 'roles', kind: 'group', title: 'G' }, defaults);
    const u1 = await store.resolveUser({ platform: 'telegram', externalId: 'r1', name: 'One' });
    const u2 = await store.resolveUser({ platform: 'telegram', externalId: 'r2', name: 'Two' });
    const u3 = await store.resolveUser({ platform: 'telegram', externalId: 'r3', name: 'Three' });
    expect((await store.ensureMember(book.id, u1.id, false)).role).toBe('owner');
    expect((await store.ensureMember(book.id, u2.id, true)).role).toBe('admin');
    expect((await store.ensureMember(book.id, u3.id, false)).role).toBe('member');
    // Becoming a chat admin later upgrades a member...
    expect((await store.ensureMember(book.id, u3.id, true)).role).toBe('admin');
    // ...unless the role was set explicitly.
    await store.setRole(book.id, u3.id, 'viewer');
    expect((await store.ensureMember(book.id, u3.id, true)).role).toBe('viewer');
  });

  it('GIVEN a known member THEN enter resolves user, book, role and the book snapshot in one call and drops a repeated update key', async () => {
    const chat = { platform: 'discord' as const, chatId: 'snap', kind: 'group' as const, title: 'Snap' };
    const from = { platform: 'discord' as const, externalId: 'snap-user', name: 'Sam', username: 'sam' };
    const first = await store.enter(chat, from, false, defaults, 'dc:snap:1');
    expect(first?.member.role).toBe('owner');
    const acc = await store.createAccount(first!.book.id, { name: 'Wallet', currency: 'EUR', openingMinor: 700 });
    await store.record({ bookId: first!.book.id, kind: 'expense', accountId: acc.id, amountMinor: assertMinor(200), currency: 'EUR', labels: ['Food'], note: '', authorId: first!.user.id, occurredAt: new Date() });
    const again = await store.enter(chat, from, false, defaults, 'dc:snap:2');
    expect(again).toMatchObject({ user: { id: first!.user.id }, book: { id: first!.book.id }, member: { role: 'owner' } });
    expect(again!.snapshot).toEqual({
      accounts: [{ id: acc.id, bookId: first!.book.id, name: 'Wallet', currency: 'EUR', openingMinor: 700, balanceMinor: 500 }],
      labels: [{ id: expect.any(Number), name: 'Food' }],
      hasBudgets: false,
      hasRules: false,
    });
    expect(await store.enter(chat, from, false, defaults, 'dc:snap:2')).toBeUndefined();
    // A changed username is stored (for @mentions) and the next call still resolves the same user.
    const renamed = await store.enter(chat, { ...from, username: 'sammy' }, false, defaults);
    expect(renamed?.user.id).toBe(first!.user.id);
    expect((await store.enter(chat, { ...from, username: 'sammy' }, false, defaults))?.snapshot).toBeDefined();
  });

  it('GIVEN a chat marked blocked WHEN it writes again THEN it is unblocked', async () => {
    const chat = { platform: 'telegram' as const, chatId: 'blocked-1', kind: 'private' as const, title: 'B' };
    const from = { platform: 'telegram' as const, externalId: 'blocked-user', name: 'Bea' };
    await store.enter(chat, from, false, defaults);
    await db.db.execute(sql`update chats set blocked_at = now() where chat_id = 'blocked-1'`);
    await store.enter(chat, from, false, defaults, 'tg:unblock:1');
    const rows = (await db.db.execute(sql`select blocked_at from chats where chat_id = 'blocked-1'`)) as unknown;
    const [row] = Array.isArray(rows) ? rows : (rows as { rows: { blocked_at: unknown }[] }).rows;
    expect(row.blocked_at).toBeNull();
  });

  it('GIVEN an update key seen before THEN markProcessed says so', async () => {
    expect(await store.markProcessed('tg:1:42')).toBe(true);
    expect(await store.markProcessed('tg:1:42')).toBe(false);
  });

  it('GIVEN records THEN seq numbers are per book and balances follow every change', async () => {
    const { book, user } = await newBook('ledger');
    const other = await newBook('ledger-2');
    const cash = await store.createAccount(book.id, { name: 'Cash', currency: 'EUR', openingMinor: 10_000 });
    const card = await store.createAccount(book.id, { name: 'Card', currency: 'EUR', openingMinor: 0 });
    expect((await store.getBook(book.id)).defaultAccountId).toBe(cash.id);

    const r1 = await store.record({ bookId: book.id, kind: 'expense', accountId: cash.id, amountMinor: assertMinor(450), currency: 'EUR', labels: ['coffee'], note: 'latte', authorId: user.id, occurredAt: new Date('2026-11-20T10:00:00Z') });
    expect(r1.event.seq).toBe(1);
    expect(r1.balances).toEqual([{ accountId: cash.id, accountName: "Cash", currency: "EUR", balanceMinor: 9_550 }]);
    const otherAcc = await store.createAccount(other.book.id, { name: 'Main', currency: 'EUR', openingMinor: 0 });
    const o1 = await store.record({ bookId: other.book.id, kind: 'income', accountId: otherAcc.id, amountMinor: assertMinor(1), currency: 'EUR', labels: [], note: '', authorId: other.user.id, occurredAt: new Date() });
    expect(o1.event.seq).toBe(1);

    const r2 = await store.record({ bookId: book.id, kind: 'transfer', accountId: cash.id, amountMinor: assertMinor(2_000), currency: 'EUR', toAccountId: card.id, toAmountMinor: assertMinor(2_000), toCurrency: 'EUR', labels: [], note: '', authorId: user.id, occurredAt: new Date() });
    expect(r2.event.seq).toBe(2);
    expect(r2.balances).toMatchObject([
      { accountId: cash.id, balanceMinor: 7_550 },
      { accountId: card.id, balanceMinor: 2_000 },
    ]);

    // Labels match case-insensitively and keep their first spelling.
    const r3 = await store.record({ bookId: book.id, kind: 'expense', accountId: card.id, amountMinor: assertMinor(1_000), currency: 'EUR', labels: ['Coffee', 'treat'], note: '', authorId: user.id, occurredAt: new Date() });
    expect(r3.event.labels).toEqual(['coffee', 'treat']);
    expect((await store.listLabels(book.id)).map((l) => l.name)).toEqual(['coffee', 'treat']);

    // Soft delete reverses the balance; restore re-applies it.
    await store.setDeleted(book.id, 2, true);
    let accs = await store.listAccounts(book.id);
    expect(accs.map((a) => a.balanceMinor)).toEqual([9_550, -1_000]);
    await expect(store.setDeleted(book.id, 2, true)).rejects.toMatchObject({ code: 'event_unknown' });
    await store.setDeleted(book.id, 2, false);
    accs = await store.listAccounts(book.id);
    expect(accs.map((a) => a.balanceMinor)).toEqual([7_550, 1_000]);

    // Edits move balances exactly.
    const edited = await store.editEvent(book.id, 1, { amountMinor: 500, accountId: card.id, labels: ['tea'], note: 'green tea' });
    expect(edited).toMatchObject({ amountMinor: 500, accountName: 'Card', labels: ['tea'], note: 'green tea' });
    accs = await store.listAccounts(book.id);
    expect(accs.map((a) => a.balanceMinor)).toEqual([8_000, 500]);

    // History: newest first, filters by label and account, excludes deleted.
    await store.setDeleted(book.id, 3, true);
    const h = await store.history(book.id, { limit: 10 });
    expect(h.map((e) => e.seq)).toEqual([2, 1]);
    expect((await store.history(book.id, { limit: 10, label: 'TEA' })).map((e) => e.seq)).toEqual([1]);
    expect((await store.lastEventBy(book.id, user.id))?.seq).toBe(2);
  });

  it('GIVEN the same source key twice THEN the event is recorded once', async () => {
    const { book, user } = await newBook('idem');
    const acc = await store.createAccount(book.id, { name: 'Main', currency: 'EUR', openingMinor: 0 });
    const e = { bookId: book.id, kind: 'expense' as const, accountId: acc.id, amountMinor: assertMinor(100), currency: 'EUR', labels: [], note: '', authorId: user.id, occurredAt: new Date(), sourceKey: 'import:abc' };
    const results = await Promise.all([store.record(e), store.record(e), store.record(e)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await store.listAccounts(book.id))[0]!.balanceMinor).toBe(-100);
  });

  it('GIVEN concurrent records in one book, some with labels new to it THEN every seq is unique, the balance exact, and every record keeps its labels', async () => {
    const { book, user } = await newBook('concurrent');
    const acc = await store.createAccount(book.id, { name: 'Main', currency: 'JPY', openingMinor: 0 });
    const labelsOf = (i: number) => (i % 2 ? ['x'] : ['x', 'y']);
    const rs = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.record({ bookId: book.id, kind: 'expense', accountId: acc.id, amountMinor: assertMinor(i + 1), currency: 'JPY', labels: labelsOf(i), note: '', authorId: user.id, occurredAt: new Date() }),
      ),
    );
    expect(new Set(rs.map((r) => r.event.seq)).size).toBe(40);
    expect((await store.listAccounts(book.id))[0]!.balanceMinor).toBe(-820);
    expect(rs.map((r) => r.event.labels)).toEqual(Array.from({ length: 40 }, (_, i) => labelsOf(i)));
    expect((await store.listLabels(book.id)).map((l) => l.name)).toEqual(['x', 'y']);
    const stored = await store.history(book.id, { limit: 100 });
    expect(stored.filter((e) => e.labels.join() === 'x,y')).toHaveLength(20);
  });

  it('GIVEN accounts THEN names are unique per book case-insensitively and used accounts cannot be deleted', async () => {
    const { book, user } = await newBook('accounts');
    const a = await store.createAccount(book.id, { name: 'Savings', currency: 'EUR', openingMinor: 0 });
    await expect(store.createAccount(book.id, { name: 'savings', currency: 'EUR', openingMinor: 0 })).rejects.toMatchObject({ code: 'account_exists' });
    await store.record({ bookId: book.id, kind: 'income', accountId: a.id, amountMinor: assertMinor(5), currency: 'EUR', labels: [], note: '', authorId: user.id, occurredAt: new Date() });
    await expect(store.deleteAccount(book.id, a.id)).rejects.toMatchObject({ code: 'account_in_use' });
    const b = await store.createAccount(book.id, { name: 'Old', currency: 'EUR', openingMinor: 0 });
    await store.deleteAccount(book.id, b.id);
    expect((await store.listAccounts(book.id)).map((x) => x.name)).toEqual(['Savings']);
    // The name is free again after deletion.
    await store.createAccount(book.id, { name: 'Old', currency: 'EUR', openingMinor: 0 });
  });

  it('GIVEN labels THEN merge moves events and totals are per label and currency', async () => {
    const { book, user } = await newBook('labels');
    const acc = await store.createAccount(book.id, { name: 'Main', currency: 'EUR', openingMinor: 0 });
    const at = new Date('2026-11-10T12:00:00Z');
    const rec = (labels: string[], amountMinor: number) =>
      store.record({ bookId: book.id, kind: 'expense', accountId: acc.id, amountMinor: assertMinor(amountMinor), currency: 'EUR', labels, note: '', authorId: user.id, occurredAt: at });
    await rec(['food'], 1_000);
    await rec(['groceries'], 250);
    await rec(['food', 'groceries'], 100);
    const [food, groceries] = await store.listLabels(book.id);
    await store.mergeLabels(book.id, groceries!.id, food!.id);
    const totals = await store.labelTotals(book.id, new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
    expect(totals).toEqual([{ name: 'food', currency: 'EUR', expenseMinor: 1_350, incomeMinor: 0 }]);
    expect((await store.periodTotals(book.id, new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z')))).toEqual([
      { currency: 'EUR', expenseMinor: 1_350, incomeMinor: 0 },
    ]);
  });
});
