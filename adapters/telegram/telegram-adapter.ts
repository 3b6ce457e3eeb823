import { Api, Bot, GrammyError, HttpError } from 'grammy';
import type { Message, Update, UserFromGetMe } from 'grammy/types';
import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import type { Logger } from 'pino';
import type { Metrics } from '../../app/metrics.js';
import type { Dispatcher } from '../../bot/dispatcher.js';
import type { Registry } from '../../bot/registry.js';
import { describeCommand } from '../../bot/i18n/index.js';
import type { Language } from '../../domain/types.js';
import type { ChatRef, IdentityRef } from '../../domain/ports.js';
import type { ApplyScope, ApplyUpdate, ChatJournal, HeldUpdate, QueuedReply } from '../../bot/chat-journal.js';
import { createInboxApplier, type InboxApplier, type UpdateTiming } from '../../bot/inbox-applier.js';
import { createHoldGroup } from '../../bot/hold-group.js';
import { createReplySender, type DeliveryFailure, type ReplySender } from '../../bot/reply-sender.js';
import type { Coalesced } from '../../bot/coalesce.js';
import { keyboard, replyHtml, sendReply } from './render.js';
import { botApiFetch } from './bot-api-fetch.js';
import { chatGone } from './chat-gone.js';
import { TtlCache } from '../../bot/ttl-cache.js';
import { DEFAULT_GATHER_MS, startPolling } from './telegram-polling.js';
import { withDbRetry } from '../../drizzle/transient.js';
import { mentionsCoin } from '../../bot/dispatcher.js';
import { RECEIPT_LIMITS } from '../../domain/receipts/image-file.js';

export interface TelegramDeps {
  token: string;
  apiRoot: string;
  dispatcher: Dispatcher;
  registry: Registry;
  logger: Logger;
  /** The inbox and reply outbox (issue 12): every update is held there before it is confirmed. */
  journal: ChatJournal;
  /** Skips `getMe` (tests and webhook mode may know it already). */
  botInfo?: UserFromGetMe;
  /** Outbound throttling within Telegram's limits; off in benchmarks against the local double. */
  throttle?: boolean;
  /** Downloads an attached file (`/import`); defaults to the Bot API file endpoint. */
  fetchFile?: (filePath: string) => Promise<Buffer>;
  metrics?: Metrics;
  /** Transactions applying updates at once (database connections in use); default 2. */
  concurrency?: number;
  /** How many chats, and updates of each, one transaction may apply (defaults 32 and 10; 1 and 1 is one update per transaction). */
  batch?: { chats?: number; perChat?: number };
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
 * `/command@otherbot` is meant for another bot in the group: COIN leaves it alone. The suffix is
 * compared with COIN's own username case-insensitively (`/spend@CoinBot` is COIN's).
 */
export function addressedToOtherBot(text: string, ownUsername: string): boolean {
  const m = /^\/[A-Za-z0-9_]+@([A-Za-z0-9_]+)/.exec(text.trim());
  return !!m && m[1]!.toLowerCase() !== ownUsername.toLowerCase();
}

/** A photo, or an image or PDF sent as a file: a receipt COIN may read. */
const isPicture = (m: Message): boolean => Boolean(m.photo?.length) || /^image\/|^application\/pdf$/.test(m.document?.mime_type ?? '');

/** The chat an update belongs to (its unit of ordering), or undefined for kinds COIN ignores. */
function chatOf(u: Update): number | undefined {
  return u.message?.chat.id ?? u.callback_query?.message?.chat.id ?? (u.callback_query ? u.callback_query.from.id : undefined);
}

/** A delivered update as the inbox holds it. */
export const heldUpdate = (botId: number, u: Update): HeldUpdate => ({
  key: `tg:${botId}:${u.update_id}`,
  chatKey: `telegram:${chatOf(u) ?? 0}`,
  seq: u.update_id,
  payload: u,
});

/**
 * What a delivery failure means: 429 waits `retry_after`; a chat that blocked or removed the bot
 * is unreachable (marked, nothing more sent); a bad message is final.
 */
export function classifyTelegramFailure(err: unknown): DeliveryFailure {
  if (err instanceof GrammyError) {
    if (err.error_code === 429) return { retryAfterMs: (err.parameters.retry_after ?? 1) * 1000 };
    if (chatGone(err)) return { unreachable: err.description };
    if (err.error_code === 400 && !/message is not modified/i.test(err.description)) return { permanent: err.description };
    if (err.error_code === 400) return { permanent: 'not modified' };
    return {};
  }
  if (err instanceof HttpError) return {};
  return {};
}

