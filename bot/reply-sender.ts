import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Platform } from '../domain/types.js';
import type { ChatJournal, PendingReply } from './chat-journal.js';
import { coalesce, type Coalesced } from './coalesce.js';

/** How a failed delivery is treated. */
export interface DeliveryFailure {
  /** The platform asked to wait this long (Telegram 429 `retry_after`, Discord rate-limit headers). */
  retryAfterMs?: number | undefined;
  /** The platform refuses this message for good (bad markup, an interaction expired): never retried. */
  permanent?: string | undefined;
  /**
   * The chat can no longer receive from the bot (blocked by the user, kicked from the group, DMs
   * closed): the chat is marked, its pending replies settled, its digests turned off.
   */
  unreachable?: string | undefined;
}

export interface ReplySenderDeps {
  journal: Pick<ChatJournal, 'markSent' | 'retryLater' | 'giveUp' | 'renew' | 'takeDue' | 'turn' | 'release' | 'unreachable'>;
  platform: Platform;
  /** Sends one (possibly coalesced) message; throws on failure. */
  deliver(chatId: string, msg: Coalesced): Promise<void>;
  classify(err: unknown): DeliveryFailure;
  logger: Logger;
  /** Chats sending at once (each chat sends one message at a time, in order). Default 64. */
  concurrency?: number;
  /** How often replies nobody holds are looked for (a dead process's, retries due). Default 1 s. */
  sweepMs?: number;
  /** A chat whose updates are still being applied waits at most this long before sending. Default 1 s. */
  lingerMs?: number;
  /** How often the claim on replies held here is extended (the lease is 10 s). Default 3 s. */
  renewMs?: number;
  /** Replies held in memory at most; more stay in the outbox for a later sweep. Default 5,000. */
  maxInMemory?: number;
  /** A reply was delivered `ms` after it reached this sender (from the applier, or a sweep). */
  onDelivered?: (ms: number) => void;
}

interface ChatQueue {
  rows: PendingReply[];
  sending: boolean;
  /** Updates of this chat still being applied here. */
  holds: number;
  /**
   * Of those, the ones held when the oldest waiting reply arrived and not applied yet: the replies
   * wait for these to coalesce, not for updates that come after them (a chat writing on while
   * the bot is slow would otherwise wait behind each next update in turn, up to `lingerMs`).
   */
  waitFor: number;
  /** When the oldest row arrived (linger bound). */
  since: number;
  timer?: NodeJS.Timeout | undefined;
  /** The database could not say whose turn it is: try again at this time. */
  wakeAt?: number | undefined;
}

/**
 * Delivers the reply outbox (issue 12): replies of committed effects arrive from the applier in
 * memory (fast path) or from the table (a sweep for replies whose process died, and retries due).
 * Per chat one message at a time in outbox order, across processes too: before sending, the
 * chat's turn (`journal.turn`) claims its replies and any earlier ones nobody holds, and only
 * what precedes a reply still pending with another sender goes out (the rest is given back, to
 * follow it). A chat's pending replies go out coalesced; a
 * 429 gives the replies back to the table with `not_before` = its `retry_after`. Each reply is
 * marked sent after the platform accepted it: a crash between the two sends it again (the one
 * at-least-once window, docs/durability.md).
 */
/** Replies the sender remembers having sent (ids), to recognise a chat's earlier replies as its own. */
const SENT_KEPT = 20_000;

