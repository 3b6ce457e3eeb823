import type { Logger } from 'pino';
import type { Platform } from '../domain/types.js';
import type { DeliveryStore } from '../drizzle/store/chat-delivery-store.js';
import type { ChartRenderer } from '../bot/presentation/chart-types.js';
import type { Reply } from '../bot/reply.js';
import { Undeliverable, fromWire, type Notifier, type OutboundMessage } from './notifier.js';

/**
 * Platform rate limits the outbound queue keeps to (documented limits, with some margin):
 * - Telegram: about 30 messages a second overall; 1 a second in one chat; 20 a minute in a group
 *   (group chat ids are negative), hence 3 s between messages there.
 * - Discord: 50 requests a second per bot; 5 messages per 5 s per channel.
 * `perSecond` is enforced across all workers by BullMQ's queue limiter (one queue per platform),
 * `chatGapMs` by a per-chat slot reserved in Redis (see bullmq-runner.ts) or in memory.
 */
export const PLATFORM_LIMITS: Record<Platform, { perSecond: number; chatGapMs: (chatId: string) => number }> = {
  telegram: { perSecond: 25, chatGapMs: (chatId) => (chatId.startsWith('-') ? 3_000 : 1_000) },
  discord: { perSecond: 40, chatGapMs: () => 1_000 },
  console: { perSecond: 1_000, chatGapMs: () => 0 },
  api: { perSecond: 1_000, chatGapMs: () => 0 },
};

/** Retry policy of a queued message: 8 attempts, exponential from 2 s (about 8.5 minutes in all). */
export const OUTBOUND_ATTEMPTS = 8;
export const OUTBOUND_BACKOFF_MS = 2_000;

/**
 * - `sent`: delivered.
 * - `blocked`: the platform says the chat is gone; the chat is now marked and gets nothing more.
 * - `skipped`: the chat was marked before; nothing was sent.
 * - `undeliverable`: the platform refuses this message for good (or no notifier for it).
 */
export type DeliveryOutcome = 'sent' | 'blocked' | 'skipped' | 'undeliverable';

/** The notice outbox as a delivery sees it: one delivery of a keyed message at a time, once. */
export interface NoticeLease {
  /** `go`: this delivery has it; `done`: sent already; `busy`: another delivery is sending it. */
  claim(key: string): Promise<'go' | 'done' | 'busy'>;
  /** The send failed (to be retried): the next delivery may take it at once. */
  release(key: string): Promise<void>;
  markDone(key: string): Promise<void>;
}

/** Another delivery is sending this message now: this job tries again later (it will find it done). */
export class SendingElsewhere extends Error {
  constructor(key: string) {
    super(`message ${key} is being sent by another delivery`);
    this.name = 'SendingElsewhere';
  }
}

export interface DeliverDeps {
  notifier: Notifier;
  store: DeliveryStore;
  now: () => Date;
  logger: Logger;
  /**
   * Keyed messages already sent (the notice outbox): a job run again (a worker killed after the
   * platform took the message, a relay repeated after Redis came back empty) sends nothing.
   */
  done?: NoticeLease | undefined;
  /** Draws a message's `chart` (the digest's); without it such messages go as text. */
  renderChart?: ChartRenderer | undefined;
  /** Told when a chat turned out blocked or gone (the digests turn its schedule off). */
  onBlocked?: ((platform: OutboundMessage['platform'], chatId: string) => Promise<void>) | undefined;
}

/** The message as the platform gets it: a `chart` drawn into its image (text only when that fails). */
async function replyOf(msg: OutboundMessage, deps: DeliverDeps): Promise<Reply> {
  const reply = fromWire(msg.reply);
  const chart = msg.reply.chart;
  if (!chart || reply.image || !deps.renderChart) return reply;
  try {
    const png = await deps.renderChart(chart.spec);
    if (png) reply.image = { name: chart.name, alt: chart.alt, png };
  } catch (err) {
    deps.logger.warn({ err: String(err), platform: msg.platform, chat: msg.chatId }, 'chart of a notice not drawn; sent as text');
  }
  return reply;
}

/**
 * Delivers one queued message. Throws only for failures worth retrying; the queue decides how
 * often (attempts with backoff) and stops at `blocked`/`undeliverable`.
 */
export async function deliver(msg: OutboundMessage, deps: DeliverDeps): Promise<DeliveryOutcome> {
  if (await deps.store.isChatBlocked(msg.platform, msg.chatId)) return 'skipped';
  const key = deps.done && msg.key ? msg.key : undefined;
  if (key) {
    const lease = await deps.done!.claim(key);
    if (lease === 'done') return 'skipped';
    if (lease === 'busy') throw new SendingElsewhere(key);
  }
  const done = async () => {
    // The platform has it; failing to note that must not make the queue send it again.
    if (key) await deps.done!.markDone(key).catch((err) => deps.logger.error({ err: String(err), key }, 'could not mark a notice sent'));
  };
  try {
    const result = await deps.notifier.send(msg.platform, msg.chatId, await replyOf(msg, deps));
    await done();
    if (result === 'blocked') {
      await deps.store.markChatBlocked(msg.platform, msg.chatId, deps.now());
      deps.logger.warn({ platform: msg.platform, chat: msg.chatId }, 'chat blocked the bot; marked, nothing more is sent there');
      await deps.onBlocked?.(msg.platform, msg.chatId).catch((err) => deps.logger.error({ err: String(err), chat: msg.chatId }, 'could not turn off the digests of a blocked chat'));
      return 'blocked';
    }
    return 'sent';
  } catch (err) {
    if (err instanceof Undeliverable) {
      await done();
      deps.logger.error({ platform: msg.platform, chat: msg.chatId, err: err.message }, 'message refused by the platform; dropped');
      return 'undeliverable';
    }
    // To be retried (or held by a rate limit): the next delivery of it may take it at once.
    if (key) await deps.done!.release(key).catch((err2) => deps.logger.warn({ err: String(err2), key }, 'could not release a notice'));
    throw err;
  }
}

/** Exponential backoff of the in-process queue, as BullMQ's `{ type: 'exponential', delay }`. */
export const backoffMs = (attemptsMade: number): number => OUTBOUND_BACKOFF_MS * 2 ** Math.max(0, attemptsMade - 1);