/** The COIN Telegram bot: grammY's client plus the durable intake and reply path. */
export interface TelegramBot {
  bot: Bot;
  /** Holds one webhook update (the route answers 200 only after this resolves), then applies it. */
  receive(update: Update): Promise<void>;
  /** Holds a getUpdates batch in one statement, then applies it. */
  receiveBatch(updates: Update[]): Promise<void>;
  applier: InboxApplier;
  sender: ReplySender;
  logger: Logger;
}

/**
 * The COIN bot on grammY. Updates are held in the inbox before they are confirmed (polling: before
 * the next getUpdates offset; webhook: before the 200), applied there one chat at a time through
 * the dispatcher in one transaction with their replies, and the replies delivered from the outbox.
 */
export function createTelegramBot(deps: TelegramDeps): TelegramBot {
  const client = { apiRoot: deps.apiRoot, fetch: botApiFetch() as never };
  const bot = new Bot(deps.token, { client, ...(deps.botInfo ? { botInfo: deps.botInfo } : {}) });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60, rethrowHttpErrors: false }));
  // Replies go through an Api of their own: throttled to Telegram's limits (1/s per chat, 20/min
  // per group, 30/s overall), and a 429 is not slept on in memory but given back to the outbox.
  const replyApi = new Api(deps.token, client);
  if (deps.throttle !== false) replyApi.config.use(apiThrottler());
  const admins = new TtlCache<boolean>(10 * 60_000, 10_000);

  /** Telegram chat administrators are book admins; asked once per 10 minutes per person. */
  async function isAdmin(chat: Message['chat'], userId: number): Promise<boolean> {
    if (chat.type === 'private') return false;
    const key = `${chat.id}:${userId}`;
    const hit = admins.get(key);
    if (hit !== undefined) return hit;
    try {
      const cm = await bot.api.getChatMember(chat.id, userId);
      const admin = cm.status === 'administrator' || cm.status === 'creator';
      admins.set(key, admin);
      return admin;
    } catch (err) {
      deps.logger.warn({ err: String(err) }, 'getChatMember failed');
      return false;
    }
  }

  async function download(fileId: string, name: string): Promise<{ name: string; content: Buffer } | undefined> {
    const file = await bot.api.getFile(fileId);
    if (!file.file_path) return undefined;
    const content = deps.fetchFile
      ? await deps.fetchFile(file.file_path)
      : Buffer.from(await (await fetch(`${deps.apiRoot}/file/bot${deps.token}/${file.file_path}`)).arrayBuffer());
    return { name, content };
  }

  const attachment = (m: Message) => (m.document ? download(m.document.file_id, m.document.file_name ?? 'file') : Promise.resolve(undefined));

  /**
   * A receipt photo (issue 18): the largest size of a photo within the limit, or an image or PDF
   * sent as a file. Only fetched when COIN is asked to read it (private chat, a caption naming
   * COIN, a reply to the bot); a file over the limit is not fetched (the checks answer it).
   */
  async function receiptPhoto(m: Message, text: string): Promise<{ name: string; content: Buffer; bytes?: number | undefined } | undefined> {
    if (m.chat.type !== 'private' && !mentionsCoin(text) && m.reply_to_message?.from?.id !== bot.botInfo.id) return undefined;
    return pictureOf(m);
  }

  /** The picture of a message (a photo's largest size within the limit, or an image or PDF file). */
  async function pictureOf(m: Message): Promise<{ name: string; content: Buffer; bytes?: number | undefined } | undefined> {
    const max = RECEIPT_LIMITS.maxBytes;
    const tooLarge = (name: string, bytes: number | undefined) => ({ name, content: Buffer.alloc(0), bytes });
    if (m.photo?.length) {
      const fits = m.photo.filter((p) => (p.file_size ?? 0) <= max).sort((a, b) => b.width * b.height - a.width * a.height)[0];
      return fits ? download(fits.file_id, 'photo.jpg') : tooLarge('photo.jpg', m.photo.at(-1)?.file_size);
    }
    const d = m.document;
    if (!d || !isPicture(m)) return undefined;
    return (d.file_size ?? 0) > max ? tooLarge(d.file_name ?? 'file', d.file_size) : download(d.file_id, d.file_name ?? 'file');
  }

  /** The dispatcher bound to a transaction's store, made once per transaction (a batch shares one). */
  const bound = new WeakMap<object, Dispatcher>();
  const within = (store: ApplyScope['store']): Dispatcher => {
    let d = bound.get(store);
    if (!d) bound.set(store, (d = deps.dispatcher.within(store)));
    return d;
  };

  /** One update inside its transaction: the dispatcher on the transaction's store, replies to the outbox. */
  const applyInner: ApplyUpdate = async (held, scope) => {
    const u = held.payload as Update;
    const d = within(scope.store);
    const out = (chatId: number, r: QueuedReply['reply'], extra: Partial<QueuedReply> = {}) =>
      scope.reply({ platform: 'telegram', chatId: String(chatId), reply: r, ...extra });
    if (u.message) {
      const m = u.message;
      // A picture is a receipt to read; another file sent in a private chat without a caption is an import (a bank statement).
      const text = m.text ?? m.caption ?? (isPicture(m) ? '' : m.document && m.chat.type === 'private' ? '/import' : undefined);
      if (text === undefined || !m.from || m.from.is_bot) return;
      if (addressedToOtherBot(text, bot.botInfo.username)) return;
      const replies = await d.handleMessage({
        chat: chatRef(m),
        from: identity(m.from),
        platformAdmin: await isAdmin(m.chat, m.from.id),
        deliveryKey: held.key,
        sentAt: m.date * 1000,
        text,
        addressedToBot: m.reply_to_message?.from?.id === bot.botInfo.id,
        // `/receipt read` as a photo's caption is the photo sent to be read (as on Discord).
        attachment: text.startsWith('/import') ? await attachment(m) : /^\/receipt(@\w+)?\s+read\b/i.test(text) ? await pictureOf(m) : undefined,
        photo: !text.startsWith('/') && isPicture(m) ? await receiptPhoto(m, text) : undefined,
      });
      const replyTo = m.chat.type === 'private' ? undefined : m.message_id;
      for (const r of replies) out(m.chat.id, r, { replyTo });
      return;
    }
    const q = u.callback_query;
    if (!q?.data) return q ? () => bot.api.answerCallbackQuery(q.id).then(() => undefined) : undefined;
    const m = q.message as Message | undefined;
    if (!m) return () => bot.api.answerCallbackQuery(q.id).then(() => undefined);
    const res = await d.handleAction({
      chat: chatRef(m),
      from: identity(q.from),
      platformAdmin: await isAdmin(m.chat, q.from.id),
      deliveryKey: held.key,
      action: q.data,
    });
    const [first, ...rest] = res.replies;
    // Answering the press is part of the conversation, not of the record: it follows the commit.
    if (first?.ephemeral) return () => bot.api.answerCallbackQuery(q.id, { text: first.text.slice(0, 200), show_alert: true }).then(() => undefined);
    if (first && res.replaces) out(m.chat.id, first, { editMessageId: m.message_id });
    else if (first) out(m.chat.id, first);
    for (const r of rest) out(m.chat.id, r);
    return () => bot.api.answerCallbackQuery(q.id).then(() => undefined);
  };

  const apply: ApplyUpdate = deps.metrics
    ? async (held, scope) => {
        try {
          const after = await applyInner(held, scope);
          deps.metrics!.updates.inc({ platform: 'telegram', outcome: 'ok' });
          return after;
        } catch (err) {
          deps.metrics!.updates.inc({ platform: 'telegram', outcome: 'error' });
          throw err;
        }
      }
    : applyInner;
  // Where an update's time goes (app/metrics.ts): received → held → its batch began → committed,
  // and a committed reply → delivered.
  const m = deps.metrics;
  const timing = m
    ? (t: UpdateTiming) => {
        const s = (ms: number) => Math.max(0, ms) / 1000;
        m.stage.observe({ platform: 'telegram', stage: 'hold' }, s(t.heldAt - t.receivedAt));
        m.stage.observe({ platform: 'telegram', stage: 'wait' }, s(t.startedAt - t.heldAt));
        m.stage.observe({ platform: 'telegram', stage: 'apply' }, s(t.committedAt - t.startedAt));
        m.latency.observe({ platform: 'telegram' }, s(t.committedAt - t.receivedAt));
      }
    : undefined;
  const onDelivered = m ? (ms: number) => m.replyWait.observe({ platform: 'telegram' }, ms / 1000) : undefined;

  // A failure that is not the database's (a bug, bad data) is answered and the update settled.
  const onFailure = (held: HeldUpdate, err: unknown): QueuedReply[] => {
    const u = held.payload as Update;
    const from = u.message?.from ?? u.callback_query?.from;
    const chatId = chatOf(u);
    deps.logger.error({ err: String(err).split(deps.token).join('[redacted]'), update: u.update_id }, 'telegram update failed');
    if (chatId === undefined || !from || from.is_bot) return [];
    const replies = deps.dispatcher.failureReplies(err, from.language_code, { update: u.update_id });
    return replies.map((reply) => ({ platform: 'telegram', chatId: String(chatId), reply }));
  };

  async function deliver(chatId: string, msg: Coalesced): Promise<void> {
    if (msg.editMessageId !== undefined) {
      const markup = keyboard(msg.reply);
      await replyApi.editMessageText(chatId, msg.editMessageId, replyHtml(msg.reply), { parse_mode: 'HTML', ...(markup ? { reply_markup: markup } : {}) });
      return;
    }
    await sendReply(replyApi, chatId, msg.reply, msg.replyTo);
  }

  const sender = createReplySender({ journal: deps.journal, platform: 'telegram', deliver, classify: classifyTelegramFailure, logger: deps.logger, onDelivered });
  const applier = createInboxApplier({ journal: deps.journal, apply, onFailure, sender, logger: deps.logger, concurrency: deps.concurrency, batchChats: deps.batch?.chats, perChat: deps.batch?.perChat, timing });

  // Webhook requests arrive one update each: those that come while a hold is being written are
  // held together in the next one (group commit), and applied as one batch.
  const holds = createHoldGroup<HeldUpdate>(async (held) => {
    await withDbRetry(() => deps.journal.hold(held), { budgetMs: 5000 });
    applier.enqueue(held);
  });

  return {
    bot,
    applier,
    sender,
    logger: deps.logger,
    /** One update (webhook): resolves once it is held in the inbox; throws when it could not be. */
    receive(update: Update) {
      return holds.hold({ ...heldUpdate(bot.botInfo.id, update), receivedAt: performance.now() });
    },
    async receiveBatch(updates: Update[]) {
      const receivedAt = performance.now();
      const held = updates.map((u) => ({ ...heldUpdate(bot.botInfo.id, u), receivedAt }));
      await deps.journal.hold(held);
      applier.enqueue(held);
    },
  };
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

