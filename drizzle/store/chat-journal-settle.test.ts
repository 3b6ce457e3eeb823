import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { assertMinor } from '../../domain/money/money.js';
import type { LedgerStore } from '../../domain/ports.js';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import { chatJournal } from './chat-journal.js';
import { rowsOf } from './rows.js';

const defaults = { currency: 'EUR', timezone: 'UTC', language: 'en' as const };
const codec = { encode: (r: { text: string }) => r, decode: (v: unknown) => v as { text: string } };
type ApplyUpdate = Parameters<ReturnType<typeof chatJournal<{ text: string }>>['applyBatch']>[2];

/**
 * The last statement of a batch (marking its updates done, writing its replies) checks in SQL
 * that every update it took is still its own, and on PostgreSQL the COMMIT is sent behind it
 * without waiting for its answer (issue 19: a round trip less). A failed check must still undo
 * the whole batch: were the check made by the client after reading the answer, the COMMIT would
 * already have gone and the batch's records would stay — and be written again one by one.
 */
// PostgreSQL only: PGlite has one connection, so no other transaction can run while a batch does
// (and its COMMIT waits for the settle's answer there).
describe.each(ENGINES.filter((e) => e.engine === 'postgres'))('a batch whose updates are no longer all its own on $engine', ({ open }) => {
  let db!: Database;
  let store!: LedgerStore;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  it('GIVEN an update of a batch marked done by another transaction while the batch runs THEN the batch rolls back and is applied again one update at a time: each record once, the other update not applied', async () => {
    const book = await store.resolveChat({ platform: 'console', chatId: 'settle-a', kind: 'group', title: 'A' }, defaults);
    const user = await store.resolveUser({ platform: 'console', externalId: 'u-settle', name: 'Ann' });
    await store.ensureMember(book.id, user.id, false);
    const cash = await store.createAccount(book.id, { name: 'Cash', currency: 'EUR', openingMinor: 0 });
    const j = chatJournal(db.db, codec);
    await j.hold([
      { key: 'settle:1', chatKey: 'console:settle-1', seq: 1, payload: { note: 'first chat' } },
      { key: 'settle:2', chatKey: 'console:settle-2', seq: 1, payload: { note: 'second chat' } },
    ]);
    let applied = 0;
    const apply: ApplyUpdate = async (u, scope) => {
      applied++;
      const note = (u.payload as { note: string }).note;
      await scope.store.record({
        bookId: book.id,
        kind: 'expense',
        accountId: cash.id,
        amountMinor: assertMinor(125),
        currency: 'EUR',
        note,
        authorId: user.id,
        occurredAt: new Date('2026-12-06T12:00:00Z'),
        labels: [],
      });
      // Meanwhile another transaction (outside this batch) marks the second chat's update done.
      if (u.key === 'settle:1') await db.db.execute(sql`update chat_inbox set done_at = now() where key = 'settle:2'`);
      scope.reply({ platform: 'console', chatId: u.chatKey.split(':')[1]!, reply: { text: `recorded ${note}` } });
    };
    const out = await j.applyBatch(['console:settle-1', 'console:settle-2'], 10, apply, () => []);

    // The batch (both updates) was undone; the first chat's update was applied again on its own.
    expect(applied).toBe(3);
    expect(out.applied.map((a) => a.key)).toEqual(['settle:1']);
    expect(out.replies.map((r) => r.reply.text)).toEqual(['recorded first chat']);
    const notes = rowsOf<{ note: string }>(await db.db.execute(sql`select note from events where book_id = ${book.id} order by id`)).map((r) => r.note);
    expect(notes).toEqual(['first chat']);
    expect((await store.listAccounts(book.id)).find((a) => a.id === cash.id)?.balanceMinor).toBe(-125);
    const pending = rowsOf<{ key: string }>(await db.db.execute(sql`select key from chat_inbox where key like 'settle:%' and done_at is null`));
    expect(pending).toEqual([]);
  });

  it('GIVEN one update applied on its own and marked done by another transaction meanwhile THEN its transaction fails and its record is not kept', async () => {
    const book = await store.resolveChat({ platform: 'console', chatId: 'settle-b', kind: 'group', title: 'B' }, defaults);
    const user = await store.resolveUser({ platform: 'console', externalId: 'u-settle-b', name: 'Ann' });
    const cash = await store.createAccount(book.id, { name: 'Cash', currency: 'EUR', openingMinor: 0 });
    const j = chatJournal(db.db, codec);
    await j.hold([{ key: 'settle:3', chatKey: 'console:settle-3', seq: 1, payload: {} }]);
    const apply: ApplyUpdate = async (u, scope) => {
      await scope.store.record({
        bookId: book.id, kind: 'expense', accountId: cash.id, amountMinor: assertMinor(300), currency: 'EUR',
        note: 'applied twice?', authorId: user.id, occurredAt: new Date('2026-12-06T12:00:00Z'), labels: [],
      });
      await db.db.execute(sql`update chat_inbox set done_at = now() where key = ${u.key}`);
      scope.reply({ platform: 'console', chatId: 'settle-3', reply: { text: 'recorded' } });
    };
    await expect(j.applyNext('console:settle-3', apply, () => [])).rejects.toThrow(/applied elsewhere/);
    expect(rowsOf(await db.db.execute(sql`select 1 from events where book_id = ${book.id}`))).toEqual([]);
    expect((await store.listAccounts(book.id)).find((a) => a.id === cash.id)?.balanceMinor).toBe(0);
    expect(rowsOf(await db.db.execute(sql`select 1 from chat_outbox where chat_id = 'settle-3'`))).toEqual([]);
  });
});
