import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ENGINES } from '../../test/databases.js';
import type { Database } from '../db.js';
import { chatJournal } from './chat-journal.js';
import { rowsOf } from './rows.js';
import { deliveryStore } from './chat-delivery-store.js';
import type { ChatRef, IdentityRef } from '../../domain/ports.js';

/** Replies here are plain text: stored as they are. */
const codec = { encode: (r: { text: string }) => r, decode: (v: unknown) => v as { text: string } };
const defaults = { currency: 'EUR', timezone: 'UTC', language: 'en' as const };

/**
 * Issue 12 on both engines: an interaction's replies written in its transaction with how to reach
 * it later (`via`), and a chat that can no longer receive marked, its replies settled, its
 * digests off, until it writes again.
 */
describe.each(ENGINES)('chat outbox: interaction replies and unreachable chats on $engine', ({ open }) => {
  let db: Database;
  let journal: ReturnType<typeof chatJournal<{ text: string }>>;
  beforeAll(async () => {
    db = await open();
    journal = chatJournal(db.db, codec);
  });
  afterAll(async () => db?.close());

  const chat = (id: string): ChatRef => ({ platform: 'discord', chatId: id, kind: 'group', title: id });
  const who: IdentityRef = { platform: 'discord', externalId: 'u-1', name: 'Ann' };
  const pending = async (chatId: string) =>
    rowsOf<{ n: number }>(await db.db.execute(sql`select count(*)::int as n from chat_outbox where chat_id = ${chatId} and sent_at is null`))[0]!.n;

  it('GIVEN an interaction answered in one transaction THEN its replies are written with their via, claimed by the writer, and come back with it', async () => {
    const via = { interaction: '900', token: 'tok', application: 'app', at: 1, channel: 'c-1', part: 0 };
    const out = await journal.answer(async (scope) => {
      await scope.store.enter(chat('c-1'), who, false, defaults, 'dc:900');
      scope.reply({ platform: 'discord', chatId: 'c-1', reply: { text: '#1 −3.20 EUR' }, via });
      scope.reply({ platform: 'discord', chatId: 'c-1', reply: { text: 'and more' }, via: { ...via, part: 1 } });
      return 'done';
    });
    expect(out.value).toBe('done');
    expect(out.replies.map((r) => [r.reply.text, r.via])).toEqual([
      ['#1 −3.20 EUR', via],
      ['and more', { ...via, part: 1 }],
    ]);
    // The writer holds them for the lease: no sweep takes them while it answers directly.
    expect(await journal.takeDue('discord', 10)).toEqual([]);
    // After the lease (its process died) a sweep gets them with their via.
    await db.db.execute(sql`update chat_outbox set claimed_until = now() - interval '1 second' where chat_id = 'c-1'`);
    const due = await journal.takeDue('discord', 10, 'other');
    expect(due.map((r) => r.via)).toEqual([via, { ...via, part: 1 }]);
    const turn = await journal.turn('discord', 'c-1', due.map((r) => r.id), 'other');
    expect(turn.mine.map((r) => r.via?.part)).toEqual([0, 1]);
    await journal.markSent(due.map((r) => r.id));
    // Delivered: the interaction's token is not kept for the rest of the row's week, nor what the reply said.
    const kept = rowsOf<{ via: Record<string, unknown> | string; reply: Record<string, unknown> | string }>(
      await db.db.execute(sql`select via, reply from chat_outbox where chat_id = 'c-1' order by id`),
    );
    expect(kept.map((r) => (typeof r.reply === 'string' ? JSON.parse(r.reply) : r.reply))).toEqual([{}, {}]);
    expect(kept.map((r) => (typeof r.via === 'string' ? JSON.parse(r.via) : r.via))).toEqual([
      { interaction: '900', application: 'app', at: 1, channel: 'c-1', part: 0 },
      { interaction: '900', application: 'app', at: 1, channel: 'c-1', part: 1 },
    ]);
  });

  it('GIVEN an answer whose transaction fails THEN neither its effect nor its replies are kept', async () => {
    await expect(
      journal.answer(async (scope) => {
        await scope.store.enter(chat('c-2'), who, false, defaults, 'dc:901');
        scope.reply({ platform: 'discord', chatId: 'c-2', reply: { text: 'never' } });
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await pending('c-2')).toBe(0);
    expect(rowsOf(await db.db.execute(sql`select 1 from processed_updates where key = 'dc:901'`))).toHaveLength(0);
  });

  it('GIVEN a chat the platform says is gone THEN it is marked, its pending replies settled, its digests off, other chats untouched; writing again makes it reachable', async () => {
    for (const id of ['gone', 'fine']) {
      await journal.answer(async (scope) => {
        await scope.store.enter(chat(id), who, false, defaults);
        scope.reply({ platform: 'discord', chatId: id, reply: { text: `one ${id}` } });
        scope.reply({ platform: 'discord', chatId: id, reply: { text: `two ${id}` } });
      });
      await db.db.execute(sql`insert into digest_settings (platform, chat_id, kind, every, at_minute, next_at, set_at)
        values ('discord', ${id}, 'digest', 'weekly', 540, now(), now()), ('discord', ${id}, 'reminder', 'daily', 1260, now(), now())`);
    }
    const out = await journal.unreachable('discord', 'gone', '50007: Cannot send messages to this user');
    expect(out).toEqual({ settled: 2, off: ['digest', 'reminder'] });
    expect(await pending('gone')).toBe(0);
    expect(await pending('fine')).toBe(2);
    const failed = rowsOf<{ failed: string }>(await db.db.execute(sql`select failed from chat_outbox where chat_id = 'gone'`));
    expect(failed.map((r) => r.failed)).toEqual(['unreachable: 50007: Cannot send messages to this user', 'unreachable: 50007: Cannot send messages to this user']);
    const blocked = async (id: string) =>
      rowsOf<{ b: boolean }>(await db.db.execute(sql`select blocked_at is not null as b from chats where platform = 'discord' and chat_id = ${id}`))[0]!.b;
    expect(await blocked('gone')).toBe(true);
    expect(await blocked('fine')).toBe(false);
    const settings = rowsOf<{ chat_id: string }>(await db.db.execute(sql`select chat_id from digest_settings where platform = 'discord' order by chat_id, kind`));
    expect(settings.map((r) => r.chat_id)).toEqual(['fine', 'fine']);
    // Said again (another reply failed the same way): nothing left to settle.
    expect(await journal.unreachable('discord', 'gone', 'again')).toEqual({ settled: 0, off: [] });
    // The person writes from the chat again: it is reachable.
    await journal.transact((store) => store.enter(chat('gone'), who, false, defaults, 'dc:902'));
    expect(await blocked('gone')).toBe(false);
    // A notice refused the same way (the outbound queue) settles the chat's replies too.
    await deliveryStore(db.db).markChatBlocked('discord', 'fine', new Date());
    expect(await blocked('fine')).toBe(true);
    expect(await pending('fine')).toBe(0);
  });
});
