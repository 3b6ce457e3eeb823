import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { NoticeOutboxStore, PendingNotice } from '../drizzle/store/notice-outbox-store.js';
import type { OutboundMessage, Outbox } from './notifier.js';

/** How often a relay looks for kept messages it was not told about (other processes', retries). */
export const DEFAULT_RELAY_INTERVAL_MS = 1_000;
/** Messages relayed per transaction. */
const RELAY_BATCH = 200;
/** Relayed messages are remembered this long (a key written again within it is not sent again). */
const KEEP_RELAYED_MS = 24 * 3600_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * The outbox every role queues notifications into (budget alerts for API records, template
 * alerts): a row in PostgreSQL (`notice_outbox`), nothing else, so queueing never waits on Redis
 * and a message is durable once `send` resolves. A relay moves the rows on to the outbound queue;
 * `kick` tells this process's relay there is something to move. A message without a key gets
 * one, so the relay can hand it over more than once (a crash before its commit) and it still goes
 * out once.
 */
export function durableOutbox(store: Pick<NoticeOutboxStore, 'keep'>, kick: () => void = () => {}): Outbox {
  return {
    async send(msg: OutboundMessage) {
      const key = msg.key ?? `msg-${randomUUID()}`;
      await store.keep([{ key, platform: msg.platform, chatId: msg.chatId, message: { ...msg, key } }]);
      kick();
    },
  };
}

export interface NoticeRelay {
  /** Relay now (coalesced with a run in progress). */
  kick(): void;
  /** Relays everything due now; resolves how many messages were handed over. */
  drain(): Promise<number>;
  /** Stops the timer and waits for a run in progress. */
  close(): Promise<void>;
}

export interface NoticeRelayOptions {
  store: NoticeOutboxStore;
  /** Where messages go: the BullMQ outbox (throws while Redis is down) or the in-process one. */
  target: Outbox;
  logger: Logger;
  /** Default {@link DEFAULT_RELAY_INTERVAL_MS}. */
  intervalMs?: number;
  /**
   * Whether `target` can take messages now (Redis connected); while it cannot, nothing is
   * claimed (no backoff piles up) and the caller kicks the relay when it can again.
   */
  ready?: () => boolean;
}

/**
 * Moves kept messages from PostgreSQL to the outbound queue, in every process that has an outbox:
 * claims a batch with SKIP LOCKED, hands each message over (BullMQ job id = its key, so a second
 * hand-over of the same message is ignored by BullMQ), marks the handed ones relayed and puts the
 * rest back with a backoff (Redis down: they wait in PostgreSQL and go when it is back).
 */
export function startNoticeRelay(opts: NoticeRelayOptions): NoticeRelay {
  const interval = opts.intervalMs ?? DEFAULT_RELAY_INTERVAL_MS;
  let running: Promise<number> | undefined;
  let again = false;
  let closed = false;
  let lastPrune = 0;
  let warned = false;

  const handOver = async (rows: PendingNotice[]): Promise<Set<number>> => {
    const done = new Set<number>();
    if (opts.target.sendMany) {
      try {
        await opts.target.sendMany(rows.map((r) => r.message as OutboundMessage));
        rows.forEach((r) => done.add(r.id));
        if (warned) opts.logger.info('outbound queue takes notices again');
        warned = false;
      } catch (err) {
        if (!warned) opts.logger.warn({ err: String(err), pending: rows.length }, 'notices kept in PostgreSQL until the outbound queue takes them');
        warned = true;
      }
      return done;
    }
    for (const r of rows) {
      try {
        await opts.target.send(r.message as OutboundMessage);
        done.add(r.id);
      } catch (err) {
        if (!warned) opts.logger.warn({ err: String(err), pending: rows.length }, 'notices kept in PostgreSQL until the outbound queue takes them');
        warned = true;
        // The queue is unreachable: the rest of the batch would fail the same way.
        break;
      }
    }
    if (done.size === rows.length && warned) {
      warned = false;
      opts.logger.info('outbound queue takes notices again');
    }
    return done;
  };

  async function runOnce(): Promise<number> {
    let total = 0;
    if (opts.ready && !opts.ready()) return 0;
    for (;;) {
      const claimed = await opts.store.relay(RELAY_BATCH, async (rows) => {
        const done = await handOver(rows);
        total += done.size;
        return done;
      });
      if (claimed < RELAY_BATCH || warned || closed) break;
    }
    if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = Date.now();
      await opts.store.prune(new Date(Date.now() - KEEP_RELAYED_MS));
    }
    return total;
  }

  const run = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    const p = runOnce()
      .catch((err) => {
        opts.logger.warn({ err: String(err) }, 'notice relay failed; next run retries');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !closed) {
          again = false;
          void run();
        }
      });
    running = p;
    return p;
  };

  const timer = setInterval(() => void run(), interval);
  timer.unref();
  void run();

  return {
    kick: () => void run(),
    async drain() {
      if (running) await running;
      return run();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      if (running) await running;
    },
  };
}