export function createReplySender(deps: ReplySenderDeps) {
  const concurrency = deps.concurrency ?? 64;
  const lingerMs = deps.lingerMs ?? 1000;
  const maxInMemory = deps.maxInMemory ?? 5000;
  /** This sender's name in `chat_outbox.claimed_by`. */
  const owner = `${deps.platform}:${process.pid}:${randomBytes(6).toString('hex')}`;
  const chats = new Map<string, ChatQueue>();
  const waiting: string[] = [];
  let active = 0;
  let inMemory = 0;
  /** Replies being sent or marked here: a sweep that takes them again (their lease ran out while
   * the database was away) must not send them twice. */
  const inHand = new Set<number>();
  let stopped = false;
  /**
   * Replies this sender delivered and marked sent, lately (ids; the newest {@link SENT_KEPT}).
   * With the replies in hand, they tell when a chat's earlier replies are all this sender's.
   */
  const sentHere = new Set<number>();
  /** Latest time a reply this process gave back (429) becomes due: a drain waits for it if it can. */
  let deferredUntil = 0;
  let idle: (() => void)[] = [];
  /** When replies held in memory reached this sender (`performance.now()`, for `onDelivered`). */
  const arrived = new Map<number, number>();
  /** Replies leaving memory without being sent from here (given back, settled) are forgotten. */
  const drop = (rows: PendingReply[]) => rows.forEach((r) => arrived.delete(r.id));

  // Marks are batched: one UPDATE for every reply sent in the last few milliseconds.
  let marks: number[] = [];
  let markFlush: Promise<void> | undefined;
  function markSent(ids: number[]): Promise<void> {
    marks.push(...ids);
    markFlush ??= new Promise<void>((resolve) => setTimeout(resolve, 5)).then(async () => {
      const batch = marks;
      marks = [];
      markFlush = undefined;
      const ok = await deps.journal.markSent(batch).then(
        () => true,
        (err) => deps.logger.error({ err: String(err), replies: batch.length }, 'marking replies sent failed'),
      );
      if (!ok) return;
      for (const id of batch) sentHere.add(id);
      if (sentHere.size > SENT_KEPT) for (const id of sentHere) if (sentHere.delete(id) && sentHere.size <= SENT_KEPT / 2) break;
    });
    return markFlush;
  }

  const queue = (chatId: string): ChatQueue => {
    let q = chats.get(chatId);
    if (!q) chats.set(chatId, (q = { rows: [], sending: false, holds: 0, waitFor: 0, since: Date.now() }));
    return q;
  };

  function settleIdle() {
    if (active === 0 && inMemory === 0) {
      const w = idle;
      idle = [];
      w.forEach((f) => f());
    }
  }

  function schedule(chatId: string) {
    const q = chats.get(chatId);
    if (!q || q.sending || !q.rows.length) {
      if (q && !q.rows.length && !q.sending && q.holds === 0) chats.delete(chatId);
      return;
    }
    if (q.wakeAt !== undefined && q.wakeAt > Date.now()) {
      q.timer ??= setTimeout(() => {
        q.timer = undefined;
        schedule(chatId);
      }, q.wakeAt - Date.now());
      return;
    }
    const lingering = q.waitFor > 0 && Date.now() - q.since < lingerMs && !stopped;
    if (lingering) {
      q.timer ??= setTimeout(() => {
        q.timer = undefined;
        schedule(chatId);
      }, lingerMs - (Date.now() - q.since));
      return;
    }
    if (active >= concurrency) {
      if (!waiting.includes(chatId)) waiting.push(chatId);
      return;
    }
    void run(chatId, q);
  }

  async function run(chatId: string, q: ChatQueue) {
    q.sending = true;
    q.wakeAt = undefined;
    active++;
    let rows = q.rows;
    q.rows = [];
    rows.forEach((r) => inHand.add(r.id));
    try {
      // Whose turn: claim these and earlier replies of the chat nobody holds; find the first
      // earlier one another sender still holds (or that waits for a retry).
      let turn;
      try {
        // Every reply of the chat written before these is in hand here or was sent from here:
        // the chat's order is this sender's own, and the turn (a statement) is not asked for.
        // Replies from the table (a sweep) or with another process's reply before them take it.
        const ours = (id: number) => inHand.has(id) || sentHere.has(id);
        turn = rows.every((r) => r.earlier?.every(ours))
          ? { mine: [...rows].sort((a, b) => a.id - b.id), blocker: undefined }
          : await deps.journal.turn(deps.platform, chatId, rows.map((r) => r.id), owner);
      } catch (err) {
        deps.logger.warn({ chat: chatId, err: String(err) }, 'reply turn failed; will retry');
        q.rows = [...rows, ...q.rows];
        rows.forEach((r) => inHand.delete(r.id));
        rows = [];
        q.wakeAt = Date.now() + 1000;
        return;
      }
      // Replies taken here meanwhile (a sweep) are part of this turn now.
      const taken = new Set(turn.mine.map((r) => r.id));
      const before = q.rows.length;
      q.rows = q.rows.filter((r) => !taken.has(r.id));
      inMemory -= before - q.rows.length;
      inMemory += turn.mine.length - rows.length;
      rows.forEach((r) => inHand.delete(r.id));
      drop(rows.filter((r) => !taken.has(r.id)));
      rows = turn.mine;
      rows.forEach((r) => inHand.add(r.id));
      let now = rows;
      const blocker = turn.blocker;
      if (blocker) {
        now = rows.filter((r) => r.id < blocker.id);
        const after = rows.filter((r) => r.id > blocker.id).map((r) => r.id);
        // They follow the earlier reply: whoever sends it (or any sweep) takes them after it.
        await deps.journal.release(after, owner, new Date(Date.now() + blocker.dueInMs)).catch((e) => deps.logger.error({ err: String(e) }, 'giving replies back failed'));
      }
      const messages = coalesce(now);
      for (let i = 0; i < messages.length; i++) {
        const msg = messages[i]!;
        try {
          await deps.deliver(chatId, msg);
          if (deps.onDelivered) {
            const now = performance.now();
            for (const id of msg.ids) {
              const at = arrived.get(id);
              if (at !== undefined) deps.onDelivered(now - at);
            }
          }
          await markSent(msg.ids);
        } catch (err) {
          const f = deps.classify(err);
          if (f.unreachable) {
            // Nothing more goes to this chat: its replies (here and in the table) are settled.
            const reason = f.unreachable;
            const out = await deps.journal.unreachable(deps.platform, chatId, reason).catch((e) => {
              deps.logger.error({ err: String(e), chat: chatId }, 'marking a chat unreachable failed');
              return undefined;
            });
            if (!out) await deps.journal.giveUp(messages.slice(i).flatMap((m) => m.ids), reason).catch(() => undefined);
            deps.logger.warn({ platform: deps.platform, chat: chatId, reason, repliesSettled: out?.settled, off: out?.off }, 'chat unreachable (bot blocked or removed); nothing more is sent there until it writes again');
            inMemory -= q.rows.length;
            drop(q.rows);
            q.rows = [];
            break;
          }
          if (f.permanent) {
            deps.logger.warn({ chat: chatId, reason: f.permanent }, 'reply refused for good');
            await deps.journal.giveUp(msg.ids, f.permanent).catch((e) => deps.logger.error({ err: String(e) }, 'recording a refused reply failed'));
            continue;
          }
          // Give this and the rest back to the outbox, to be sent in order when due.
          const rest = messages.slice(i).flatMap((m) => m.ids);
          const attempts = Math.max(...rows.filter((r) => rest.includes(r.id)).map((r) => r.attempts));
          const wait = f.retryAfterMs ?? Math.min(60_000, 1000 * 2 ** Math.min(attempts, 6));
          deps.logger.warn({ chat: chatId, err: String(err), waitMs: wait }, 'reply delivery deferred');
          deferredUntil = Math.max(deferredUntil, Date.now() + wait);
          await deps.journal.retryLater(rest, new Date(Date.now() + wait)).catch((e) => deps.logger.error({ err: String(e) }, 'deferring replies failed'));
          // Later replies of this chat wait behind them, in the table.
          const later = q.rows.map((r) => r.id);
          if (later.length) await deps.journal.retryLater(later, new Date(Date.now() + wait)).catch(() => undefined);
          inMemory -= q.rows.length;
          drop(q.rows);
          q.rows = [];
          break;
        }
      }
    } finally {
      rows.forEach((r) => inHand.delete(r.id));
      drop(rows);
      inMemory -= rows.length;
      q.sending = false;
      active--;
      schedule(chatId);
      while (active < concurrency && waiting.length) schedule(waiting.shift()!);
      settleIdle();
    }
  }

  /** Replies this process wrote or claimed. */
  function push(rows: PendingReply[]) {
    const touched = new Set<string>();
    for (const r of rows) {
      if (inMemory >= maxInMemory) break; // the rest stay claimed in the table; a later sweep takes them
      const q = queue(r.chatId);
      if (inHand.has(r.id) || q.rows.some((x) => x.id === r.id)) continue;
      if (!q.rows.length && !q.sending) q.since = Date.now();
      if (!q.rows.length) q.waitFor = q.holds;
      q.rows.push(r);
      if (deps.onDelivered) arrived.set(r.id, performance.now());
      inMemory++;
      touched.add(r.chatId);
    }
    touched.forEach(schedule);
  }

  /** An update of the chat is being applied here (+1), or is applied (−1): replies waiting for it go with its own. */
  function hold(chatId: string, delta: 1 | -1) {
    const q = queue(chatId);
    q.holds = Math.max(0, q.holds + delta);
    // Applied: the replies waiting for it may go (nothing left to wait for), or the chat's queue
    // may go (nothing left at all). Once, whichever holds.
    const waited = delta < 0 && q.waitFor > 0 && --q.waitFor === 0;
    if (waited || q.holds === 0) schedule(chatId);
  }

  const sweeping = setInterval(() => {
    if (stopped || inMemory >= maxInMemory) return;
    void deps.journal
      .takeDue(deps.platform, 200, owner)
      .then(push)
      .catch((err) => deps.logger.warn({ err: String(err) }, 'reply sweep failed'));
  }, deps.sweepMs ?? 1000);
  sweeping.unref();
  // Keep the claim on replies still waiting here (a slow chat behind the rate limits).
  const renewing = setInterval(() => {
    const ids = [...chats.values()].flatMap((q) => q.rows.map((r) => r.id));
    if (ids.length) void deps.journal.renew(ids, owner).catch(() => undefined);
  }, deps.renewMs ?? 3000);
  renewing.unref();

  return {
    push,
    hold,
    /** Replies held in memory (a gauge for the benchmark and tests). */
    get pending() {
      return inMemory;
    },
    /**
     * Stops sweeping and sends what is in hand, within `timeoutMs`; what is left stays in the
     * table (claimed until the lease ends, then any process sends it).
     */
    async drain(timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      const idleOrDeadline = () =>
        Promise.race([new Promise<void>((resolve) => (idle.push(resolve), settleIdle())), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
      stopped = true;
      clearInterval(sweeping);
      clearInterval(renewing);
      for (const id of chats.keys()) schedule(id);
      await idleOrDeadline();
      // Replies given back by a 429 whose wait ends within the budget are sent before exiting.
      while (deferredUntil > Date.now() && deferredUntil + 200 < deadline) {
        await new Promise((r) => setTimeout(r, deferredUntil - Date.now() + 50));
        stopped = false;
        push(await deps.journal.takeDue(deps.platform, 200, owner).catch(() => []));
        stopped = true;
        await idleOrDeadline();
      }
      await markFlush;
    },
  };
}

export type ReplySender = ReturnType<typeof createReplySender>;
