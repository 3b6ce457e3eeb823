import type { Platform } from '../domain/types.js';
import { RateLimited, type OutboundMessage, type Outbox } from './notifier.js';
import { OUTBOUND_ATTEMPTS, PLATFORM_LIMITS, backoffMs, deliver, type DeliverDeps, type DeliveryOutcome } from './outbound.js';

export interface InProcessOutbox extends Outbox {
  /** Resolves when nothing is waiting or being sent. */
  idle(): Promise<void>;
  /** Stops taking messages, lets queued ones go out for up to `drainMs`, then drops the rest. */
  close(drainMs?: number): Promise<void>;
}

export interface InProcessOutboxOptions extends DeliverDeps {
  /** Told about every finished message (tests, metrics). */
  onOutcome?: (msg: OutboundMessage, outcome: DeliveryOutcome | 'failed') => void;
  attempts?: number;
  backoff?: (attemptsMade: number) => number;
}

/**
 * The outbound queue without Redis (REDIS_URL unset): the same `deliver`, the same retries with
 * exponential backoff and the same platform and per-chat rates, kept in memory. Messages still
 * waiting when the process exits are lost; that is the price of running without Redis.
 */
export function createInProcessOutbox(opts: InProcessOutboxOptions): InProcessOutbox {
  const attempts = opts.attempts ?? OUTBOUND_ATTEMPTS;
  const backoff = opts.backoff ?? backoffMs;
  const nextInChat = new Map<string, number>();
  /**
   * How far each chat's messages were moved on by 429s (ms, a running total). A message waiting
   * for its slot when an earlier one of its chat is held by a 429 moves on by as much, so the chat
   * still reads them in order, a chat gap apart.
   */
  const shiftOf = new Map<string, number>();
  const chatKeyOf = (msg: OutboundMessage) => `${msg.platform}:${msg.chatId}`;
  const gapOf = (msg: OutboundMessage) => PLATFORM_LIMITS[msg.platform].chatGapMs(msg.chatId);
  const nextOnPlatform = new Map<Platform, number>();
  const seenKeys = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let closed = false;
  let waiters: (() => void)[] = [];

  const settle = () => {
    if (timers.size === 0 && inFlight === 0) {
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    }
  };

  /** The earliest moment this message may go in its chat, reserved so the chat's next one waits its turn. */
  function reserve(msg: OutboundMessage, notBefore: number): number {
    const chatKey = chatKeyOf(msg);
    const slot = Math.max(notBefore, nextInChat.get(chatKey) ?? 0);
    nextInChat.set(chatKey, slot + gapOf(msg));
    if (nextInChat.size > 10_000)
      for (const [k, t] of nextInChat)
        if (t < Date.now()) {
          nextInChat.delete(k);
          shiftOf.delete(k);
        }
    return slot;
  }

  /**
   * How long a message whose chat slot has come still waits for the platform's overall rate.
   * Taken when it is due, not when queued, so a chat's far-off slot never holds up other chats.
   */
  function platformWait(platform: Platform): number {
    const now = Date.now();
    const free = Math.max(now, nextOnPlatform.get(platform) ?? 0);
    nextOnPlatform.set(platform, free + Math.ceil(1000 / PLATFORM_LIMITS[platform].perSecond));
    return free - now;
  }

  function schedule(msg: OutboundMessage, attemptsMade: number, notBefore: number): void {
    wake(msg, attemptsMade, reserve(msg, notBefore), shiftOf.get(chatKeyOf(msg)) ?? 0);
  }

  /** Runs the message at its slot; `shift` is its chat's shift when the slot was given. */
  function wake(msg: OutboundMessage, attemptsMade: number, slot: number, shift: number): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      // An earlier message of the chat was held by a 429 meanwhile: this one moves on as far.
      const moved = (shiftOf.get(chatKeyOf(msg)) ?? 0) - shift;
      if (moved > 0) wake(msg, attemptsMade, slot + moved, shift + moved);
      else void run(msg, attemptsMade, slot);
    }, Math.max(0, slot - Date.now()));
    timers.add(timer);
  }

  async function run(msg: OutboundMessage, attemptsMade: number, slot: number): Promise<void> {
    inFlight++;
    try {
      const wait = platformWait(msg.platform);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // Not inside `onOutcome?.(…)`: an optional call skips evaluating its arguments.
      const outcome = await deliver(msg, opts);
      opts.onOutcome?.(msg, outcome);
    } catch (err) {
      if (err instanceof RateLimited && !closed) {
        // The platform said when: not a failed attempt. The chat's later messages, those already
        // given a slot and those to come, move on by as much as this one, so they keep their order.
        const at = Date.now() + err.retryAfterMs;
        const chatKey = chatKeyOf(msg);
        const moved = Math.max(0, at - slot);
        const shift = (shiftOf.get(chatKey) ?? 0) + moved;
        shiftOf.set(chatKey, shift);
        nextInChat.set(chatKey, Math.max((nextInChat.get(chatKey) ?? 0) + moved, at + gapOf(msg)));
        wake(msg, attemptsMade, at, shift);
        return;
      }
      const made = attemptsMade + 1;
      if (made < attempts && !closed) {
        opts.logger.warn({ platform: msg.platform, chat: msg.chatId, attempt: made, err: String(err) }, 'outbound message failed; will retry');
        schedule(msg, made, Date.now() + backoff(made));
      } else {
        opts.logger.error({ platform: msg.platform, chat: msg.chatId, attempts: made, err: String(err) }, 'outbound message failed for good');
        opts.onOutcome?.(msg, 'failed');
      }
    } finally {
      inFlight--;
      settle();
    }
  }

  return {
    async send(msg) {
      if (closed) {
        opts.logger.warn({ platform: msg.platform, chat: msg.chatId }, 'outbound queue closed; message dropped');
        return;
      }
      if (msg.key) {
        if (seenKeys.has(msg.key)) return;
        seenKeys.add(msg.key);
        if (seenKeys.size > 50_000) seenKeys.clear();
      }
      schedule(msg, 0, Date.now());
    },
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      }),
    async close(drainMs = 5_000) {
      closed = true;
      let timeout: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        new Promise<boolean>((resolve) => {
          waiters.push(() => resolve(true));
          settle();
        }),
        new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(false), drainMs))),
      ]);
      clearTimeout(timeout);
      if (!drained) {
        if (timers.size) opts.logger.warn({ dropped: timers.size }, 'outbound queue closed with messages still waiting');
        timers.forEach((t) => clearTimeout(t));
        timers.clear();
        while (inFlight > 0) await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
