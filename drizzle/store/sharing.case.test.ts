import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import type { LedgerStore } from '../../domain/ports.js';
import { DomainError } from '../../domain/errors.js';
import { rowsOf } from './rows.js';
import { assertMinor } from '../../domain/money/money.js';

const defaults = { currency: 'EUR', timezone: 'UTC', language: 'en' as const };
const NOW = new Date('2026-11-24T12:00:00Z');
const LATER = new Date('2026-11-24T12:10:00Z');

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e.context.context ? `${e.code}:${String(e.context.context)}` : e.code;
    throw e;
  }
  return 'ok';
}

/** Members, splits, settlements and /link storage, on PostgreSQL and on PGlite. */
describe.each(ENGINES)('sharing store on $engine', ({ open }) => {
  let db!: Database;
  let store!: LedgerStore;
  let n = 0;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  /** A fresh group with its users as members (the first is the owner). */
  async function group(...names: string[]) {
    const id = `g${++n}`;
    const book = await store.resolveChat({ platform: 'telegram', chatId: id, kind: 'group', title: id }, defaults);
    const users = [];
    for (const name of names) {
      const u = await store.resolveUser({ platform: 'telegram', externalId: `${id}-${name}`, name, username: name.toLowerCase() });
      await store.ensureMember(book.id, u.id, false);
      users.push(u);
    }
    return { id, book, users };
  }

  async function expense(bookId: number, authorId: number, minor: number, currency = 'EUR') {
    const accounts = await store.listAccounts(bookId);
    const acc = accounts.find((a) => a.currency === currency) ?? (await store.createAccount(bookId, { name: currency, currency, openingMinor: 0 }));
    return store.record({ bookId, kind: 'expense', accountId: acc.id, amountMinor: assertMinor(minor), currency, labels: [], note: '', authorId, occurredAt: NOW });
  }

  it('GIVEN members with usernames THEN profiles list them in joining order with their handles', async () => {
    const { book, users } = await group('Ann', 'Bob');
    const profiles = await store.listMemberProfiles(book.id);
    expect(profiles.map((p) => [p.name, p.role, p.handles.map((h) => h.username)])).toEqual([
      ['Ann', 'owner', ['ann']],
      ['Bob', 'member', ['bob']],
    ]);
    expect(profiles[1]!.userId).toBe(users[1]!.id);
  });

  it('GIVEN expenses in two currencies and a deleted one THEN spending per member counts live expenses only', async () => {
    const { book, users } = await group('Ann', 'Bob');
    const [ann, bob] = [users[0]!, users[1]!];
    await expense(book.id, ann.id, 1000);
    await expense(book.id, ann.id, 500, 'USD');
    const gone = await expense(book.id, bob.id, 700);
    await store.setDeleted(book.id, gone.event.seq, true);
    await expense(book.id, bob.id, 250);
    const spent = await store.memberSpending(book.id, new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
    expect(spent).toEqual([
      { userId: ann.id, currency: 'EUR', expenseMinor: 1000 },
      { userId: ann.id, currency: 'USD', expenseMinor: 500 },
      { userId: bob.id, currency: 'EUR', expenseMinor: 250 },
    ]);
  });

  it('GIVEN two owners demoted at the same time THEN one change wins and the book keeps an owner', async () => {
    const { book, users } = await group('Ann', 'Bob', 'Cy');
    await store.changeRole(book.id, users[1]!.id, 'owner');
    const results = await Promise.all([codeOf(store.changeRole(book.id, users[0]!.id, 'admin')), codeOf(store.changeRole(book.id, users[1]!.id, 'member'))]);
    expect(results.sort()).toEqual(['last_owner', 'ok']);
    const owners = (await store.listMembers(book.id)).filter((m) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });

  it('GIVEN a role change THEN returns the previous role and platform admin status no longer overrides it', async () => {
    const { book, users } = await group('Ann', 'Bob');
    expect(await store.changeRole(book.id, users[1]!.id, 'viewer')).toBe('member');
    expect((await store.ensureMember(book.id, users[1]!.id, true)).role).toBe('viewer');
    expect(await codeOf(store.changeRole(book.id, 999_999, 'admin'))).toBe('member_unknown');
  });

  it('GIVEN shares of a deleted and a live expense THEN only the live one is shared, restored ones come back', async () => {
    const { book, users } = await group('Ann', 'Bob');
    const [ann, bob] = [users[0]!, users[1]!];
    const a = await expense(book.id, ann.id, 9000);
    const b = await expense(book.id, bob.id, 101);
    await store.saveShares(a.event.id, ann.id, [
      { userId: ann.id, minor: 4500 },
      { userId: bob.id, minor: 4500 },
    ]);
    await store.saveShares(b.event.id, bob.id, [
      { userId: ann.id, minor: 51 },
      { userId: bob.id, minor: 50 },
    ]);
    await store.setDeleted(book.id, a.event.seq, true);
    expect(await store.sharedEvents(book.id)).toEqual([
      { eventId: b.event.id, seq: b.event.seq, currency: 'EUR', amountMinor: 101, paidBy: bob.id, shares: [{ userId: ann.id, minor: 51 }, { userId: bob.id, minor: 50 }] },
    ]);
    await store.setDeleted(book.id, a.event.seq, false);
    expect((await store.sharedEvents(book.id)).map((e) => e.seq)).toEqual([a.event.seq, b.event.seq]);
  });

  it('GIVEN settlements THEN lists live ones; deleting twice fails', async () => {
    const { book, users } = await group('Ann', 'Bob');
    const [ann, bob] = [users[0]!, users[1]!];
    const s = await store.addSettlement({ bookId: book.id, fromUserId: bob.id, toUserId: ann.id, amountMinor: 3000, currency: 'EUR', authorId: bob.id });
    expect(await store.settlements(book.id)).toMatchObject([{ id: s.id, amountMinor: 3000, fromUserId: bob.id, toUserId: ann.id }]);
    await store.setSettlementDeleted(book.id, s.id, true);
    expect(await store.settlements(book.id)).toEqual([]);
    expect(await codeOf(store.setSettlementDeleted(book.id, s.id, true))).toBe('not_found');
    expect((await store.getSettlement(book.id, s.id))?.deletedAt).toBeInstanceOf(Date);
  });

  it('GIVEN a book code THEN it can be found until it expires, and moving a chat consumes it once', async () => {
    const first = await group('Ann');
    const second = await group('Dan');
    await store.saveLinkCode('h1', { kind: 'book', bookId: first.book.id, userId: first.users[0]!.id, expiresAt: LATER });
    expect(await store.findLinkCode('h1', NOW)).toMatchObject({ kind: 'book', bookId: first.book.id });
    expect(await store.findLinkCode('h1', LATER)).toBeUndefined();

    const move = { hash: 'h1', now: NOW, chat: { platform: 'telegram' as const, chatId: second.id }, fromBookId: second.book.id, toBookId: first.book.id };
    await store.moveChat(move);
    expect((await store.resolveChat({ platform: 'telegram', chatId: second.id, kind: 'group', title: '' }, defaults)).id).toBe(first.book.id);
    expect(await store.chatCount(first.book.id)).toBe(2);
    // Dan came along (his book's owner joins as admin: this book has its owner), and his empty book is gone.
    expect((await store.listMembers(first.book.id)).map((m) => [m.name, m.role])).toEqual([
      ['Ann', 'owner'],
      ['Dan', 'admin'],
    ]);
    expect(await codeOf(store.getBook(second.book.id))).toBe('not_found');
    expect(await codeOf(store.moveChat(move))).toBe('link_code_invalid');
  });

  it('GIVEN the chat got a record after the check THEN the move refuses and the code survives', async () => {
    const first = await group('Ann');
    const second = await group('Dan');
    await store.saveLinkCode('h2', { kind: 'book', bookId: first.book.id, userId: first.users[0]!.id, expiresAt: LATER });
    await expense(second.book.id, second.users[0]!.id, 100);
    const move = { hash: 'h2', now: NOW, chat: { platform: 'telegram' as const, chatId: second.id }, fromBookId: second.book.id, toBookId: first.book.id };
    expect(await codeOf(store.moveChat(move))).toBe('link_code_invalid:has_data');
    expect(await store.findLinkCode('h2', NOW)).toBeDefined();
    expect((await store.history(second.book.id, { limit: 10 })).length).toBe(1);
  });

  it('GIVEN an empty account with money THEN the book is not empty; a deleted event still counts', async () => {
    const { book, users } = await group('Ann');
    expect(await store.bookContents(book.id)).toEqual({ events: 0, settlements: 0, templates: 0, budgets: 0, accountsWithMoney: 0 });
    await store.createAccount(book.id, { name: 'Empty', currency: 'EUR', openingMinor: 0 });
    expect((await store.bookContents(book.id)).accountsWithMoney).toBe(0);
    await store.createAccount(book.id, { name: 'Savings', currency: 'EUR', openingMinor: 100 });
    expect((await store.bookContents(book.id)).accountsWithMoney).toBe(1);
    const r = await expense(book.id, users[0]!.id, 5);
    await store.setDeleted(book.id, r.event.seq, true);
    expect((await store.bookContents(book.id)).events).toBe(1);
  });

  it('GIVEN a Discord user with records in a shared group THEN merging into the Telegram user moves everything and keeps the higher role', async () => {
    // Ann on Telegram owns her private book; on Discord she is "ann_d", an admin of a shared group where Ann-TG is a member.
    const tgPrivate = await store.resolveChat({ platform: 'telegram', chatId: 'm-tg', kind: 'private', title: 'Ann' }, defaults);
    const annTg = await store.resolveUser({ platform: 'telegram', externalId: 'm-ann', name: 'Ann' });
    await store.ensureMember(tgPrivate.id, annTg.id, false);
    const dcPrivate = await store.resolveChat({ platform: 'discord', chatId: 'm-dc', kind: 'private', title: 'ann_d' }, defaults);
    const annDc = await store.resolveUser({ platform: 'discord', externalId: 'm-ann-d', name: 'ann_d', username: 'ann_d' });
    await store.ensureMember(dcPrivate.id, annDc.id, false);
    const shared = await group('Owner');
    await store.ensureMember(shared.book.id, annTg.id, false);
    await store.ensureMember(shared.book.id, annDc.id, true);
    const owner = shared.users[0]!;
    const dinner = await expense(shared.book.id, annDc.id, 9000);
    await store.saveShares(dinner.event.id, annDc.id, [
      { userId: annTg.id, minor: 3000 },
      { userId: annDc.id, minor: 3000 },
      { userId: owner.id, minor: 3000 },
    ]);
    await store.addSettlement({ bookId: shared.book.id, fromUserId: owner.id, toUserId: annDc.id, amountMinor: 1000, currency: 'EUR', authorId: owner.id });
    await store.saveLinkCode('h3', { kind: 'identity', bookId: tgPrivate.id, userId: annTg.id, expiresAt: LATER });

    await store.mergeIdentity({
      hash: 'h3',
      now: NOW,
      chat: { platform: 'discord', chatId: 'm-dc' },
      fromBookId: dcPrivate.id,
      toBookId: tgPrivate.id,
      fromUserId: annDc.id,
      intoUserId: annTg.id,
    });

    // The Discord identity is Ann now, and her Discord DM shows her personal book.
    expect((await store.resolveUser({ platform: 'discord', externalId: 'm-ann-d', name: 'ann_d' })).id).toBe(annTg.id);
    expect((await store.resolveChat({ platform: 'discord', chatId: 'm-dc', kind: 'private', title: '' }, defaults)).id).toBe(tgPrivate.id);
    expect(await codeOf(store.getBook(dcPrivate.id))).toBe('not_found');
    // One membership in the shared group, with the higher role; her records, shares and settlements are hers.
    const members = await store.listMemberProfiles(shared.book.id);
    expect(members.filter((m) => m.userId === annTg.id).map((m) => m.role)).toEqual(['admin']);
    expect(members.find((m) => m.userId === annTg.id)!.handles.map((h) => h.platform)).toEqual(['discord', 'telegram']);
    expect((await store.getEvent(shared.book.id, dinner.event.seq))!.authorId).toBe(annTg.id);
    expect(await store.sharedEvents(shared.book.id)).toMatchObject([
      { paidBy: annTg.id, shares: [{ userId: annTg.id, minor: 6000 }, { userId: owner.id, minor: 3000 }] },
    ]);
    expect((await store.settlements(shared.book.id))[0]).toMatchObject({ fromUserId: owner.id, toUserId: annTg.id });
    const left = rowsOf<{ n: number }>(await db.db.execute(sql`select count(*)::int as n from users where id = ${annDc.id}`));
    expect(Number(left[0]!.n)).toBe(0);
  });
});
