/**
 * One book across platforms, through both real clients at once: a Telegram group (grammY against
 * the Bot API double) and a Discord channel (discord.js against the Discord double) served by
 * one dispatcher on one PostgreSQL database — linking, recording from both, and roles enforced
 * the same way on each adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTelegramBot, startTelegram } from '../../adapters/telegram/telegram-adapter.js';
import { createDiscordBot, type DiscordBot } from '../../adapters/discord/discord-adapter.js';
import { startTelegramDouble, type TelegramDouble } from '../doubles/telegram-api.js';
import { startDiscordDouble, type DiscordDouble, type DoubleResponse, type GuildSpec } from '../doubles/discord/index.js';
import { createHarness, type Harness } from '../harness.js';

const ann = { id: 801, first_name: 'Ann', username: 'ann_tg' };
const group = { id: -100800, type: 'supergroup' as const, title: 'Flat 4B' };
const bob = { id: '130000000000000002', username: 'bob', global_name: 'Bob' };

/** The text a Discord response shows (content, or the embed description). */
const discordText = (r: DoubleResponse): string => {
  const d = r.data as { content?: string; embeds?: { description?: string; title?: string }[] };
  return [d.content ?? '', ...(d.embeds ?? []).map((e) => `${e.title ?? ''}\n${e.description ?? ''}`)].join('\n');
};

describe('one book on Telegram and Discord', () => {
  let h: Harness;
  let tg: TelegramDouble;
  let dc: DiscordDouble;
  let guild: GuildSpec;
  let discord: DiscordBot;
  let stopTelegram: () => Promise<void>;

  beforeAll(async () => {
    h = await createHarness();
    tg = await startTelegramDouble();
    const telegram = createTelegramBot({ token: tg.token, apiRoot: tg.apiRoot, dispatcher: h.dispatcher, registry: h.registry, journal: h.journal, logger: pino({ level: 'silent' }), throttle: false });
    stopTelegram = await startTelegram(telegram, h.registry, { kind: 'polling' });
    await tg.waitForPoll();
    dc = await startDiscordDouble();
    guild = dc.addGuild({ name: 'Flat 4B', channels: [{ name: 'money' }] });
    dc.addMember(guild.id, bob, { manageGuild: true });
    discord = createDiscordBot({ token: dc.token, applicationId: dc.applicationId, apiRoot: dc.restApi, dispatcher: h.dispatcher, registry: h.registry, logger: pino({ level: 'silent' }) });
    await discord.start();
  });
  afterAll(async () => {
    await discord?.stop();
    await stopTelegram?.();
    await dc?.close();
    await tg?.close();
    await h?.close();
  });

  const inDiscord = async (name: string, options: Record<string, string>, sub?: string) => {
    const i = dc.sendCommand({ guildId: guild.id, channelId: guild.channels[0]!.id, user: bob, name, options, ...(sub ? { subcommand: sub } : {}) });
    return discordText(await dc.waitForResponse(i.id, (r) => discordText(r).trim().length > 0, 10_000));
  };
  const inTelegram = async (text: string, match: (t: string) => boolean) => {
    tg.sendText(group, ann, text);
    return (await tg.waitForOutbox((m) => m.chat_id === group.id && match(m.text ?? ''), 10_000)).text!;
  };

  it('GIVEN a Telegram group linked to a Discord channel THEN both record into one book and roles hold on both adapters', async () => {
    expect(await inTelegram('30 groceries', (t) => t.includes('#1'))).toContain('Main: -30.00 EUR');
    const codeMsg = await inTelegram('/link', (t) => t.includes('Link code'));
    const code = /Link code: (\S+)/.exec(codeMsg)![1]!;

    expect(await inDiscord('link', { code })).toContain('Linked');
    // Bob on Discord records into the same book: #2, and the balance includes Ann's record.
    const bobRecord = await inDiscord('spend', { amount: '12', record: 'pizza' });
    expect(bobRecord).toContain('#2');
    expect(bobRecord).toContain('-42.00 EUR');
    expect(await inTelegram('/history', (t) => t.includes('Last'))).toMatch(/#2[\s\S]*pizza[\s\S]*\(Bob\)[\s\S]*#1[\s\S]*groceries[\s\S]*\(Ann\)/);

    // Ann (owner) makes Bob a viewer on Telegram; Discord then refuses his records, Telegram too.
    expect(await inTelegram('/role Bob viewer', (t) => /viewer/i.test(t))).toMatch(/Bob/);
    expect(await inDiscord('spend', { amount: '5', record: 'snack' })).toMatch(/role \(viewer\)/);
    expect(await inDiscord('history', {})).toContain('pizza');
    expect(await inTelegram('/accounts', (t) => t.includes('Accounts'))).toContain('-42.00 EUR');
  });
});
