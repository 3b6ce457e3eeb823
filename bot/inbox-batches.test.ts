import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { ENGINES, scratchDatabase } from '../test/databases.js';
import { openPostgres, type Database } from '../drizzle/db.js';
import { chatJournal } from '../drizzle/store/chat-journal.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { createStore } from '../drizzle/store/index.js';
import type { ApplyUpdate, HeldUpdate, QueuedReply } from './chat-journal.js';
import { createInboxApplier } from './inbox-applier.js';

/**
 * The inbox applied in batches (issue 19): many updates per transaction, and still each update
 * once, each chat in order, the mark with the effect, a failing update settled on its own.
 * The effect an update has here is a `processed_updates` row written through the transaction's
 * store, so "applied once" is a row that exists once and "rolled back" is a row that does not.
 */
const codec = { encode: (r: { text: string }) => r, decode: (v: unknown) => v as { text: string } };
const text = (s: string): QueuedReply['reply'] => ({ text: s });
const held = (chat: number, seq: number): HeldUpdate => ({ key: `tg:1:${seq}`, chatKey: `telegram:${chat}`, seq, payload: { n: seq } });
const noFailure = () => [];

const effects = async (db: Database): Promise<string[]> =>
  rowsOf<{ key: string }>(await db.db.execute(sql`select key from processed_updates order by key`)).map((r) => r.key);
const pending = async (db: Database): Promise<number> =>
  rowsOf<{ n: number }>(await db.db.execute(sql`select count(*)::int as n from chat_inbox where done_at is null`))[0]!.n;

