import { Bot, type Context } from 'grammy';
import type { Message, Update, UserFromGetMe } from 'grammy/types';
import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import type { Logger } from 'pino';
import type { Metrics } from '../../app/metrics.js';
import type { Dispatcher } from '../../bot/dispatcher.js';
import type { Registry } from '../../bot/registry.js';
import { describeCommand } from '../../bot/i18n/index.js';
import type { Language } from '../../domain/types.js';
import type { Reply } from '../../bot/reply.js';
import type { ChatRef, IdentityRef } from '../../domain/ports.js';
import { keyboard, replyHtml, sendReply } from './render.js';
import { botApiFetch } from './bot-api-fetch.js';
import { TtlCache } from '../../bot/ttl-cache.js';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';

export interface TelegramDeps {
  token: string;
  apiRoot: string;
  dispatcher: Dispatcher;
  registry: Registry;
  logger: Logger;
  /** Skips `getMe` (tests and webhook mode may know it already). */
  botInfo?: UserFromGetMe;
  /** Outbound throttling within Telegram's limits; off in benchmarks against the local double. */
  throttle?: boolean;
  /** Downloads an attached file (`/import`); defaults to the Bot API file endpoint. */
  fetchFile?: (filePath: string) => Promise<Buffer>;
  metrics?: Metrics;
}

const chatRef = (m: Message): ChatRef => ({
  platform: 'telegram',
  chatId: String(m.chat.id),
  kind: m.chat.type === 'private' ? 'private' : 'group',
  title: m.chat.type === 'private' ? [m.chat.first_name, m.chat.last_name].filter(Boolean).join(' ') : (m.chat.title ?? 'Group'),
});

const identity = (u: NonNullable<Message['from']>): IdentityRef => ({
  platform: 'telegram',
  externalId: String(u.id),
  name: [u.first_name, u.last_name].filter(Boolean).join(' ') || u.username || String(u.id),
  username: u.username,
  locale: u.language_code,
});

/**
 * The COIN bot on grammY: messages and button presses go to the dispatcher, replies come back
 * as HTML messages, photos and documents. Polling or webhook is chosen by the caller.
 */
