import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { TelegramDouble } from '../../test/doubles/telegram-api.js';
import { startTelegramKit, type TelegramKit } from '../../test/telegram-kit.js';
import { rowsOf } from '../../drizzle/store/rows.js';
import { deliveryStore } from '../../drizzle/store/chat-delivery-store.js';

const ann = { id: 711, first_name: 'Ann', language_code: 'en' };
const annChat = { id: 711, type: 'private' as const };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Issue 12: a person who blocked the bot. The real grammY client against the Bot API double
 * answering 403: the chat is marked unreachable, its replies settled (not retried), its digest
 * and reminder turned off; when the person writes again it is reachable again.
 */
describe('a Telegram chat that blocked the bot', () => {
  let k: TelegramKit;
  let tg: TelegramDouble;
  beforeAll(async () => {
    k = await startTelegramKit();
    ({ tg } = k);
  });
  afterAll(() => k?.close());

  const db = () => k.h.database.db;
  const chatRow = async () =>
    rowsOf<{ blocked: boolean }>(await db().execute(sql`select blocked_at is not null as blocked from chats where platform = 'telegram' and chat_id = '711'`))[0];
  const settings = async () => rowsOf<{ kind: string }>(await db().execute(sql`select kind from digest_settings where chat_id = '711' order by kind`)).map((r) => r.kind);
  const say = (text: string) => tg.sendText(annChat, ann, text);

  it('GIVEN a reply answered 403 THEN the chat is unreachable: replies settled once, digest and reminder off; writing again makes it reachable', async () => {
    say('4.50 coffee');
    await tg.waitForOutbox((m) => m.chat_id === annChat.id && /#1 −4\.50/.test(m.text ?? ''));
    await db().execute(sql`insert into digest_settings (platform, chat_id, kind, every, at_minute, next_at, set_at)
      values ('telegram', '711', 'digest', 'weekly', 540, now() + interval '1 day', now()), ('telegram', '711', 'reminder', 'daily', 1260, now() + interval '1 day', now())`);
    expect(await settings()).toEqual(['digest', 'reminder']);

    // Ann blocks the bot: Telegram refuses the next message to her.
    tg.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    say('2.00 tea');
    for (let t = 0; t < 100 && !(await chatRow())?.blocked; t++) await sleep(100);
    expect((await chatRow())?.blocked).toBe(true);
    expect(await settings()).toEqual([]);
    expect(await deliveryStore(db()).isChatBlocked('telegram', '711')).toBe(true);
    const replies = rowsOf<{ pending: boolean; failed: string | null }>(
      await db().execute(sql`select sent_at is null as pending, failed from chat_outbox where chat_id = '711' order by id`),
    );
    expect(replies.filter((r) => r.pending)).toEqual([]);
    expect(replies.at(-1)).toEqual({ pending: false, failed: 'unreachable: Forbidden: bot was blocked by the user' });
    // Not retried: one refused attempt, however long we wait.
    await sleep(2500);
    expect(tg.calls.filter((c) => c.method === 'sendMessage' && c.error_code === 403)).toHaveLength(1);

    // Ann unblocks the bot and writes again: the record is answered, the chat is reachable.
    say('1.00 bun');
    await tg.waitForOutbox((m) => m.chat_id === annChat.id && /#3 −1\.00/.test(m.text ?? ''), 10_000);
    expect((await chatRow())?.blocked).toBe(false);
  }, 30_000);
});
