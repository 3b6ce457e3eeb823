import { afterEach, describe, expect, it } from 'vitest';
import { Bot, GrammyError, InlineKeyboard, InputFile } from 'grammy';
import { run, type RunnerHandle } from '@grammyjs/runner';
import { autoRetry } from '@grammyjs/auto-retry';
import { startTelegramDouble, type ChatSpec, type TelegramDouble, type UserSpec } from './telegram-api.js';

// A 1x1 PNG: enough to check that the magic bytes and the IHDR size survive the upload.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const ALICE: UserSpec = { id: 111, first_name: 'Alice', username: 'alice', language_code: 'en' };
const BOB: UserSpec = { id: 222, first_name: 'Bob' };
const DM: ChatSpec = { id: 111, type: 'private' };
const GROUP: ChatSpec = { id: -1001234567890, type: 'supergroup', title: 'Flat' };

/** The tiny bot the self-test drives: the same grammY stack COIN uses. */
function echoBot(tg: TelegramDouble): { bot: Bot; seen: number[]; errors: unknown[] } {
  const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
  bot.api.config.use(autoRetry());
  const seen: number[] = [];
  const errors: unknown[] = [];
  bot.use(async (ctx, next) => {
    seen.push(ctx.update.update_id);
    await next();
  });
  bot.command('ping', (ctx) => ctx.reply('pong', { reply_markup: new InlineKeyboard().text('Again', 'again') }));
  bot.command('chart', (ctx) => ctx.replyWithPhoto(new InputFile(PNG, 'x.png'), { caption: 'chart' }));
  bot.on('callback_query:data', async (ctx) => {
    await ctx.answerCallbackQuery({ text: 'ok' });
    await ctx.editMessageText(`pressed <b>${ctx.callbackQuery.data}</b>`, { parse_mode: 'HTML' });
  });
  bot.on('message:document', async (ctx) => {
    const file = await ctx.getFile();
    const res = await fetch(`${tg.apiRoot}/file/bot${tg.token}/${file.file_path}`);
    await ctx.reply(`got ${ctx.message.document.file_name}: ${await res.text()}`);
  });
  bot.catch((err) => {
    errors.push(err);
  });
  return { bot, seen, errors };
}

