import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { assertMinor } from '../../domain/money/money.js';
import { DomainError } from '../../domain/errors.js';
import type { LedgerStore, NewEvent, Recorded } from '../../domain/ports.js';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import { chatJournal } from './chat-journal.js';
import { createStore } from './index.js';
import { rowsOf } from './rows.js';

const defaults = { currency: 'EUR', timezone: 'UTC', language: 'en' as const };
const codec = { encode: (r: { text: string }) => r, decode: (v: unknown) => v as { text: string } };
/** What the journal hands each update to apply (the bot's ApplyUpdate, seen from the store). */
type ApplyUpdate = Parameters<ReturnType<typeof chatJournal<{ text: string }>>['applyBatch']>[2];
type HeldUpdate = Parameters<ReturnType<typeof chatJournal<{ text: string }>>['hold']>[0][number];

/**
 * Records of several chats applied in one batch transaction (issue 19) are written by one
 * statement (drizzle/store/record-combiner.ts); each chat still gets its own `#N` and the balances
 * right after its own record, and a record the bound refuses is answered as when written alone.
 * "One statement" is seen in PostgreSQL's own bookkeeping: rows a statement inserts carry its
 * command id (`cmin`), and each statement of a transaction has a new one.
 */
describe.each(ENGINES)('records combined in a batch on $engine', ({ open }) => {
  let db!: Database;
  let store!: LedgerStore;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  const newBook = async (name: string, openingMinor = 10_000) => {
    const book = await store.resolveChat({ platform: 'console', chatId: name, kind: 'group', title: name }, defaults);
    const user = await store.resolveUser({ platform: 'console', externalId: `u-${name}`, name: 'Ann' });
    await store.ensureMember(book.id, user.id, false);
    const cash = await store.createAccount(book.id, { name: 'Cash', currency: 'EUR', openingMinor });
    return { book, user, cash };
  };
  const expense = (b: Awaited<ReturnType<typeof newBook>>, amount: number, label: string): NewEvent => ({
    bookId: b.book.id,
    kind: 'expense',
    accountId: b.cash.id,
    amountMinor: assertMinor(amount),
    currency: 'EUR',
    note: label,
    authorId: b.user.id,
    occurredAt: new Date('2026-12-06T12:00:00Z'),
    labels: [label],
  });
  let seq = 1000;
  const heldFor = (chatKey: string, payload: unknown): HeldUpdate => ({ key: `rc:${++seq}`, chatKey, seq, payload });

  it('GIVEN records of three chats in one batch, two of them in one book THEN one statement writes them, each with its own #N and its own balance after it', async () => {
    const a = await newBook('rc-a');
    const b = await newBook('rc-b');
    const j = chatJournal(db.db, codec);
    // Chats 1 and 2 write into book A (a group and a member's own chat on one book), chat 3 into B.
    const asks: Record<string, NewEvent> = { 'console:rc1': expense(a, 100, 'one'), 'console:rc2': expense(a, 250, 'two'), 'console:rc3': expense(b, 700, 'three') };
    await j.hold(Object.keys(asks).map((c) => heldFor(c, {})));
    const answers = new Map<string, Recorded>();
    const apply: ApplyUpdate = async (u, scope) => {
      answers.set(u.chatKey, await scope.store.record(asks[u.chatKey]!));
    };
    const out = await j.applyBatch(Object.keys(asks), 10, apply, () => []);
    expect(out.applied).toHaveLength(3);

    const rows = rowsOf<{ book_id: number; seq: number; amount: string; cmin: string }>(
      await db.db.execute(sql`select book_id, seq, amount_minor::text as amount, cmin::text as cmin from events where book_id in (${a.book.id}, ${b.book.id}) order by id`),
    );
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.cmin)).size).toBe(1);
    // Book A's two records took #1 and #2 in the order they were asked for; B's took its own #1.
    const one = answers.get('console:rc1')!;
    const two = answers.get('console:rc2')!;
    const three = answers.get('console:rc3')!;
    expect([one.event.seq, two.event.seq, three.event.seq]).toEqual([1, 2, 1]);
    expect(one.event.labels).toEqual(['one']);
    // Each answer holds the balance right after its own record, as a record written alone says it.
    expect(one.balances).toEqual([{ accountId: a.cash.id, accountName: 'Cash', currency: 'EUR', balanceMinor: 9_900 }]);
    expect(two.balances).toEqual([{ accountId: a.cash.id, accountName: 'Cash', currency: 'EUR', balanceMinor: 9_650 }]);
    expect(three.balances).toEqual([{ accountId: b.cash.id, accountName: 'Cash', currency: 'EUR', balanceMinor: 9_300 }]);
    expect((await store.listAccounts(a.book.id)).find((x) => x.id === a.cash.id)?.balanceMinor).toBe(9_650);
  });

  it('GIVEN three chats entering in one batch, two of them marked unreachable THEN one statement reads all three, each gets its own user, book and accounts, and both blocked chats are open again', async () => {
    const books = await Promise.all(['rc-f', 'rc-g', 'rc-h'].map((n) => newBook(n)));
    await db.db.execute(sql`update chats set blocked_at = now() where platform = 'console' and chat_id in ('rc-f', 'rc-g')`);
    const j = chatJournal(db.db, codec);
    await j.hold(['rc-f', 'rc-g', 'rc-h'].map((c) => heldFor(`console:${c}`, {})));
    const entered = new Map<string, { user: number; book: number; accounts: string[] }>();
    const apply: ApplyUpdate = async (u, scope) => {
      const chatId = u.chatKey.split(':')[1]!;
      const e = await scope.store.enter({ platform: 'console', chatId, kind: 'group', title: chatId }, { platform: 'console', externalId: `u-${chatId}`, name: 'Ann' }, false, defaults);
      entered.set(chatId, { user: e!.user.id, book: e!.book.id, accounts: e!.snapshot!.accounts.map((x) => x.name) });
    };
    await j.applyBatch(['console:rc-f', 'console:rc-g', 'console:rc-h'], 10, apply, () => []);
    expect(Object.fromEntries(entered)).toEqual(
      Object.fromEntries(books.map((b, k) => [['rc-f', 'rc-g', 'rc-h'][k], { user: b.user.id, book: b.book.id, accounts: ['Cash'] }])),
    );
    const chats = rowsOf<{ chat_id: string; blocked: boolean; cmin: string }>(
      await db.db.execute(sql`select chat_id, blocked_at is not null as blocked, cmin::text as cmin from chats where platform = 'console' and chat_id in ('rc-f', 'rc-g') order by chat_id`),
    );
    expect(chats.map((c) => c.blocked)).toEqual([false, false]);
    expect(chats[0]!.cmin).toBe(chats[1]!.cmin);
  });

  it('GIVEN a batch where one chat\'s record would take its balance past the bound THEN that chat is told so, the others are recorded once, and nothing of the refused one stays', async () => {
    const a = await newBook('rc-d');
    const big = await newBook('rc-e', -(Number.MAX_SAFE_INTEGER - 10));
    const j = chatJournal(db.db, codec);
    const asks: Record<string, NewEvent> = { 'console:rc4': expense(a, 100, 'fine'), 'console:rc5': expense(big, 50, 'over') };
    await j.hold(Object.keys(asks).map((c) => heldFor(c, {})));
    const said: Record<string, string> = {};
    const apply: ApplyUpdate = async (u, scope) => {
      try {
        const r = await scope.store.record(asks[u.chatKey]!);
        said[u.chatKey] = `#${r.event.seq}`;
      } catch (err) {
        // As the record command does: a DomainError is the user's answer, anything else a failure.
        if (!(err instanceof DomainError)) throw err;
        said[u.chatKey] = err.code;
      }
    };
    const out = await j.applyBatch(Object.keys(asks), 10, apply, () => []);
    expect(out.applied.map((x) => x.failed ?? false)).toEqual([false, false]);
    expect(said).toEqual({ 'console:rc4': '#1', 'console:rc5': 'balance_out_of_range' });
    const rows = rowsOf<{ book_id: number; n: number }>(
      await db.db.execute(sql`select book_id, count(*)::int as n from events where book_id in (${a.book.id}, ${big.book.id}) group by book_id`),
    );
    expect(rows).toEqual([{ book_id: a.book.id, n: 1 }]);
    expect((await store.listAccounts(big.book.id))[0]!.balanceMinor).toBe(-(Number.MAX_SAFE_INTEGER - 10));
  });

  describe('outside a transaction (the API: single records from many clients at once)', () => {
    const xmins = async (bookIds: number[]) =>
      rowsOf<{ book_id: number; seq: number; xmin: string }>(
        await db.db.execute(sql`select book_id, seq, xmin::text as xmin from events where book_id in (${sql.join(bookIds.map((b) => sql`${b}`), sql`, `)}) order by book_id, seq`),
      );

    it('GIVEN records into three books asked for at once THEN one transaction writes them all, each with its own #N and balance', async () => {
      const books = await Promise.all(['rc-i', 'rc-j', 'rc-k'].map((n) => newBook(n)));
      const api = createStore(db.db, { combineRecords: true });
      const got = await Promise.all(books.map((b, k) => api.record(expense(b, 100 * (k + 1), 'api'))));
      expect(got.map((r) => r.event.seq)).toEqual([1, 1, 1]);
      expect(got.map((r) => r.balances[0]!.balanceMinor)).toEqual([9_900, 9_800, 9_700]);
      const rows = await xmins(books.map((b) => b.book.id));
      expect(rows).toHaveLength(3);
      expect(new Set(rows.map((r) => r.xmin)).size).toBe(1);
    });

    it('GIVEN one record past the bound among three THEN the other two are recorded once each, that one is refused, and nothing of it stays', async () => {
      const a = await newBook('rc-l');
      const over = await newBook('rc-m', -(Number.MAX_SAFE_INTEGER - 10));
      const c = await newBook('rc-n');
      const api = createStore(db.db, { combineRecords: true });
      const got = await Promise.allSettled([api.record(expense(a, 100, 'x')), api.record(expense(over, 50, 'x')), api.record(expense(c, 300, 'x'))]);
      expect(got.map((g) => g.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(((got[1] as PromiseRejectedResult).reason as DomainError).code).toBe('balance_out_of_range');
      const rows = await xmins([a.book.id, over.book.id, c.book.id]);
      expect(rows.map((r) => [r.book_id, r.seq])).toEqual([[a.book.id, 1], [c.book.id, 1]]);
      expect((await store.listAccounts(over.book.id))[0]!.balanceMinor).toBe(-(Number.MAX_SAFE_INTEGER - 10));
    });

    it('GIVEN a record into a book that is gone among others THEN the others are recorded exactly once and only that one fails', async () => {
      const a = await newBook('rc-o');
      const c = await newBook('rc-p');
      const api = createStore(db.db, { combineRecords: true });
      const gone = { ...expense(a, 100, 'x'), bookId: 987_654 };
      const got = await Promise.allSettled([api.record(expense(a, 100, 'x')), api.record(gone), api.record(expense(c, 300, 'x'))]);
      expect(got.map((g) => g.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      // The combined write found one book missing after its statement: it rolled back, so the
      // records written alone afterwards are the only ones.
      const rows = await xmins([a.book.id, c.book.id]);
      expect(rows.map((r) => [r.book_id, r.seq])).toEqual([[a.book.id, 1], [c.book.id, 1]]);
      expect((await store.listAccounts(a.book.id))[0]!.balanceMinor).toBe(9_900);
    });
  });
});