/**
 * `gatherMs` (default 20 ms; 0: none): while updates keep coming, how long they gather before the
 * next batch — polling waits this long between getUpdates calls (`PollingDeps`), webhook mode
 * between the starts of two batches (`InboxApplier.gather`).
 */
export type TelegramMode = { kind: 'polling'; gatherMs?: number } | { kind: 'webhook'; url: string; secret: string; gatherMs?: number };

/** Time a stop may take in all (SIGTERM to exit within 10 s): fetching, applying, replies. */
export const STOP_BUDGET_MS = 8000;

/**
 * Starts receiving updates. Polling: a getUpdates loop that holds each batch in the inbox before
 * the next call confirms it; webhook mode registers the URL and leaves delivery to the route.
 * Returns a stop function: fetching stops, each chat finishes its update in hand, replies in hand
 * are sent; whatever remains is in the inbox/outbox for the next start (docs/durability.md).
 */
export async function startTelegram(tb: TelegramBot, registry: Registry, mode: TelegramMode): Promise<() => Promise<void>> {
  const { bot } = tb;
  await bot.init();
  await publishCommands(bot, registry);
  let stopPolling: () => Promise<void> = async () => {};
  if (mode.kind === 'webhook') {
    tb.applier.gather(mode.gatherMs ?? DEFAULT_GATHER_MS);
    await bot.api.setWebhook(mode.url, { secret_token: mode.secret, allowed_updates: ['message', 'callback_query'] });
  } else {
    await bot.api.deleteWebhook();
    stopPolling = startPolling(bot, {
      hold: (us) => tb.receiveBatch(us),
      backlog: () => tb.applier.backlog,
      gatherMs: mode.gatherMs,
      onError: (err, where) => tb.logger.warn({ err: String(err).split(bot.token).join('[redacted]'), where }, 'telegram intake retrying'),
    });
  }
  void tb.applier.sweepNow().catch(() => undefined);
  return async () => {
    const t0 = Date.now();
    await stopPolling();
    tb.logger.info({ updatesInHand: tb.applier.backlog, repliesInHand: tb.sender.pending }, 'telegram stopping: fetching stopped');
    const left = await tb.applier.stop(Math.max(500, STOP_BUDGET_MS / 2 - (Date.now() - t0)));
    await tb.sender.drain(Math.max(500, STOP_BUDGET_MS - (Date.now() - t0)));
    // What is left is durable: updates in the inbox, replies in the outbox (the next start sends them).
    tb.logger.info({ updatesLeftInInbox: left, repliesLeftInOutbox: tb.sender.pending, ms: Date.now() - t0 }, 'telegram stopped');
  };
}