async function post(tg: TelegramDouble, method: string, body: object, token = tg.token): Promise<{ status: number; json: any }> {
  const res = await fetch(`${tg.apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function double(): Promise<TelegramDouble> {
  const tg = await startTelegramDouble();
  cleanups.push(() => tg.close());
  return tg;
}

describe('Telegram double driven by grammY runner', () => {
  let runner: RunnerHandle | undefined;
  async function startRunner(tg: TelegramDouble): Promise<ReturnType<typeof echoBot>> {
    const app = echoBot(tg);
    runner = run(app.bot);
    // Stop before the double closes (cleanups run in reverse), so no poll hangs on.
    cleanups.push(async () => {
      if (runner?.isRunning()) await runner.stop();
    });
    await tg.waitForPoll();
    return app;
  }

  it('GIVEN /ping@botname in a group THEN the command handler replies with a keyboard, and a press answers and edits', async () => {
    const tg = await double();
    const { errors } = await startRunner(tg);

    tg.sendText(GROUP, ALICE, `/ping@${tg.bot.username}`);
    const pong = await tg.waitForOutbox((m) => m.text === 'pong');
    expect(pong).toMatchObject({
      method: 'sendMessage',
      chat_id: GROUP.id,
      message_id: 2, // the user's command took id 1 in this chat
      reply_markup: { inline_keyboard: [[{ text: 'Again', callback_data: 'again' }]] },
    });
    expect(tg.message(GROUP.id, 2)).toMatchObject({ from: { id: tg.bot.id, is_bot: true }, chat: { title: 'Flat' } });

    tg.pressButton(GROUP, BOB, pong.message_id, 'again');
    const edit = await tg.waitForOutbox((m) => m.method === 'editMessageText');
    expect(edit).toMatchObject({ chat_id: GROUP.id, message_id: 2, text: 'pressed <b>again</b>', parse_mode: 'HTML' });
    expect(tg.callbackAnswers).toMatchObject([{ text: 'ok' }]);
    // Telegram stores the parsed text and drops the keyboard when an edit omits reply_markup.
    const edited = tg.message(GROUP.id, 2);
    expect(edited?.text).toBe('pressed again');
    expect(edited?.entities).toEqual([{ type: 'bold', offset: 8, length: 5 }]);
    expect(edited?.reply_markup).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('GIVEN a command for another bot THEN grammY ignores it', async () => {
    const tg = await double();
    await startRunner(tg);
    tg.sendText(GROUP, ALICE, '/ping@some_other_bot');
    tg.sendText(GROUP, ALICE, '/ping');
    await tg.waitForCount(GROUP.id, 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(tg.outbox(GROUP.id)).toHaveLength(1);
  });

  it('GIVEN a redelivered update THEN it reaches the handler a second time (the double does not dedupe)', async () => {
    const tg = await double();
    const { seen } = await startRunner(tg);
    const id = tg.sendText(DM, ALICE, '/ping');
    await tg.waitForCount(DM.id, 1);
    tg.redeliver(id);
    await tg.waitForCount(DM.id, 2);
    expect(seen.filter((s) => s === id)).toHaveLength(2);
    // Later updates still flow after the out-of-order redelivery.
    tg.sendText(DM, ALICE, '/ping');
    await tg.waitForCount(DM.id, 3);
    expect(tg.pendingUpdates()).toBeLessThanOrEqual(1);
  });

  it('GIVEN a 429 with retry_after THEN autoRetry waits and the message still arrives', async () => {
    const tg = await double();
    await startRunner(tg);
    tg.failNext('sendMessage', { error_code: 429, retry_after: 1 });
    tg.sendText(DM, ALICE, '/ping');
    await tg.waitForOutbox((m) => m.text === 'pong', 4000);
    const attempts = tg.calls.filter((c) => c.method === 'sendMessage');
    expect(attempts.map((c) => c.error_code)).toEqual([429, undefined]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('GIVEN replyWithPhoto(InputFile) THEN the PNG bytes arrive intact over multipart', async () => {
    const tg = await double();
    await startRunner(tg);
    tg.sendText(DM, ALICE, '/chart');
    const photo = await tg.waitForOutbox((m) => m.method === 'sendPhoto');
    expect(photo.caption).toBe('chart');
    expect(photo.file?.filename).toBe('x.png');
    expect(photo.file?.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(photo.file?.bytes.equals(PNG)).toBe(true);
    expect(tg.message(DM.id, photo.message_id)?.photo?.at(-1)).toMatchObject({ width: 1, height: 1, file_size: PNG.length });
  });

  it('GIVEN a user uploads a CSV THEN the bot can getFile and download its bytes', async () => {
    const tg = await double();
    await startRunner(tg);
    tg.sendDocument(DM, ALICE, { filename: 'events.csv', bytes: 'date,amount\n2024-01-01,12.50\n' }, { caption: '/import' });
    const reply = await tg.waitForOutbox((m) => m.text?.startsWith('got') ?? false);
    expect(reply.text).toBe('got events.csv: date,amount\n2024-01-01,12.50\n');
  });

  it('GIVEN the bot idles in a long poll THEN a queued update is answered promptly, not after the poll timeout', async () => {
    const tg = await double();
    await startRunner(tg);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    tg.sendText(DM, ALICE, '/ping');
    await tg.waitForOutbox((m) => m.text === 'pong');
    expect(Date.now() - t0).toBeLessThan(500);
  });
});

describe('Telegram double driven by bot.start()', () => {
  it('GIVEN bot.start THEN it answers, and bot.stop then close() end cleanly', async () => {
    const tg = await startTelegramDouble();
    const { bot } = echoBot(tg);
    const started = bot.start();
    await tg.waitForPoll();
    tg.sendText(DM, ALICE, '/ping');
    await tg.waitForOutbox((m) => m.text === 'pong');
    await bot.stop();
    await started;
    // bot.stop confirms the offset, so nothing is left for the next start.
    expect(tg.pendingUpdates()).toBe(0);
    await tg.close();
    await expect(fetch(`${tg.apiRoot}/bot${tg.token}/getMe`)).rejects.toThrow();
  });
});

describe('Telegram double API semantics', () => {
  it('GIVEN a wrong token or unknown method THEN 401 and 404 like Telegram', async () => {
    const tg = await double();
    expect(await post(tg, 'getMe', {}, '1:wrong')).toEqual({
      status: 401,
      json: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
    expect(await post(tg, 'sendTelepathy', {})).toEqual({
      status: 404,
      json: { ok: false, error_code: 404, description: 'Not Found' },
    });
    const me = await post(tg, 'getme', {});
    expect(me.json.result).toMatchObject({ id: tg.bot.id, is_bot: true, username: 'coin_test_bot' });
  });

  it('GIVEN queued updates THEN getUpdates honours limit and confirms by offset', async () => {
    const tg = await double();
    const ids = [1, 2, 3, 4, 5].map((n) => tg.sendText(DM, ALICE, `msg ${n}`));
    const first = await post(tg, 'getUpdates', { limit: 2 });
    expect(first.json.result.map((u: any) => u.update_id)).toEqual(ids.slice(0, 2));
    expect(first.json.result[0].message).toMatchObject({ text: 'msg 1', chat: { id: 111, type: 'private', first_name: 'Alice' } });
    const again = await post(tg, 'getUpdates', {});
    expect(again.json.result).toHaveLength(5); // nothing confirmed yet
    const rest = await post(tg, 'getUpdates', { offset: ids[2] });
    expect(rest.json.result.map((u: any) => u.update_id)).toEqual(ids.slice(2));
    expect(tg.pendingUpdates()).toBe(3);
  });

  it('GIVEN a long poll with timeout THEN it waits for an update, or returns [] when the timeout passes', async () => {
    const tg = await double();
    const t0 = Date.now();
    const pending = post(tg, 'getUpdates', { timeout: 10 });
    await tg.waitForPoll();
    setTimeout(() => tg.sendText(DM, ALICE, '/start'), 30);
    const woke = await pending;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(woke.json.result[0].message.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);

    const t1 = Date.now();
    const empty = await post(tg, 'getUpdates', { offset: woke.json.result[0].update_id + 1, timeout: 1 });
    expect(empty.json).toEqual({ ok: true, result: [] });
    expect(Date.now() - t1).toBeGreaterThanOrEqual(900);
  });

  it('GIVEN a pending long poll WHEN the double closes THEN the poll is released with no updates', async () => {
    const tg = await startTelegramDouble();
    const pending = post(tg, 'getUpdates', { timeout: 30 });
    await tg.waitForPoll();
    await tg.close();
    expect((await pending).json).toEqual({ ok: true, result: [] });
  });

  it('GIVEN markup Telegram cannot parse THEN sendMessage fails with its error text', async () => {
    const tg = await double();
    const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
    await expect(bot.api.sendMessage(DM.id, 'a<br>b', { parse_mode: 'HTML' })).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 1',
    });
    await expect(bot.api.sendMessage(DM.id, '<b>x</i>', { parse_mode: 'HTML' })).rejects.toBeInstanceOf(GrammyError);
    await expect(bot.api.sendMessage(DM.id, 'x'.repeat(4097))).rejects.toMatchObject({ description: 'Bad Request: message is too long' });
    await expect(
      bot.api.sendMessage(DM.id, 'x', { reply_markup: new InlineKeyboard().text('big', 'd'.repeat(65)) }),
    ).rejects.toMatchObject({ description: 'Bad Request: BUTTON_DATA_INVALID' });
  });

  it('GIVEN an edit identical to the message THEN "message is not modified"; a missing message THEN "not found"', async () => {
    const tg = await double();
    const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
    const kb = new InlineKeyboard().text('Undo', 'undo:1');
    const m = await bot.api.sendMessage(DM.id, 'Recorded #1', { reply_markup: kb });
    await expect(bot.api.editMessageText(DM.id, m.message_id, 'Recorded #1', { reply_markup: kb })).rejects.toMatchObject({
      description: expect.stringContaining('message is not modified'),
    });
    await bot.api.editMessageReplyMarkup(DM.id, m.message_id);
    expect(tg.message(DM.id, m.message_id)?.reply_markup).toBeUndefined();
    await expect(bot.api.editMessageText(DM.id, 999, 'x')).rejects.toMatchObject({ description: 'Bad Request: message to edit not found' });
    expect(await bot.api.deleteMessage(DM.id, m.message_id)).toBe(true);
    await expect(bot.api.deleteMessage(DM.id, m.message_id)).rejects.toMatchObject({ error_code: 400 });
    expect(tg.outbox(DM.id).map((o) => o.method)).toEqual(['sendMessage', 'editMessageReplyMarkup', 'deleteMessage']);
  });

  it('GIVEN setAdmins THEN getChatMember and getChatAdministrators report creator, administrator and member', async () => {
    const tg = await double();
    const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
    tg.sendText(GROUP, ALICE, 'hi');
    tg.sendText(GROUP, BOB, 'hello');
    tg.setAdmins(GROUP.id, [ALICE.id, 333]);
    expect((await bot.api.getChatMember(GROUP.id, ALICE.id)).status).toBe('creator');
    expect((await bot.api.getChatMember(GROUP.id, 333)).status).toBe('administrator');
    expect(await bot.api.getChatMember(GROUP.id, BOB.id)).toEqual({ status: 'member', user: { id: BOB.id, is_bot: false, first_name: 'Bob' } });
    expect((await bot.api.getChatAdministrators(GROUP.id)).map((a) => [a.user.id, a.status])).toEqual([
      [ALICE.id, 'creator'],
      [333, 'administrator'],
    ]);
    expect(await bot.api.getChat(GROUP.id)).toMatchObject({ id: GROUP.id, type: 'supergroup', title: 'Flat' });
  });

  it('GIVEN setMyCommands per scope THEN getMyCommands returns what was stored for that scope', async () => {
    const tg = await double();
    const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
    await bot.api.setMyCommands([{ command: 'spend', description: 'Record an expense' }]);
    await bot.api.setMyCommands([{ command: 'token', description: 'API token' }], { scope: { type: 'all_private_chats' } });
    expect(await bot.api.getMyCommands()).toEqual([{ command: 'spend', description: 'Record an expense' }]);
    expect(tg.myCommands({ type: 'all_private_chats' })).toEqual([{ command: 'token', description: 'API token' }]);
    expect(await bot.api.getMyCommands({ scope: { type: 'all_group_chats' } })).toEqual([]);
    await expect(bot.api.setMyCommands([{ command: 'Bad-Name', description: 'x' }])).rejects.toMatchObject({
      description: 'Bad Request: BOT_COMMAND_INVALID',
    });
  });

  it('GIVEN a webhook is set THEN getUpdates conflicts until deleteWebhook', async () => {
    const tg = await double();
    await post(tg, 'setWebhook', { url: 'https://example.invalid/hook' });
    expect((await post(tg, 'getWebhookInfo', {})).json.result.url).toBe('https://example.invalid/hook');
    expect((await post(tg, 'getUpdates', {})).status).toBe(409);
    await post(tg, 'deleteWebhook', {});
    expect((await post(tg, 'getUpdates', {})).json).toEqual({ ok: true, result: [] });
  });

  it('GIVEN replies both ways THEN reply_to_message links the messages, and urlencoded bodies work too', async () => {
    const tg = await double();
    const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
    const id = tg.sendText(GROUP, ALICE, '12 coffee');
    const [u] = (await post(tg, 'getUpdates', {})).json.result;
    expect(u.update_id).toBe(id);
    const answer = await bot.api.sendMessage(GROUP.id, 'Recorded #1', { reply_parameters: { message_id: u.message.message_id } });
    expect(answer.reply_to_message).toMatchObject({ message_id: 1, text: '12 coffee', from: { id: ALICE.id } });
    expect(tg.outbox(GROUP.id)[0]?.reply_to_message_id).toBe(1);
    await expect(bot.api.sendMessage(GROUP.id, 'x', { reply_parameters: { message_id: 77 } })).rejects.toMatchObject({
      description: 'Bad Request: message to be replied not found',
    });

    tg.sendText(GROUP, BOB, '3 tea', { replyToBot: true });
    const [reply] = (await post(tg, 'getUpdates', { offset: id + 1 })).json.result;
    expect(reply.message.reply_to_message).toMatchObject({ message_id: answer.message_id, from: { id: tg.bot.id } });

    const form = await fetch(`${tg.apiRoot}/bot${tg.token}/sendChatAction`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: String(GROUP.id), action: 'typing' }),
    });
    expect(await form.json()).toEqual({ ok: true, result: true });
    expect(tg.calls.at(-1)).toMatchObject({ method: 'sendChatAction', payload: { chat_id: GROUP.id, action: 'typing' } });
  });

  it('GIVEN a user message with mentions and hashtags THEN entities mark them like Telegram clients do', async () => {
    const tg = await double();
    tg.sendText(GROUP, ALICE, '/spend 12 #food @savings lunch');
    const [u] = (await post(tg, 'getUpdates', {})).json.result;
    expect(u.message.entities).toEqual([
      { type: 'bot_command', offset: 0, length: 6 },
      { type: 'hashtag', offset: 10, length: 5 },
      { type: 'mention', offset: 16, length: 8 },
    ]);
  });
});
