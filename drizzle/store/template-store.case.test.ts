import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import { templateSweepStore } from './template-store.js';
import { deliveryStore } from './chat-delivery-store.js';
import type { LedgerStore, NewEvent } from '../../domain/ports.js';
import { parseSchedule } from '../../domain/schedules/schedule.js';
import { occurrenceKey, sweepTemplates } from '../../domain/schedules/sweep.js';
import { assertMinor } from '../../domain/money/money.js';

const defaults = { currency: 'EUR', timezone: 'UTC', language: 'en' as const };
const schedule = parseSchedule('daily at:09:00');
const due = new Date('2026-11-24T09:00:00Z');

/** The template store contract, on PostgreSQL and on embedded PGlite. */
describe.each(ENGINES)('template store on $engine', ({ engine, open }) => {
  let db!: Database;
  let store!: LedgerStore;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  const newBook = async (chatId: string) => {
    const book = await store.resolveChat({ platform: 'telegram', chatId, kind: 'group', title: chatId }, defaults);
    const user = await store.resolveUser({ platform: 'telegram', externalId: `u-${chatId}`, name: 'Ann' });
    const account = await store.createAccount(book.id, { name: 'Main', currency: 'EUR', openingMinor: 10_000 });
    return { book, user, account };
  };
  const template = (bookId: number, authorId: number, record: string, nextDueAt: Date | null = due) =>
    store.createTemplate({
      bookId,
      kind: 'expense',
      schedule,
      scheduleText: 'daily at:09:00',
      record,
      authorId,
      notify: { platform: 'telegram', chatId: 'x' },
      anchorAt: new Date('2026-11-01T00:00:00Z'),
      nextDueAt,
    });

  it('GIVEN templates THEN they are listed per book, updated, and soft-deleted', async () => {
    const { book, user } = await newBook('crud');
    const other = await newBook('crud-other');
    const a = await template(book.id, user.id, '5 #a');
    const b = await template(book.id, user.id, '6 #b');
    await template(other.book.id, other.user.id, '7 #c');
    expect((await store.listTemplates(book.id)).map((t) => t.record)).toEqual(['5 #a', '6 #b']);
    expect(await store.getTemplate(other.book.id, a.id)).toBeUndefined();
    expect(await store.getTemplate(book.id, a.id)).toMatchObject({ schedule, notify: { platform: 'telegram', chatId: 'x' }, paused: false });
    expect(await store.updateTemplate(book.id, a.id, { paused: true, nextDueAt: null })).toMatchObject({ paused: true, nextDueAt: null });
    expect(await store.deleteTemplate(book.id, b.id)).toBe(true);
    expect(await store.deleteTemplate(book.id, b.id)).toBe(false);
    expect(await store.updateTemplate(book.id, b.id, { paused: true })).toBeUndefined();
    expect((await store.listTemplates(book.id)).map((t) => t.id)).toEqual([a.id]);
  });

  it('GIVEN due, future, paused and deleted templates THEN a batch claims only the due ones and writes events, labels, balances and sequence numbers', async () => {
    const { book, user, account } = await newBook('sweep');
    const t1 = await template(book.id, user.id, '1 #rent');
    const t2 = await template(book.id, user.id, '2 #Rent');
    await template(book.id, user.id, '3', new Date('2026-11-25T09:00:00Z'));
    const paused = await template(book.id, user.id, '4');
    await store.updateTemplate(book.id, paused.id, { paused: true });
    const gone = await template(book.id, user.id, '5');
    await store.deleteTemplate(book.id, gone.id);
    await store.record({ bookId: book.id, kind: 'expense', accountId: account.id, amountMinor: assertMinor(100), currency: 'EUR', labels: [], note: 'first', authorId: user.id, occurredAt: due });

    const sweep = templateSweepStore(db.db);
    const out = await sweep.withDueBatch(new Date('2026-11-24T09:00:30Z'), 100, [], async (b) => {
      const mine = b.templates.filter((t) => t.bookId === book.id);
      expect(mine.map((t) => t.id).sort()).toEqual([t1.id, t2.id].sort());
      expect(b.books.get(book.id)).toMatchObject({ currency: 'EUR', timezone: 'UTC' });
      expect(b.accounts.get(book.id)!.map((a) => a.name)).toEqual(['Main']);
      const events: NewEvent[] = mine.map((t, i) => ({
        bookId: book.id,
        kind: 'expense',
        accountId: account.id,
        amountMinor: assertMinor(250 + i),
        currency: 'EUR',
        labels: i === 0 ? ['rent', 'home'] : ['RENT'],
        note: `n${i}`,
        authorId: user.id,
        occurredAt: due,
        templateId: t.id,
        occurrenceAt: due,
      }));
      const written = await b.recordAll(events);
      await b.advance(mine.map((t) => ({ id: t.id, nextDueAt: new Date('2026-11-25T09:00:00Z'), paused: false })));
      expect(await b.recorded(mine.map((t) => ({ templateId: t.id, occurrenceAt: due })))).toEqual(new Set(mine.map((t) => occurrenceKey(t.id, due))));
      return written;
    });
    expect(out!.events.map((e) => e.seq)).toEqual([2, 3]);
    // Labels are matched case-insensitively; the first spelling names a new one.
    expect(out!.events.map((e) => e.labels)).toEqual([['home', 'rent'], ['rent']]);
    expect(out!.balances).toEqual([{ bookId: book.id, accountId: account.id, accountName: 'Main', currency: 'EUR', balanceMinor: 10_000 - 100 - 250 - 251 }]);
    expect((await store.listLabels(book.id)).map((l) => l.name).sort()).toEqual(['home', 'rent']);
    const history = await store.history(book.id, { limit: 10 });
    expect(history.map((e) => [e.seq, e.labels, e.templateId])).toEqual([
      [3, ['rent'], t2.id],
      [2, ['home', 'rent'], t1.id],
      [1, [], null],
    ]);
    expect((await store.listAccounts(book.id))[0]!.balanceMinor).toBe(10_000 - 100 - 250 - 251);
    // Nothing is due any more in this book.
    const again = await sweep.withDueBatch(new Date('2026-11-24T09:00:30Z'), 100, [], async (b) => b.templates.filter((t) => t.bookId === book.id));
    expect(again ?? []).toEqual([]);
  });

  it.skipIf(engine === 'pglite')('GIVEN two batches claimed at once THEN they get disjoint templates (SKIP LOCKED)', async () => {
    // Six books: batches sharing a book would queue on it (by design), not run side by side.
    for (let i = 0; i < 6; i++) {
      const { book, user } = await newBook(`skip-${i}`);
      await template(book.id, user.id, `${i + 1} #x`, new Date('2026-11-24T08:00:00Z'));
    }
    const sweep = templateSweepStore(db.db);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let firstIds: number[] = [];
    const first = sweep.withDueBatch(new Date('2026-11-24T08:30:00Z'), 3, [], async (b) => {
      firstIds = b.templates.map((t) => t.id);
      await held;
    });
    while (firstIds.length === 0) await new Promise((r) => setTimeout(r, 10));
    const second = await sweep.withDueBatch(new Date('2026-11-24T08:30:00Z'), 10, [], async (b) => b.templates.map((t) => t.id));
    release();
    await first;
    expect(firstIds).toHaveLength(3);
    expect(second).toHaveLength(3);
    expect(second!.filter((id) => firstIds.includes(id))).toEqual([]);
  });

  it('GIVEN a chat marked blocked THEN the delivery store says so; budgets are found per book', async () => {
    const { book } = await newBook('blocked');
    const delivery = deliveryStore(db.db);
    expect(await delivery.isChatBlocked('telegram', 'blocked')).toBe(false);
    await delivery.markChatBlocked('telegram', 'blocked', new Date());
    expect(await delivery.isChatBlocked('telegram', 'blocked')).toBe(true);
    expect(await delivery.booksWithBudgets([book.id])).toEqual(new Set());
    await store.setBudget(book.id, { label: null, amountMinor: 1000, currency: 'EUR', period: 'monthly' });
    expect(await delivery.booksWithBudgets([book.id])).toEqual(new Set([book.id]));
  });
  it('GIVEN rules THEN a sweep labels templates without a label by them, and leaves labelled ones alone', async () => {
    const { book, user, account } = await newBook('sweep-rules');
    const other = await newBook('sweep-rules-other');
    const card = await store.createAccount(book.id, { name: 'Card', currency: 'EUR', openingMinor: 0 });
    await store.addRule({ bookId: book.id, pattern: 'netflix', label: 'subscriptions', accountId: card.id, note: null, createdBy: user.id });
    await store.addRule({ bookId: book.id, pattern: 'gym', label: 'sport', accountId: null, note: null, createdBy: user.id });
    const plain = await template(book.id, user.id, '9.99 Netflix premium');
    const labelled = await template(book.id, user.id, '30 #health gym');
    const elsewhere = await template(other.book.id, other.user.id, '9.99 Netflix');
    const summary = await sweepTemplates(templateSweepStore(db.db), { now: () => new Date('2026-11-24T09:00:30Z') });
    expect(summary.failed).toBe(0);
    const events = await store.history(book.id, { limit: 10 });
    const byTemplate = (id: number) => events.find((e) => e.templateId === id);
    expect(byTemplate(plain.id)).toMatchObject({ labels: ['subscriptions'], accountName: 'Card', note: 'Netflix premium' });
    expect(byTemplate(labelled.id)).toMatchObject({ labels: ['health'], accountId: account.id });
    expect((await store.history(other.book.id, { limit: 10 })).find((e) => e.templateId === elsewhere.id)?.labels).toEqual([]);
  });
});
