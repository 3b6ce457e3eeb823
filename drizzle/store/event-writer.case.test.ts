import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { assertMinor } from '../../domain/money/money.js';
import type { LedgerStore, NewEvent } from '../../domain/ports.js';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import { writeEvents } from './event-writer.js';
import { rowsOf } from './rows.js';

const defaults = { currency: 'EUR', timezone: 'UTC', language: 'en' as const };

/**
 * The ledger's invariant, kept by the one event writer every path uses (chat and API records,
 * template batches, imports, delete/restore/edit): `#N` per book without gaps or repeats, labels
 * once per book case-insensitively, balances equal to opening plus every live event's effect,
 * statistics marks for the hours touched.
 */
describe.each(ENGINES)('event writer on $engine', ({ open }) => {
  let db!: Database;
  let store!: LedgerStore;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  const newBook = async (chatId: string) => {
    const book = await store.resolveChat({ platform: 'console', chatId, kind: 'group', title: chatId }, defaults);
    const user = await store.resolveUser({ platform: 'console', externalId: `u-${chatId}`, name: 'Ann' });
    await store.ensureMember(book.id, user.id, false);
    const cash = await store.createAccount(book.id, { name: 'Cash', currency: 'EUR', openingMinor: 10_000 });
    const card = await store.createAccount(book.id, { name: 'Card', currency: 'EUR', openingMinor: 0 });
    return { book, user, cash, card };
  };
  const q = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await db.db.execute(query));
  /** What the balances must be: opening plus the effect of every live event. */
  const expectedBalances = (bookId: number) =>
    q<{ id: number; balance: string; expected: string }>(sql`
      select a.id, a.balance_minor::text as balance, (a.opening_minor + coalesce((
        select sum(case when e.account_id = a.id then (case when e.kind = 'income' then e.amount_minor else -e.amount_minor end) else 0 end
                 + case when e.to_account_id = a.id then e.to_amount_minor else 0 end)
        from events e where e.book_id = a.book_id and e.deleted_at is null), 0))::text as expected
      from accounts a where a.book_id = ${bookId}`);

  it('GIVEN a batch over two books with every kind and labels in several spellings THEN #N, labels, balances and statistics (marks or the rollup) hold', async () => {
    const a = await newBook('writer-a');
    const b = await newBook('writer-b');
    await store.record({ bookId: a.book.id, kind: 'expense', accountId: a.cash.id, amountMinor: assertMinor(100), currency: 'EUR', labels: ['Food'], note: 'first', authorId: a.user.id, occurredAt: new Date('2026-11-01T08:00:00Z') });
    const at = new Date('2026-11-02T09:30:00Z');
    const ev = (x: Partial<NewEvent> & Pick<NewEvent, 'bookId' | 'accountId'>): NewEvent => ({ kind: 'expense', amountMinor: assertMinor(250), currency: 'EUR', labels: [], note: '', authorId: a.user.id, occurredAt: at, ...x });
    const written = await writeEvents(db.db, [
      ev({ bookId: a.book.id, accountId: a.cash.id, labels: ['food', 'FOOD', 'rent'] }),
      ev({ bookId: b.book.id, accountId: b.card.id, kind: 'income', amountMinor: assertMinor(5_000), labels: ['Salary'] }),
      ev({ bookId: a.book.id, accountId: a.cash.id, kind: 'transfer', toAccountId: a.card.id, toAmountMinor: assertMinor(1_000), amountMinor: assertMinor(1_000) }),
      ev({ bookId: b.book.id, accountId: b.card.id, labels: ['salary', 'Rent'] }),
    ]);

    expect(written.events.map((e) => [e.bookId, e.seq])).toEqual([
      [a.book.id, 2],
      [b.book.id, 1],
      [a.book.id, 3],
      [b.book.id, 2],
    ]);
    // The book's spelling wins; a new label takes the first spelling written.
    expect(written.events.map((e) => e.labels)).toEqual([['Food', 'rent'], ['Salary'], [], ['Rent', 'Salary']]);
    const labels = await q<{ book_id: number; name: string }>(sql`select book_id, name from labels where book_id in (${a.book.id}, ${b.book.id}) order by book_id, name`);
    expect(labels.map((l) => [l.book_id === a.book.id ? 'a' : 'b', l.name])).toEqual([
      ['a', 'Food'],
      ['a', 'rent'],
      ['b', 'Rent'],
      ['b', 'Salary'],
    ]);
    for (const book of [a.book.id, b.book.id]) for (const r of await expectedBalances(book)) expect(r.balance).toBe(r.expected);
    expect(written.balances.find((x) => x.accountId === a.cash.id)?.balanceMinor).toBe(10_000 - 100 - 250 - 1_000);
    expect((await q<{ last_seq: number }>(sql`select last_seq from books where id = ${a.book.id}`))[0]!.last_seq).toBe(3);
    // Statistics: neither book had a rollup (nobody asked); the batch starts both: book a's from
    // its earlier record and the batch's events (migration 0021), book b's from its first events
    // (0020). No mark is left, not even the earlier record's.
    const marks = async (bookId: number) => (await q<{ hour: Date | string }>(sql`select hour from stat_dirty where book_id = ${bookId}`)).map((m) => new Date(m.hour).toISOString());
    expect(await marks(a.book.id)).toEqual([]);
    expect(await marks(b.book.id)).toEqual([]);
    const totalsA = await store.statTotals(a.book.id, '2026-11-01', '2026-12-01', ['t', 'l']);
    expect(totalsA.map((r) => `${r.dim}:${r.name ?? ''}:${r.kind}:${r.minor}:${r.count}`).sort()).toEqual([
      'l:Food:expense:350:2',
      'l:rent:expense:250:1',
      't::expense:350:2',
    ]);
    const totals = await store.statTotals(b.book.id, '2026-11-01', '2026-12-01', ['t', 'l']);
    expect(totals.map((r) => `${r.dim}:${r.name ?? ''}:${r.kind}:${r.minor}:${r.count}`).sort()).toEqual([
      'l:Rent:expense:250:1',
      'l:Salary:expense:250:1',
      'l:Salary:income:5000:1',
      't::expense:250:1',
      't::income:5000:1',
    ]);
  });

  it('GIVEN concurrent single records THEN every #N is used once and the balance is the sum', async () => {
    const a = await newBook('writer-race');
    const recs = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.record({ bookId: a.book.id, kind: 'expense', accountId: a.cash.id, amountMinor: assertMinor(i + 1), currency: 'EUR', labels: ['Race', 'race'], note: `r${i}`, authorId: a.user.id, occurredAt: new Date() }),
      ),
    );
    expect(recs.map((r) => r.event.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect((await q<{ n: number }>(sql`select count(*)::int as n from labels where book_id = ${a.book.id}`))[0]!.n).toBe(1);
    for (const r of await expectedBalances(a.book.id)) expect(r.balance).toBe(r.expected);
  });

  it('GIVEN delete, restore and edit THEN balances and labels follow the live events', async () => {
    const a = await newBook('writer-edit');
    const r = await store.record({ bookId: a.book.id, kind: 'transfer', accountId: a.cash.id, amountMinor: assertMinor(700), currency: 'EUR', toAccountId: a.card.id, toAmountMinor: assertMinor(700), toCurrency: 'EUR', labels: [], note: '', authorId: a.user.id, occurredAt: new Date() });
    const e = await store.record({ bookId: a.book.id, kind: 'expense', accountId: a.cash.id, amountMinor: assertMinor(300), currency: 'EUR', labels: ['old'], note: '', authorId: a.user.id, occurredAt: new Date() });
    await store.setDeleted(a.book.id, r.event.seq, true);
    for (const x of await expectedBalances(a.book.id)) expect(x.balance).toBe(x.expected);
    await store.setDeleted(a.book.id, r.event.seq, false);
    const edited = await store.editEvent(a.book.id, e.event.seq, { amountMinor: 450, accountId: a.card.id, labels: ['New', 'new', 'other'] });
    expect(edited.labels).toEqual(['New', 'other']);
    for (const x of await expectedBalances(a.book.id)) expect(x.balance).toBe(x.expected);
    expect((await store.listAccounts(a.book.id)).map((x) => [x.name, x.balanceMinor])).toEqual([
      ['Cash', 10_000 - 700],
      ['Card', 700 - 450],
    ]);
  });
});
