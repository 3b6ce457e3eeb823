/**
 * One adapter contract, two platforms: the same scenarios run against the Telegram adapter
 * (grammY against the Bot API double) and the Discord adapter (discord.js against the Discord
 * double), through small drivers that speak each platform. What a person sees must not depend
 * on where they type: the same records, numbers, buttons, refusals and attachments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { TelegramBot } from '../../adapters/telegram/telegram-adapter.js';
import { createTelegramBot, startTelegram } from '../../adapters/telegram/telegram-adapter.js';
import { createDiscordBot, type DiscordBot } from '../../adapters/discord/discord-adapter.js';
import { plainText } from '../../adapters/discord/render.js';
import type { CommandDef } from '../../bot/registry.js';
import type { Services } from '../../bot/services.js';
import { renderChart } from '../../workers/charts/render-chart.js';
import { SAMPLE_SPECS } from '../chart-samples.js';
import { startTelegramDouble, type SentMessage, type TelegramDouble } from '../doubles/telegram-api.js';
import { startDiscordDouble, type DiscordDouble, type DoubleResponse, type GuildSpec } from '../doubles/discord/index.js';
import { createHarness, type Harness } from '../harness.js';

/** What a person sees of one bot message, whatever the platform. */
interface Seen {
  text: string;
  /** Button actions under the message. */
  buttons: string[];
  files: { name: string; bytes: Buffer }[];
  /** Platform message id, for pressing its buttons. */
  ref: string;
}

type Where = 'private' | 'group';
type Person = 'ann' | 'bob';

/** A command as written on Telegram (`text`) and as typed Discord options. */
interface Cmd {
  name: string;
  text: string;
  sub?: string;
  options?: Record<string, string | number>;
}

