import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ENGINES } from '../../test/databases.js';
import type { Database } from '../db.js';
import { createStore } from './index.js';
import { pruneExpired } from './housekeeping.js';
import { rowsOf } from './rows.js';
import type { LedgerStore } from '../../domain/ports.js';

const now = new Date('2026-11-24T12:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 24 * 3600_000).toISOString();

describe.each(ENGINES)('housekeeping on $engine', ({ open }) => {
  let db: Database;
  let store: LedgerStore;
  beforeAll(async () => {
    db = await open();
    store = createStore(db.db);
  });
  afterAll(async () => db?.close());

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
    const e = (await store.enter(
      { platform: 'telegram', chatId: 'hk', kind: 'private', title: 'Hk' },
      { platform: 'telegram', externalId: 'hk', name: 'Hk' },
      false,
      { currency: 'EUR', timezone: 'UTC', language: 'en' },
    ))!;
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
});