describe.each(ENGINES)('chat inbox batches on $engine', ({ open }) => {
  let db: Database;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => db?.close());

  it('GIVEN bursts in three chats THEN one batch applies each chat in arrival order, marks all done and writes the replies in that order', async () => {
    const j = chatJournal(db.db, codec);
    // Held out of order across chats (as a getUpdates batch interleaves them).
    await j.hold([held(11, 105), held(12, 102), held(11, 101), held(13, 104), held(12, 103), held(11, 106)]);
    const order: number[] = [];
    const apply: ApplyUpdate = async (u, scope) => {
      order.push(u.seq);
      await scope.store.markProcessed(`fx:${u.seq}`);
      scope.reply({ platform: 'telegram', chatId: u.chatKey.split(':')[1]!, reply: text(`r${u.seq}`) });
    };
    const out = await j.applyBatch(['telegram:11', 'telegram:12', 'telegram:13'], 10, apply, noFailure);
    // Chats side by side, each chat in arrival order.
    expect(order.filter((s) => [101, 105, 106].includes(s))).toEqual([101, 105, 106]);
    expect(order.filter((s) => [102, 103].includes(s))).toEqual([102, 103]);
    expect([...order].sort()).toEqual([101, 102, 103, 104, 105, 106]);
    expect(out.applied.map((a) => a.key)).toEqual([101, 102, 103, 104, 105, 106].map((s) => `tg:1:${s}`));
    const said = (chat: string) => out.replies.filter((r) => r.chatId === chat).map((r) => (r.reply as { text: string }).text);
    expect([said('11'), said('12'), said('13')]).toEqual([['r101', 'r105', 'r106'], ['r102', 'r103'], ['r104']]);
    expect(out.replies.map((r) => r.id)).toEqual(out.replies.map((r) => r.id).sort((a, b) => a - b));
    expect(Object.fromEntries(out.read)).toEqual({ 'telegram:11': 3, 'telegram:12': 2, 'telegram:13': 1 });
    expect(out.busy).toEqual([]);
    expect(await pending(db)).toBe(0);
    // An applied update keeps its key and nothing of the message (names, text) for its week in the inbox.
    const kept = rowsOf<{ payload: unknown }>(await db.db.execute(sql`select payload from chat_inbox where key like 'tg:1:10%' and done_at is not null`));
    expect(kept).toHaveLength(6);
    expect(kept.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload))).toEqual(kept.map(() => ({})));
    // Applied is applied: a second batch finds nothing, a redelivery of a held key is not held again.
    await j.hold([held(11, 101)]);
    expect((await j.applyBatch(['telegram:11'], 10, apply, noFailure)).applied).toEqual([]);
    expect(order).toHaveLength(6);
  });

  it('GIVEN more updates of a chat than one batch takes THEN the oldest go first and the rest wait for the next batch', async () => {
    const j = chatJournal(db.db, codec);
    await j.hold([1, 2, 3, 4, 5].map((i) => held(21, 200 + i)));
    const seen: number[] = [];
    const apply: ApplyUpdate = async (u) => void seen.push(u.seq);
    expect((await j.applyBatch(['telegram:21'], 2, apply, noFailure)).read.get('telegram:21')).toBe(2);
    expect((await j.applyBatch(['telegram:21'], 2, apply, noFailure)).read.get('telegram:21')).toBe(2);
    expect((await j.applyBatch(['telegram:21'], 2, apply, noFailure)).read.get('telegram:21')).toBe(1);
    expect(seen).toEqual([201, 202, 203, 204, 205]);
  });

  it('GIVEN one update of a batch whose handling fails THEN the others take effect once, the failing one is answered once and nothing of it stays', async () => {
    const j = chatJournal(db.db, codec);
    await j.hold([held(31, 301), held(32, 302), held(31, 303), held(33, 304)]);
    const attempts = new Map<number, number>();
    const apply: ApplyUpdate = async (u, scope) => {
      attempts.set(u.seq, (attempts.get(u.seq) ?? 0) + 1);
      await scope.store.markProcessed(`fx:${u.seq}`);
      scope.reply({ platform: 'telegram', chatId: u.chatKey.split(':')[1]!, reply: text(`r${u.seq}`) });
      if (u.seq === 303) throw new Error('a bug in one handler');
    };
    const failed: number[] = [];
    const onFailure = (u: HeldUpdate) => {
      failed.push(u.seq);
      return [{ platform: 'telegram' as const, chatId: '31', reply: text('Sorry') }];
    };
    const out = await j.applyBatch(['telegram:31', 'telegram:32', 'telegram:33'], 10, apply, onFailure);
    expect(failed).toEqual([303]);
    expect(out.applied.filter((a) => a.failed).map((a) => a.key)).toEqual(['tg:1:303']);
    expect(out.applied.map((a) => a.key).sort()).toEqual(['tg:1:301', 'tg:1:302', 'tg:1:303', 'tg:1:304']);
    // 301 before 303 in chat 31; the batch's first attempt rolled back entirely.
    expect((await effects(db)).filter((k) => /^fx:30\d$/.test(k))).toEqual(['fx:301', 'fx:302', 'fx:304']);
    expect(out.replies.map((r) => (r.reply as { text: string }).text).sort()).toEqual(['Sorry', 'r301', 'r302', 'r304']);
    expect(attempts.get(301)).toBe(2); // once in the batch (rolled back), once on its own
    expect(await pending(db)).toBe(0);
  });

  it('GIVEN a handler that needs a savepoint in a batch of several chats THEN the batch is applied one update at a time and each takes effect once', async () => {
    const j = chatJournal(db.db, codec);
    const e = (await createStore(db.db).enter(
      { platform: 'telegram', chatId: 'sp', kind: 'private', title: 'Sp' },
      { platform: 'telegram', externalId: 'sp', name: 'Sp' },
      false,
      { currency: 'EUR', timezone: 'UTC', language: 'en' },
    ))!;
    const account = await createStore(db.db).createAccount(e.book.id, { name: 'Cash', currency: 'EUR', openingMinor: 0 });
    await j.hold([held(71, 701), held(72, 702), held(73, 703)]);
    const attempts: number[] = [];
    const apply: ApplyUpdate = async (u, scope) => {
      attempts.push(u.seq);
      await scope.store.markProcessed(`fx:${u.seq}`);
      // A record with a replay key runs in a savepoint.
      if (u.seq === 702)
        await scope.store.record({ bookId: e.book.id, kind: 'expense', accountId: account.id, amountMinor: 100 as never, currency: account.currency, labels: [], note: 'replayable', authorId: e.user.id, occurredAt: new Date('2026-01-01T00:00:00Z'), sourceKey: 'k-702' });
    };
    const out = await j.applyBatch(['telegram:71', 'telegram:72', 'telegram:73'], 10, apply, noFailure);
    expect(out.applied.map((a) => a.key).sort()).toEqual(['tg:1:701', 'tg:1:702', 'tg:1:703']);
    expect(attempts.filter((s) => s === 702)).toHaveLength(2); // in the batch (rolled back), then on its own
    expect((await effects(db)).filter((k) => /^fx:70\d$/.test(k))).toEqual(['fx:701', 'fx:702', 'fx:703']);
    const events = rowsOf<{ n: number }>(await db.db.execute(sql`select count(*)::int as n from events where source_key = 'k-702'`));
    expect(events[0]!.n).toBe(1);
    expect(await pending(db)).toBe(0);
  });

  it('GIVEN the applier and many updates of many chats THEN every update takes effect once, each chat in order, and the backlog empties', async () => {
    const j = chatJournal(db.db, codec);
    const log = new Map<string, number[]>();
    const apply: ApplyUpdate = async (u, scope) => {
      expect(await scope.store.markProcessed(`fx:${u.key}`)).toBe(true);
      log.set(u.chatKey, [...(log.get(u.chatKey) ?? []), u.seq]);
    };
    const applier = createInboxApplier({ journal: j, apply, onFailure: noFailure, logger: pino({ level: 'silent' }), perChat: 3, batchChats: 4 });
    let seq = 1000;
    for (let round = 0; round < 5; round++) {
      const batch = Array.from({ length: 30 }, (_, i) => held(40 + (i % 7), ++seq));
      await j.hold(batch);
      applier.enqueue(batch);
    }
    const deadline = Date.now() + 30_000;
    while ((applier.backlog > 0 || (await pending(db)) > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await applier.stop(5000);
    expect(applier.backlog).toBe(0);
    expect(await pending(db)).toBe(0);
    expect([...log.values()].flat()).toHaveLength(150);
    for (const seqs of log.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect((await effects(db)).filter((k) => k.startsWith('fx:tg:1:1'))).toHaveLength(150);
  });
});

describe('chat inbox batches across processes (PostgreSQL)', () => {
  let s: Awaited<ReturnType<typeof scratchDatabase>>;
  let other: Database;
  beforeAll(async () => {
    s = await scratchDatabase();
    other = await openPostgres(s.url, { max: 4 });
  });
  afterAll(async () => {
    await other?.close();
    await s?.drop();
  });

  it('GIVEN a chat another process is applying THEN a batch leaves it alone as busy and applies the rest', async () => {
    const a = chatJournal(s.database.db, codec);
    const b = chatJournal(other.db, codec);
    await a.hold([held(51, 501), held(51, 502), held(52, 503)]);
    let release!: () => void;
    const inHand = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const started = new Promise<void>((r) => (entered = r));
    // Process B applies chat 51's oldest update and is slow about it.
    const slow = b.applyNext(
      'telegram:51',
      async (u, scope) => {
        await scope.store.markProcessed(`fx:${u.key}`);
        entered();
        await inHand;
      },
      noFailure,
    );
    await started;
    const seen: string[] = [];
    const out = await a.applyBatch(['telegram:51', 'telegram:52'], 10, async (u, scope) => {
      seen.push(u.key);
      await scope.store.markProcessed(`fx:${u.key}`);
    }, noFailure);
    expect(out.busy).toEqual(['telegram:51']);
    expect(seen).toEqual(['tg:1:503']);
    release();
    expect((await slow)?.key).toBe('tg:1:501');
    // Chat 51's turn is free again: its next update follows the one B applied.
    const next = await a.applyBatch(['telegram:51'], 10, async (u, scope) => void (await scope.store.markProcessed(`fx:${u.key}`)), noFailure);
    expect(next.applied.map((x) => x.key)).toEqual(['tg:1:502']);
    expect(await effects(s.database)).toEqual(['fx:tg:1:501', 'fx:tg:1:502', 'fx:tg:1:503']);
  });

  it('GIVEN two processes applying the same chats at once THEN every update takes effect once and each chat in order', async () => {
    const journals = [chatJournal(s.database.db, codec), chatJournal(other.db, codec)];
    const updates = Array.from({ length: 120 }, (_, i) => held(60 + (i % 6), 6000 + i));
    await journals[0]!.hold(updates);
    const order = new Map<string, number[]>();
    const apply: ApplyUpdate = async (u, scope) => {
      expect(await scope.store.markProcessed(`fx:${u.key}`)).toBe(true);
      order.set(u.chatKey, [...(order.get(u.chatKey) ?? []), u.seq]);
    };
    const chats = [...new Set(updates.map((u) => u.chatKey))];
    await Promise.all(
      journals.map(async (j, n) => {
        for (let round = 0; round < 200; round++) {
          const out = await j.applyBatch(n ? [...chats].reverse() : chats, 4, apply, noFailure);
          if (!out.applied.length && !out.busy.length) break;
          if (!out.applied.length) await new Promise((r) => setTimeout(r, 2));
        }
      }),
    );
    expect(await pending(s.database)).toBe(0);
    expect([...order.values()].flat()).toHaveLength(120);
    for (const seqs of order.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect((await effects(s.database)).filter((k) => k.startsWith('fx:tg:1:6'))).toHaveLength(120);
  });
});