/** Drives one platform: send a command, read what came back, press buttons, redeliver. */
interface Driver {
  readonly name: string;
  readonly harness: Harness;
  /** Makes `person` a platform admin of the group (Telegram administrator, Discord Manage Server). */
  makeAdmin(person: Person): void;
  /** Sends a command; the handle identifies the delivery. */
  send(where: Where, person: Person, cmd: Cmd): Promise<unknown>;
  /** The first answer to `handle` that matches. */
  answer(handle: unknown, where: Where, person: Person, match?: (s: Seen) => boolean): Promise<Seen>;
  /** Presses a button; resolves with what the presser sees afterwards (the edited message or a notice). */
  press(where: Where, person: Person, message: Seen, action: string): Promise<Seen>;
  /** The message as it reads now (after edits). */
  current(where: Where, person: Person, message: Seen): Seen;
  /** Delivers the same update / interaction again. */
  redeliver(handle: unknown): void;
  /** Bot messages in a chat matching `match`. */
  count(where: Where, person: Person, match: (s: Seen) => boolean): number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A test-only slow command answering with a real chart PNG, so attachments are covered before /chart exists. */
const chartFixture: CommandDef = {
  name: 'testchart',
  description: 'Test: a chart image',
  usage: '/testchart',
  slow: true,
  run: async () => ({ text: 'Expenses by label', image: { name: 'chart.png', png: await renderChart(SAMPLE_SPECS.pie), alt: 'A pie chart' } }),
};

/** Charts drawn in-process, as in a single-process deployment. */
const withCharts = (s: Services) => {
  s.renderChart = renderChart;
};

// ------------------------------------------------------------------------------------------
// Telegram
// ------------------------------------------------------------------------------------------

const TG_USERS = {
  ann: { id: 701, first_name: 'Ann', username: 'ann', language_code: 'en' },
  bob: { id: 702, first_name: 'Bob', username: 'bob' },
};
const TG_GROUP = { id: -100700, type: 'supergroup' as const, title: 'Flat 4B' };

async function telegramDriver(): Promise<Driver> {
  const tg: TelegramDouble = await startTelegramDouble();
  const harness = await createHarness({ extend: withCharts });
  harness.registry.add(chartFixture);
  const bot: TelegramBot = createTelegramBot({ token: tg.token, apiRoot: tg.apiRoot, dispatcher: harness.dispatcher, registry: harness.registry, journal: harness.journal, logger: pino({ level: 'silent' }) });
  const stop = await startTelegram(bot, harness.registry, { kind: 'polling' });
  await tg.waitForPoll();
  const admins: number[] = [];
  const chat = (where: Where, person: Person) => (where === 'group' ? TG_GROUP : { id: TG_USERS[person].id, type: 'private' as const });
  const html = (s: string) => s.replace(/<\/?pre>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const seen = (m: SentMessage): Seen => ({
    text: html(m.text ?? m.caption ?? ''),
    buttons: ((m.reply_markup as { inline_keyboard?: { callback_data: string }[][] } | undefined)?.inline_keyboard ?? []).flat().map((b) => b.callback_data),
    files: m.file ? [{ name: m.file.filename, bytes: m.file.bytes }] : [],
    ref: String(m.message_id),
  });
  const sent = (m: SentMessage) => m.method !== 'editMessageText' && m.method !== 'deleteMessage';
  const driver: Driver = {
    name: 'telegram',
    harness,
    makeAdmin(person) {
      admins.push(TG_USERS[person].id);
      tg.setAdmins(TG_GROUP.id, admins);
    },
    async send(where, person, cmd) {
      const c = chat(where, person);
      const start = tg.outbox(c.id).length;
      const text = `/${cmd.name}${cmd.sub ? ` ${cmd.sub}` : ''}${cmd.text ? ` ${cmd.text}` : ''}`;
      return { updateId: tg.sendText(c, TG_USERS[person], text), chatId: c.id, start };
    },
    async answer(handle, _where, _person, match = () => true) {
      const h = handle as { chatId: number; start: number };
      return until(() => {
        const m = tg.outbox(h.chatId).slice(h.start).find((x) => sent(x) && match(seen(x)));
        return m && seen(m);
      }, 'a telegram answer');
    },
    async press(where, person, message, action) {
      const c = chat(where, person);
      const outbox = tg.outbox(c.id).length;
      const answers = tg.callbackAnswers.length;
      tg.pressButton(c, TG_USERS[person], Number(message.ref), action);
      return until(() => {
        const notice = tg.callbackAnswers.slice(answers).find((a) => a.text);
        if (notice) return { text: notice.text!, buttons: [], files: [], ref: message.ref };
        const next = tg.outbox(c.id).slice(outbox)[0];
        if (next?.method === 'editMessageText') return driver.current(where, person, message);
        return next && seen(next);
      }, 'an answer to a button');
    },
    current(where, person, message) {
      const m = tg.message(chat(where, person).id, Number(message.ref))!;
      return {
        text: m.text ?? m.caption ?? '',
        buttons: (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ('callback_data' in b ? b.callback_data! : '')),
        files: [],
        ref: message.ref,
      };
    },
    redeliver: (handle) => tg.redeliver((handle as { updateId: number }).updateId),
    count: (where, person, match) => tg.outbox(chat(where, person).id).filter((m) => sent(m) && match(seen(m))).length,
    async close() {
      await stop();
      await tg.close();
      await harness.close();
    },
  };
  return driver;
}

// ------------------------------------------------------------------------------------------
// Discord
// ------------------------------------------------------------------------------------------

const DC_USERS = {
  ann: { id: '120000000000000001', username: 'ann', global_name: 'Ann' },
  bob: { id: '120000000000000002', username: 'bob', global_name: 'Bob' },
};
const DC_DMS = { ann: '320000000000000001', bob: '320000000000000002' };

async function discordDriver(): Promise<Driver> {
  const dc: DiscordDouble = await startDiscordDouble();
  const guild: GuildSpec = dc.addGuild({ name: 'Flat 4B', channels: [{ name: 'money' }] });
  dc.addMember(guild.id, DC_USERS.ann);
  dc.addMember(guild.id, DC_USERS.bob);
  const harness = await createHarness({ extend: withCharts });
  harness.registry.add(chartFixture);
  const bot: DiscordBot = createDiscordBot({
    token: dc.token,
    applicationId: dc.applicationId,
    apiRoot: dc.restApi,
    dispatcher: harness.dispatcher,
    registry: harness.registry,
    logger: pino({ level: 'silent' }),
  });
  await bot.start();
  const place = (where: Where, person: Person) =>
    where === 'group' ? { guildId: guild.id, channelId: guild.channels[0]!.id, user: DC_USERS[person] } : { channelId: DC_DMS[person], user: DC_USERS[person] };
  const unescape = (s: string) => s.replace(/```\n?/g, '').replace(/\\([*_`~|>#\-[\]().])/g, '$1').trim();
  const buttonsOf = (components: unknown): string[] =>
    ((components ?? []) as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((c) => c.custom_id));
  const seen = (r: DoubleResponse): Seen => ({
    text: unescape(plainText(r.data)),
    buttons: buttonsOf(r.data.components),
    files: r.files.map((f) => ({ name: f.name, bytes: f.bytes })),
    ref: r.messageId ?? '',
  });
  const hasBody = (s: Seen) => s.text !== '' || s.files.length > 0;
  const driver: Driver = {
    name: 'discord',
    harness,
    makeAdmin: (person) => dc.addMember(guild.id, DC_USERS[person], { manageGuild: true }),
    async send(where, person, cmd) {
      return dc.sendCommand({ ...place(where, person), name: cmd.name, ...(cmd.sub ? { subcommand: cmd.sub } : {}), options: cmd.options ?? {} });
    },
    async answer(handle, _where, _person, match = () => true) {
      const r = await dc.waitForResponse((handle as { id: string }).id, (x) => hasBody(seen(x)) && match(seen(x)), 15_000);
      return seen(r);
    },
    async press(where, person, message, action) {
      const i = dc.pressButton({ ...place(where, person), customId: action, messageId: message.ref });
      const r = await dc.waitForResponse(i.id, (x) => x.type !== 5 && x.type !== 6);
      return r.type === 7 || r.kind === 'edit' ? driver.current(where, person, message) : seen(r);
    },
    current(_where, _person, message) {
      const m = dc.message(message.ref)!;
      return { text: unescape(plainText(m)), buttons: buttonsOf(m.components), files: [], ref: message.ref };
    },
    redeliver: (handle) => dc.redeliver(handle as { id: string }),
    count(where, person, match) {
      const p = place(where, person);
      const channel = p.channelId;
      return dc
        .messagesIn(channel)
        .map((m) => ({ text: unescape(plainText(m)), buttons: buttonsOf(m.components), files: [], ref: m.id }))
        .filter(match).length;
    },
    async close() {
      await bot.stop();
      await dc.close();
      await harness.close();
    },
  };
  return driver;
}

// ------------------------------------------------------------------------------------------
// The contract
// ------------------------------------------------------------------------------------------

const PLATFORMS: [string, () => Promise<Driver>][] = [
  ['telegram', telegramDriver],
  ['discord', discordDriver],
];

const spend = (text: string, options: Record<string, string>): Cmd => ({ name: 'spend', text, options });

describe.each(PLATFORMS)('chat adapter contract: %s', (_name, makeDriver) => {
  let d: Driver;
  beforeAll(async () => {
    d = await makeDriver();
  });
  afterAll(async () => {
    await d?.close();
  });

  const ask = async (where: Where, person: Person, cmd: Cmd, match?: (s: Seen) => boolean) =>
    d.answer(await d.send(where, person, cmd), where, person, match);

  it('GIVEN a record THEN the answer shows #N, amount, labels, account, balance and an Undo button that undoes it', async () => {
    const r = await ask('private', 'ann', spend('4.50 #food coffee', { amount: '4.50', label: 'food', note: 'coffee' }));
    expect(r.text).toContain('#1 −4.50 EUR · #food @Main · coffee');
    expect(r.text).toContain('Main: -4.50 EUR');
    expect(r.buttons).toEqual(['undo:1']);

    const after = await d.press('private', 'ann', r, 'undo:1');
    expect(after.text).toContain('Undone #1');
    expect(after.buttons).toEqual(['restore:1']);
    const restored = await d.press('private', 'ann', after, 'restore:1');
    expect(restored.text).toContain('Restored #1');
  });

  it('GIVEN bad input THEN the answer says what is wrong and how to write it, and nothing is recorded', async () => {
    const r = await ask('private', 'ann', spend('12.345.6', { amount: '12.345.6' }));
    expect(r.text).toContain('“12.345.6” is not an amount');
    expect(r.text).not.toMatch(/Error|stack|at \w+ \(/);
    const usage = await ask('private', 'ann', { name: 'delete', text: 'first', options: { record: 'first' } });
    expect(usage.text).toContain('Usage: /delete <#N>');
    const hist = await ask('private', 'ann', { name: 'history', text: '' });
    expect(hist.text).toContain('#1');
    expect(hist.text).not.toContain('#2');
  });

  it('GIVEN a delivery repeated by the platform THEN the record is applied and answered once', async () => {
    const handle = await d.send('private', 'bob', spend('7 #dup', { record: '7 #dup' }));
    await d.answer(handle, 'private', 'bob', (s) => s.text.includes('#dup'));
    d.redeliver(handle);
    const hist = await ask('private', 'bob', { name: 'history', text: '' }, (s) => s.text.includes('Last'));
    expect(hist.text.match(/#dup/g)).toHaveLength(1);
    expect(d.count('private', 'bob', (s) => s.text.includes('−7.00 EUR · #dup'))).toBe(1);
  });

  it('GIVEN a group THEN two members share one book, and only the author or a platform admin may undo', async () => {
    d.makeAdmin('ann');
    const first = await ask('group', 'ann', spend('30 groceries', { amount: '30', note: 'groceries' }));
    expect(first.text).toContain('#1 −30.00 EUR');
    const second = await ask('group', 'bob', spend('12 pizza', { amount: '12', note: 'pizza' }));
    expect(second.text).toContain('#2 −12.00 EUR');
    expect(second.text).toContain('Main: -42.00 EUR');

    const refused = await d.press('group', 'bob', first, 'undo:1');
    expect(refused.text).toContain('only change your own');
    expect(d.current('group', 'bob', first).text).toContain('#1 −30.00 EUR');

    const undone = await d.press('group', 'ann', second, 'undo:2');
    expect(undone.text).toContain('Undone #2');
    expect(undone.text).toContain('Main: -30.00 EUR');

    const accounts = await ask('group', 'bob', { name: 'accounts', text: '' });
    expect(accounts.text).toMatch(/Main\s+-30\.00 EUR/);
    // Their personal books are their own.
    const mine = await ask('private', 'bob', { name: 'accounts', text: '' });
    expect(mine.text).not.toContain('30.00');
  });

  it('GIVEN a command answering with a chart THEN the PNG arrives as an image attachment', async () => {
    const r = await ask('private', 'ann', { name: 'testchart', text: '' });
    expect(r.text).toContain('Expenses by label');
    expect(r.files).toHaveLength(1);
    expect(r.files[0]!.bytes.subarray(1, 4).toString()).toBe('PNG');
  });

  it('GIVEN records THEN /chart pie answers with a PNG', async () => {
    const r = await ask('private', 'ann', { name: 'chart', text: 'pie', options: { kind: 'pie' } }, (s) => s.files.length > 0);
    expect(r.files[0]!.bytes.subarray(1, 4).toString()).toBe('PNG');
  });
});