export function createTelegramBot(deps: TelegramDeps): Bot {
  const bot = new Bot(deps.token, { client: { apiRoot: deps.apiRoot, fetch: botApiFetch() as never }, ...(deps.botInfo ? { botInfo: deps.botInfo } : {}) });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60, rethrowHttpErrors: false }));
  if (deps.throttle !== false) bot.api.config.use(apiThrottler());
  const admins = new TtlCache<boolean>(10 * 60_000, 10_000);
  // The runner handles updates concurrently; one chat's updates still go in order.
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  if (deps.metrics) {
    const { updates, latency } = deps.metrics;
    bot.use(async (_ctx, next) => {
      const stopTimer = latency.startTimer({ platform: 'telegram' });
      try {
        await next();
        updates.inc({ platform: 'telegram', outcome: 'ok' });
      } catch (err) {
        updates.inc({ platform: 'telegram', outcome: 'error' });
        throw err;
      } finally {
        stopTimer();
      }
    });
  }

  /** Telegram chat administrators are book admins; asked once per 10 minutes per person. */
  async function isAdmin(ctx: Context, m: Message): Promise<boolean> {
    if (m.chat.type === 'private' || !m.from) return false;
    const key = `${m.chat.id}:${m.from.id}`;
    const hit = admins.get(key);
    if (hit !== undefined) return hit;
    try {
      const cm = await ctx.api.getChatMember(m.chat.id, m.from.id);
      const admin = cm.status === 'administrator' || cm.status === 'creator';
      admins.set(key, admin);
      return admin;
    } catch (err) {
      deps.logger.warn({ err: String(err) }, 'getChatMember failed');
      return false;
    }
  }

  const send = (ctx: Context, r: Reply, replyTo?: number): Promise<void> => sendReply(ctx.api, ctx.chat!.id, r, replyTo);

  async function attachment(m: Message): Promise<{ name: string; content: Buffer } | undefined> {
    if (!m.document) return undefined;
    const file = await bot.api.getFile(m.document.file_id);
    if (!file.file_path) return undefined;
    const content = deps.fetchFile
      ? await deps.fetchFile(file.file_path)
      : Buffer.from(await (await fetch(`${deps.apiRoot}/file/bot${deps.token}/${file.file_path}`)).arrayBuffer());
    return { name: m.document.file_name ?? 'file', content };
  }

  bot.on(['message:text', 'message:caption'], async (ctx) => {
    const m = ctx.message;
    if (!m.from || m.from.is_bot) return;
    const text = m.text ?? m.caption ?? '';
    const replies = await deps.dispatcher.handleMessage({
      chat: chatRef(m),
      from: identity(m.from),
      platformAdmin: await isAdmin(ctx, m),
      text,
      updateKey: `tg:${bot.botInfo.id}:${ctx.update.update_id}`,
      addressedToBot: m.reply_to_message?.from?.id === bot.botInfo.id,
      attachment: text.startsWith('/import') ? await attachment(m) : undefined,
    });
    const replyTo = m.chat.type === 'private' ? undefined : m.message_id;
    for (const r of replies) await send(ctx, r, replyTo);
  });

  bot.on('callback_query:data', async (ctx) => {
    const q = ctx.callbackQuery;
    const m = q.message;
    if (!m) return void (await ctx.answerCallbackQuery());
    const res = await deps.dispatcher.handleAction({
      chat: chatRef(m as Message),
      from: identity(q.from),
      platformAdmin: await isAdmin(ctx, { ...(m as Message), from: q.from }),
      action: q.data,
      updateKey: `tg:${bot.botInfo.id}:${ctx.update.update_id}`,
    });
    const [first, ...rest] = res.replies;
    if (first?.ephemeral) {
      await ctx.answerCallbackQuery({ text: first.text.slice(0, 200), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    if (first && res.replaces) {
      await ctx.editMessageText(replyHtml(first), { parse_mode: 'HTML', ...(keyboard(first) ? { reply_markup: keyboard(first)! } : {}) });
    } else if (first) await send(ctx, first);
    for (const r of rest) await send(ctx, r);
  });

  // The error boundary: a failure in one update is logged (without secrets) and never stops the bot.
  bot.catch((err) => {
    deps.logger.error({ err: String(err.error).split(deps.token).join('[redacted]'), update: (err.ctx.update as Update).update_id }, 'telegram update failed');
  });
  return bot;
}

/**
 * Publishes the command list from the registry (`setMyCommands`), so it never drifts: English
 * for everyone, Russian for users whose Telegram speaks Russian.
 */
export async function publishCommands(bot: Bot, registry: Registry): Promise<void> {
  const list = (lang: Language) =>
    registry.commands.map((c) => ({ command: c.name, description: describeCommand(lang, c.name, c.description).slice(0, 256) }));
  await bot.api.setMyCommands(list('en'));
  await bot.api.setMyCommands(list('ru'), { language_code: 'ru' });
}

export type TelegramMode = { kind: 'polling' } | { kind: 'webhook'; url: string; secret: string };

/**
 * Starts receiving updates. Polling uses @grammyjs/runner (concurrent, per-chat sequential);
 * webhook mode registers the URL and leaves delivery to the HTTP server's route.
 * Returns a stop function that finishes the updates in hand.
 */
export async function startTelegram(bot: Bot, registry: Registry, mode: TelegramMode): Promise<() => Promise<void>> {
  await bot.init();
  await publishCommands(bot, registry);
  if (mode.kind === 'webhook') {
    await bot.api.setWebhook(mode.url, { secret_token: mode.secret, allowed_updates: ['message', 'callback_query'] });
    return async () => {};
  }
  await bot.api.deleteWebhook();
  const handle: RunnerHandle = run(bot, { runner: { fetch: { allowed_updates: ['message', 'callback_query'] } } });
  return async () => {
    if (handle.isRunning()) await handle.stop();
    // The runner's stop ends fetching only; the updates in hand still run (a reply may be
    // waiting out a 429). Wait for them, within the time a container's stop allows.
    const until = Date.now() + DRAIN_MS;
    while (handle.size() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  };
}

/** How long a stop waits for the updates in hand (docker stops after 10 s by default). */
const DRAIN_MS = 8_000;
