import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { DiscordDouble, DoubleResponse, GuildSpec } from '../../test/doubles/discord/index.js';
import type { Harness } from '../../test/harness.js';
import { startDiscordKit, type DiscordKit } from '../../test/discord-kit.js';
import { rowsOf } from '../../drizzle/store/rows.js';
import { plainText } from './render.js';

const ann = { id: '120000000000000001', username: 'ann', global_name: 'Ann' };
const cat = { id: '120000000000000002', username: 'cat', global_name: 'Cat' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const readable = (r: DoubleResponse): string => plainText(r.data).replace(/\\([*_`~|>#\-[\]().])/g, '$1');
let nextId = 1_320_000_000_000_000_001n;
/** An interaction id chosen ahead, so a fault can name its routes before it is sent. */
const newId = () => String(nextId++);

/**
 * Issue 12: a Discord answer survives a failed answer. The real discord.js client against the
 * Discord double (3-second window enforced), replies through the outbox on PostgreSQL: each reply
 * arrives once, through the interaction while it can, else in the channel.
 */
describe('Discord answers through the reply outbox', () => {
  let kit: DiscordKit;
  let dc: DiscordDouble;
  let h: Harness;
  let guild: GuildSpec;
  let channel: string;

  beforeAll(async () => {
    kit = await startDiscordKit({
      double: { interactionTimeoutMs: 3000 },
      prepare: (double, harness) => {
        guild = double.addGuild({ name: 'Flat 9', channels: [{ name: 'money' }] });
        channel = guild.channels[0]!.id;
        double.addMember(guild.id, ann);
        harness.registry.add({ name: 'testlater', description: 'Test: a slow answer', usage: '/testlater', slow: true, run: async () => ({ text: 'Later answer' }) });
      },
    });
    ({ dc, h } = kit);
  });
  afterAll(() => kit?.close());

  const spend = (id: string, record: string, where: { guildId?: string; channelId: string; user: typeof ann } = { guildId: guild.id, channelId: channel, user: ann }) =>
    dc.sendCommand({ ...where, id, name: 'spend', options: { record } });
  /** What the outbox says of an interaction's replies: sent, and refused for what. */
  const outbox = async (id: string) =>
    rowsOf<{ sent: boolean; failed: string | null }>(
      await h.database.db.execute(sql`select sent_at is not null as sent, failed from chat_outbox where via->>'interaction' = ${id} order by id`),
    );
  const showing = (text: string) => dc.messagesIn(channel).filter((m) => plainText(m).includes(text));

  it.each([
    { fault: 'a 429 once', status: 429, times: 1, record: '3.20 #coffee', shown: '#1 −3.20 EUR', how: 'discord.js waits retry_after' },
    { fault: '500s beyond discord.js’s 3 retries', status: 500, times: 4, record: '4.10 #lunch', shown: '#2 −4.10 EUR', how: 'the outbox answers within the 3 s' },
  ])('GIVEN the answer to /spend meets $fault THEN it arrives once ($how) and is marked sent', async ({ status, times, record, shown }) => {
    const id = newId();
    dc.failNext({ method: 'POST', path: new RegExp(`^/interactions/${id}/`), status, times, retryAfter: 0.2 });
    spend(id, record);
    const r = await dc.waitForResponse(id, (x) => x.kind === 'callback');
    expect(readable(r)).toContain(shown);
    await sleep(1500);
    expect(dc.responses(id)).toHaveLength(1);
    expect(showing(shown)).toHaveLength(1);
    expect(await outbox(id)).toEqual([{ sent: true, failed: null }]);
  });

  it('GIVEN a deferred command whose edit fails THEN the outbox edits the answer in through the webhook, once', async () => {
    const id = newId();
    dc.failNext({ method: 'PATCH', path: /^\/webhooks\/\d+\/[^/]+\/messages\/(@|%40)original$/, status: 500, times: 4 });
    dc.sendCommand({ guildId: guild.id, channelId: channel, user: ann, id, name: 'testlater' });
    const edit = await dc.waitForResponse(id, (x) => x.kind === 'edit', 8000);
    expect(readable(edit)).toContain('Later answer');
    await sleep(1500);
    expect(dc.responses(id).map((x) => [x.kind, x.type])).toEqual([
      ['callback', 5],
      ['edit', undefined],
    ]);
    expect(showing('Later answer')).toHaveLength(1);
    expect(await outbox(id)).toEqual([{ sent: true, failed: null }]);
  });

  it('GIVEN the outbox’s own request meets a 429 THEN the reply waits retry_after in the table, then is delivered once', async () => {
    const id = newId();
    const original = /^\/webhooks\/\d+\/[^/]+\/messages\/(@|%40)original$/;
    dc.failNext({ method: 'PATCH', path: original, status: 500, times: 4 });
    dc.failNext({ method: 'GET', path: original, status: 429, retryAfter: 2 });
    dc.sendCommand({ guildId: guild.id, channelId: channel, user: ann, id, name: 'testlater' });
    const edit = await dc.waitForResponse(id, (x) => x.kind === 'edit', 10_000);
    expect(readable(edit)).toContain('Later answer');
    const limited = dc.requests.find((r) => r.method === 'GET' && r.status === 429 && original.test(r.path))!;
    expect(edit.at.getTime() - limited.at.getTime()).toBeGreaterThanOrEqual(1900);
    await sleep(1000);
    expect(dc.responses(id).filter((x) => x.kind === 'edit')).toHaveLength(1);
    expect(await outbox(id)).toEqual([{ sent: true, failed: null }]);
  }, 15_000);

  it('GIVEN the answer cannot reach Discord for longer than the 3 s window THEN the record is answered once in the channel', async () => {
    const id = newId();
    dc.failNext({ method: 'POST', path: new RegExp(`^/interactions/${id}/`), status: 500, times: 100 });
    spend(id, '7.00 #taxi');
    const m = await dc.waitForChannelMessage(channel, (x) => readable(x).includes('#3 −7.00 EUR'), 12_000);
    expect(m.interactionId).toBeUndefined();
    await sleep(1000);
    expect(dc.responses(id)).toEqual([]);
    expect(showing('#3 −7.00 EUR')).toHaveLength(1);
    expect(await outbox(id)).toEqual([{ sent: true, failed: null }]);
  }, 20_000);

  it('GIVEN a DM whose answer must go to the channel and the person closed their DMs THEN the chat is marked unreachable and its reply settled', async () => {
    const id = newId();
    const dm = '320000000000000002';
    dc.failNext({ method: 'POST', path: new RegExp(`^/interactions/${id}/`), status: 500, times: 100 });
    dc.closeDirectMessages(cat.id);
    spend(id, '1.50 #tea', { channelId: dm, user: cat });
    let rows = await outbox(id);
    for (let t = 0; t < 100 && !rows[0]?.failed; t++) {
      await sleep(100);
      rows = await outbox(id);
    }
    expect(rows).toEqual([{ sent: true, failed: expect.stringContaining('unreachable: 50007') }]);
    const [chat] = rowsOf<{ blocked: boolean }>(await h.database.db.execute(sql`select blocked_at is not null as blocked from chats where chat_id = ${`dm:${cat.id}`}`));
    expect(chat?.blocked).toBe(true);
  }, 20_000);
});
