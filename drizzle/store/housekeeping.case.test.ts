import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import { pruneExpired } from './housekeeping.js';
import { rowsOf } from './rows.js';
import type { LedgerStore } from '../../domain/ports.js';

const now = new Date('2026-11-24T12:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 24 * 3600_000).toISOString();

describe.each(ENGINES)('housekeeping on $engine', ({ open }) => {
  let db!: Database;
  let store!: LedgerStore;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  /** A person's private book, made by their first message. */
  const signUp = async (chatId: string) =>
    (await store.enter(
      { platform: 'telegram', chatId, kind: 'private', title: 'Hk' },
      { platform: 'telegram', externalId: chatId, name: 'Hk' },
      false,
      { currency: 'EUR', timezone: 'UTC', language: 'en' },
    ))!;

  const keys = async () =>
    rowsOf<{ key: string }>(await db.db.execute(sql`select key from processed_updates order by key`)).map((r) => r.key);

  it('GIVEN update ids older than a week THEN they are forgotten, oldest first and at most a batch per run, and recent ones still stop redeliveries', async () => {
    for (const [key, age] of [['tg:old-1', 30], ['tg:old-2', 9], ['tg:old-3', 8], ['tg:day', 1], ['tg:new', 0]] as const)
      await db.db.execute(sql`insert into processed_updates (key, processed_at) values (${key}, ${daysAgo(age)}::timestamptz)`);

    expect((await pruneExpired(db.db, now, { batch: 2 })).updates).toBe(2);
    expect(await keys()).toEqual(['tg:day', 'tg:new', 'tg:old-3']);
    expect((await pruneExpired(db.db, now)).updates).toBe(1);
    expect(await keys()).toEqual(['tg:day', 'tg:new']);
    // A day-old update delivered again is still dropped.
    expect(await store.markProcessed('tg:day')).toBe(false);
  });

  it('GIVEN link codes past their expiry THEN they are deleted and live ones stay', async () => {
    const e = await signUp('hk');
    const code = { kind: 'identity' as const, bookId: e.book.id, userId: e.user.id };
    await store.saveLinkCode('h-expired', { ...code, expiresAt: new Date(now.getTime() - 1000) });
    await store.saveLinkCode('h-live', { ...code, expiresAt: new Date(now.getTime() + 60_000) });
    expect((await pruneExpired(db.db, now)).linkCodes).toBe(1);
    expect(await store.findLinkCode('h-live', now)).toBeDefined();
    const left = rowsOf<{ hash: string }>(await db.db.execute(sql`select hash from link_codes`)).map((r) => r.hash);
    expect(left).toEqual(['h-live']);
  });
  it('GIVEN applied updates and sent replies older than a week THEN they are forgotten; pending ones and recent ones stay', async () => {
    for (const [key, done] of [['tg:9:1', daysAgo(8)], ['tg:9:2', daysAgo(1)], ['tg:9:3', null]] as const)
      await db.db.execute(sql`insert into chat_inbox (key, chat_key, seq, payload, done_at) values (${key}, 'telegram:9', 1, '{}', ${done}::timestamptz)`);
    for (const sent of [daysAgo(8), daysAgo(1), null])
      await db.db.execute(sql`insert into chat_outbox (platform, chat_id, reply, sent_at) values ('telegram', '9', '{"text":"x"}', ${sent}::timestamptz)`);
    const r = await pruneExpired(db.db, now);
    expect([r.inbox, r.outbox]).toEqual([1, 1]);
    const left = rowsOf<{ n: number }>(await db.db.execute(sql`select (select count(*) from chat_inbox)::int + (select count(*) from chat_outbox)::int as n`));
    expect(left[0]!.n).toBe(4);
  });

  it('GIVEN receipt proposals nobody answered for a week and a scan lost while reading THEN they go with their photos; recent ones and recorded photos stay', async () => {
    const e = await signUp('hk-r');
    const scans: [string, string, number][] = [
      ['old-proposal', 'proposed', 8],
      ['new-proposal', 'proposed', 6],
      ['lost-reading', 'reading', 2],
      ['reading', 'reading', 0],
      ['old-recorded', 'recorded', 400],
    ];
    for (const [chat, state, age] of scans)
      await db.db.execute(sql`
        insert into receipt_scans (book_id, user_id, platform, chat_id, state, image, mime, created_at, updated_at)
        values (${e.book.id}, ${e.user.id}, 'telegram', ${chat}, ${state}, decode('ffd8ffd9', 'hex'), 'image/jpeg', ${daysAgo(age)}::timestamptz, ${daysAgo(age)}::timestamptz)`);
    expect((await pruneExpired(db.db, now)).receipts).toBe(2);
    const left = rowsOf<{ chat_id: string }>(await db.db.execute(sql`select chat_id from receipt_scans order by chat_id`)).map((r) => r.chat_id);
    expect(left).toEqual(['new-proposal', 'old-recorded', 'reading']);
    expect((await pruneExpired(db.db, now)).receipts).toBe(0);
  });

  it('GIVEN statement previews nobody confirmed THEN they go at their expiry (24 h), with the file; live ones stay', async () => {
    const e = await signUp('hk-s');
    for (const [id, created] of [['st-old', 2], ['st-live', 0.5]] as const)
      await db.db.execute(sql`
        insert into statement_previews (id, book_id, user_id, file_name, content, created_at, expires_at)
        values (${id}, ${e.book.id}, ${e.user.id}, 'bank.csv', decode('41', 'hex'), ${daysAgo(created)}::timestamptz, ${daysAgo(created - 1)}::timestamptz)`);
    expect((await pruneExpired(db.db, now)).statements).toBe(1);
    const left = rowsOf<{ id: string }>(await db.db.execute(sql`select id from statement_previews`)).map((r) => r.id);
    expect(left).toEqual(['st-live']);
  });
});
