import type { Logger } from 'pino';
import type { ApplyUpdate, ChatJournal, HeldUpdate, QueuedReply } from './chat-journal.js';
import type { ReplySender } from './reply-sender.js';

export interface InboxApplierDeps {
  journal: Pick<ChatJournal, 'applyBatch' | 'pendingChats'>;
  apply: ApplyUpdate;
  /** Replies for an update whose handling failed for good (it is settled with them). */
  onFailure(u: HeldUpdate, err: unknown): QueuedReply[];
  sender?: ReplySender | undefined;
  /** The sender's chat id of a chat key (`telegram:42` → `42`). */
  chatIdOf?: (chatKey: string) => string;
  logger: Logger;
  /** Transactions applying at once (each takes a database connection while it runs). Default 2. */
  concurrency?: number;
  /** Most chats one transaction applies. Default 32. */
  batchChats?: number;
  /** Most updates of one chat one transaction applies. Default 10. */
  perChat?: number;
  /** How often updates left pending (a process died holding them) are looked for. Default 2 s. */
  sweepMs?: number;
  /** An update pending longer than this is someone's leftover. Default 3 s. */
  staleMs?: number;
  /**
   * The stage times of an update this process received and applied (`performance.now()` values):
   * received, held in the inbox, its batch began, committed. Not called for leftovers of others.
   */
  timing?: (t: UpdateTiming) => void;
}

/** When an update was received, held, taken into a batch and committed (`performance.now()`). */
export interface UpdateTiming {
  receivedAt: number;
  heldAt: number;
  startedAt: number;
  committedAt: number;
}

