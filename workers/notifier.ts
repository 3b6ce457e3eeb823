import type { ChartSpec } from '../bot/presentation/chart-types.js';
import type { Reply } from '../bot/reply.js';
import type { Platform } from '../domain/types.js';

/** What became of one message. */
export type DeliveryResult = 'sent' | 'blocked';

/**
 * Sends a reply to a chat on its platform, outside any conversation (template applied, budget
 * alert). Resolves `'blocked'` when the chat can never receive from the bot again (blocked,
 * kicked, deleted); throws `Undeliverable` for a message the platform refuses for good (bad
 * markup, too long); throws `RateLimited` when the platform asks to wait (429); throws anything
 * else for a failure worth retrying (network, 5xx).
 */
export interface Notifier {
  send(platform: Platform, chatId: string, reply: Reply): Promise<DeliveryResult>;
}

/** A message the platform will never accept as it is; retrying cannot help. */
export class Undeliverable extends Error {
  override readonly name = 'Undeliverable';
}

/**
 * The platform asks to wait (Telegram 429 `parameters.retry_after`, Discord 429 `Retry-After` /
 * `X-RateLimit-Reset-After`): the queue holds the message (and its chat) that long and tries
 * again, without counting it as a failed attempt.
 */
export class RateLimited extends Error {
  override readonly name = 'RateLimited';
  constructor(
    message: string,
    /** How long to wait before the next try, in milliseconds. */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** One notifier per platform; a platform without one (no token configured) is undeliverable. */
export function routeNotifier(byPlatform: Partial<Record<Platform, Notifier>>): Notifier {
  return {
    async send(platform, chatId, reply) {
      const n = byPlatform[platform];
      if (!n) throw new Undeliverable(`no ${platform} notifier configured`);
      return n.send(platform, chatId, reply);
    },
  };
}

/** A queued message: where it goes and what it says. JSON-safe (files travel as base64). */
export interface OutboundMessage {
  platform: Platform;
  chatId: string;
  reply: WireReply;
  /** Idempotency key: a message with a key already queued or sent is not queued again. */
  key?: string | undefined;
}

/** `Reply` with its binary parts as base64, for queues that store JSON. */
export interface WireReply extends Omit<Reply, 'image' | 'file'> {
  image?: { name: string; png: string; alt: string };
  file?: { name: string; content: string; mime: string };
  /**
   * A chart drawn by the outbound worker just before sending (the digest): the kept message
   * stays a small spec, and the drawing happens at the platform's pace, not in the sweep. When it
   * cannot be drawn the message goes as text.
   */
  chart?: { spec: ChartSpec; name: string; alt: string };
}

export function toWire(r: Reply): WireReply {
  const { image, file, ...rest } = r;
  const w: WireReply = { ...rest };
  if (image) w.image = { name: image.name, alt: image.alt, png: image.png.toString('base64') };
  if (file) w.file = { name: file.name, mime: file.mime, content: file.content.toString('base64') };
  return w;
}

export function fromWire(w: WireReply): Reply {
  const { image, file, chart: _chart, ...rest } = w;
  const r: Reply = { ...rest };
  if (image) r.image = { name: image.name, alt: image.alt, png: Buffer.from(image.png, 'base64') };
  if (file) r.file = { name: file.name, mime: file.mime, content: Buffer.from(file.content, 'base64') };
  return r;
}

/** Builds a queued message from a reply. */
export const outbound = (platform: Platform, chatId: string, reply: Reply, key?: string): OutboundMessage => ({
  platform,
  chatId,
  reply: toWire(reply),
  key,
});

/** Where queued messages go: BullMQ (`outbound-<platform>` queues) or the in-process queue. */
export interface Outbox {
  send(msg: OutboundMessage): Promise<void>;
  /** Queues several at once (one round trip), all or none; optional. */
  sendMany?(msgs: readonly OutboundMessage[]): Promise<void>;
}