const defaultChatId = (chatKey: string) => chatKey.slice(chatKey.indexOf(':') + 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Applies held updates from the inbox (issues 12 and 19) in batches: a free worker takes every
 * chat with updates waiting (up to `batchChats`) and applies their updates in one transaction
 * (`applyBatch`: one commit for all of them; each chat's updates in arrival order, serialised
 * across processes by the chat's advisory lock). Under light load a batch is one update and
 * starts at once; under heavy load the updates that arrived while the workers were busy share
 * one transaction, so the cost of BEGIN, the lock, the mark and COMMIT is paid once per batch.
 * What this process held it applies at once; a periodic sweep applies what a dead process left.
 * Stopping finishes the batches in hand; the rest stays in the inbox.
 */
export function createInboxApplier(deps: InboxApplierDeps) {
  const workers = deps.concurrency ?? 2;
  const batchChats = deps.batchChats ?? 32;
  const perChat = deps.perChat ?? 10;
  const chatIdOf = deps.chatIdOf ?? defaultChatId;
  /** Updates held here and not yet known applied, per chat (each holds its chat's replies back). */
  const mine = new Map<string, Set<string>>();
  /** When updates held here were received and held (for `timing`). */
  const times = new Map<string, { receivedAt: number; heldAt: number }>();
  /** Chats to apply until none is left pending (leftovers found by a sweep). */
  const swept = new Set<string>();
  /** Chats with work, in the order they got it. */
  const ready = new Set<string>();
  /** Chats in a batch now. */
  const busy = new Set<string>();
  let active = 0;
  let stopping = false;
  let applied = 0;
  let idle: (() => void)[] = [];

  /** The update is applied (here or elsewhere): its chat's replies need not wait for it. */
  const forget = (chatKey: string, key: string) => {
    times.delete(key);
    const keys = mine.get(chatKey);
    if (!keys?.delete(key)) return;
    if (!keys.size) mine.delete(chatKey);
    deps.sender?.hold(chatIdOf(chatKey), -1);
  };

  let gatherMs = 0;
  let lastStart = -Infinity;
  let gatherTimer: NodeJS.Timeout | undefined;
  function schedule() {
    while (!stopping && active < workers) {
      const chats: string[] = [];
      for (const c of ready) {
        if (busy.has(c)) continue;
        chats.push(c);
        if (chats.length >= batchChats) break;
      }
      if (!chats.length) return;
      // The gather window (webhook intake): while batches keep starting, the next waits for more
      // chats until `gatherMs` after the previous one began, unless a full batch is ready.
      const wait = lastStart + gatherMs - performance.now();
      if (wait > 0 && chats.length < batchChats) {
        gatherTimer ??= setTimeout(() => {
          gatherTimer = undefined;
          schedule();
        }, wait);
        return;
      }
      lastStart = performance.now();
      for (const c of chats) {
        ready.delete(c);
        busy.add(c);
      }
      active++;
      void run(chats).finally(() => {
        active--;
        for (const c of chats) busy.delete(c);
        schedule();
        if (!active) {
          const w = idle;
          idle = [];
          w.forEach((f) => f());
        }
      });
    }
  }

  async function run(chats: string[]) {
    // Updates held here before the batch started were committed before it read the inbox.
    const before = new Map(chats.map((c) => [c, [...(mine.get(c) ?? [])]]));
    let out;
    const startedAt = performance.now();
    try {
      out = await deps.journal.applyBatch(chats, perChat, deps.apply, deps.onFailure);
    } catch (err) {
      // The database stayed away longer than the retry budget: the updates stay in the inbox;
      // try again shortly (they are confirmed to the platform, so nothing is lost).
      deps.logger.error({ err: String(err), chats: chats.length }, 'applying updates failed; will retry');
      await sleep(1000);
      for (const c of chats) ready.add(c);
      return;
    }
    applied += out.applied.length;
    if (deps.timing) {
      const committedAt = performance.now();
      for (const a of out.applied) {
        const t = times.get(a.key);
        if (t) deps.timing({ ...t, startedAt: Math.max(startedAt, t.heldAt), committedAt });
      }
    }
    deps.sender?.push(out.replies);
    for (const a of out.applied) forget(a.chatKey, a.key);
    const busyNow = new Set(out.busy);
    for (const c of chats) {
      if (busyNow.has(c)) continue;
      if ((out.read.get(c) ?? 0) < perChat) {
        // Nothing else was pending: what was held here before is applied (maybe by another process).
        for (const k of before.get(c)!) forget(c, k);
        swept.delete(c);
      }
      if (mine.has(c) || swept.has(c)) ready.add(c);
    }
    // Another process applies these chats now: look again shortly (it may leave ours pending).
    if (busyNow.size)
      setTimeout(() => {
        for (const c of busyNow) if (mine.has(c) || swept.has(c)) ready.add(c);
        schedule();
      }, 5).unref();
    const afters = out.applied.flatMap((a) => (a.after ? [a.after] : []));
    if (afters.length)
      await Promise.all(afters.map((f) => f().catch((err) => deps.logger.warn({ err: String(err) }, 'after-commit step failed'))));
  }

  /**
   * Chats the sweep found with updates pending for a while. One already queued or in a batch is
   * left alone; any other is queued, even when this process holds updates of it: a chat held here
   * with nothing queued would otherwise wait forever (suspected in a chaos run, docs/durability.md).
   */
  const look = (chats: string[]) => {
    for (const c of chats) {
      if (ready.has(c) || busy.has(c)) continue;
      swept.add(c);
      ready.add(c);
    }
    schedule();
  };

  const sweeping = setInterval(() => {
    if (stopping) return;
    void deps.journal
      .pendingChats(deps.staleMs ?? 3000, 100)
      .then(look)
      .catch((err) => deps.logger.warn({ err: String(err) }, 'inbox sweep failed'));
  }, deps.sweepMs ?? 2000);
  sweeping.unref();

  return {
    /** Updates this process just held (in arrival order): applied now, in batches. */
    enqueue(updates: HeldUpdate[]) {
      for (const u of updates) {
        let keys = mine.get(u.chatKey);
        if (!keys) mine.set(u.chatKey, (keys = new Set()));
        if (keys.has(u.key)) continue;
        keys.add(u.key);
        if (deps.timing && u.receivedAt !== undefined) times.set(u.key, { receivedAt: u.receivedAt, heldAt: performance.now() });
        deps.sender?.hold(chatIdOf(u.chatKey), 1);
        ready.add(u.chatKey);
      }
      schedule();
    },
    /**
     * From now on a batch starts no sooner than `ms` after the previous one began, unless a full
     * batch (`batchChats`) is ready: updates that arrive one by one (Telegram's webhook) are then
     * applied about `ms` apart, many per transaction. The first after a pause starts at once.
     * Long polling gathers at the fetch instead (`telegram-polling.ts`) and leaves this at 0.
     */
    gather(ms: number) {
      gatherMs = ms;
    },
    /** Updates held here and not yet applied (back-pressure for the fetch loop). */
    get backlog() {
      let n = 0;
      for (const v of mine.values()) n += v.size;
      return n;
    },
    get applied() {
      return applied;
    },
    /** Looks for leftovers now (start-up after a crash). */
    sweepNow() {
      return deps.journal.pendingChats(0, 1000).then(look);
    },
    /**
     * Finishes the batches in hand (each transaction commits or rolls back) within `timeoutMs`;
     * updates not yet applied stay in the inbox for the next start or another process.
     * Answers how many of the updates held here were left so.
     */
    async stop(timeoutMs: number): Promise<number> {
      stopping = true;
      clearInterval(sweeping);
      clearTimeout(gatherTimer);
      if (active) await Promise.race([new Promise<void>((r) => idle.push(r)), sleep(timeoutMs)]);
      let left = 0;
      for (const [c, keys] of [...mine.entries()]) {
        left += keys.size;
        for (const k of [...keys]) forget(c, k);
      }
      return left;
    },
  };
}

export type InboxApplier = ReturnType<typeof createInboxApplier>;
