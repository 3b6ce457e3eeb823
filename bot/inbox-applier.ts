import type { Logger } from 'pino';
import type { ApplyUpdate, ChatJournal, HeldUpdate, QueuedReply } from './chat-journal.js';
import type { ReplySender } from './reply-sender.js';

export interface InboxApplierDeps {
  journal: Pick<ChatJournal, 'applyNext' | 'pendingChats'>;
  apply: ApplyUpdate;
  /** Replies for an update whose handling failed for good (it is settled with them). */
  onFailure(u: HeldUpdate, err: unknown): QueuedReply[];
  sender?: ReplySender | undefined;
  /** The sender's chat id of a chat key (`telegram:42` → `42`). */
  chatIdOf?: (chatKey: string) => string;
  logger: Logger;
  /** Chats applied at once (each takes a database connection while it applies). Default 8. */
  concurrency?: number;
  /** How often updates left pending (a process died holding them) are looked for. Default 2 s. */
  sweepMs?: number;
  /** An update pending longer than this is someone's leftover. Default 3 s. */
  staleMs?: number;
}

const defaultChatId = (chatKey: string) => chatKey.slice(chatKey.indexOf(':') + 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Applies held updates from the inbox (issue 12): chats in parallel, each chat's updates one at a
 * time in arrival order (across processes too: `applyNext` takes the chat's advisory lock and the
 * oldest pending row). What this process held it applies at once; a periodic sweep applies what a
 * dead process left. Stopping finishes the update in hand per chat; the rest stays in the inbox.
 */
export function createInboxApplier(deps: InboxApplierDeps) {
  const concurrency = deps.concurrency ?? 8;
  const chatIdOf = deps.chatIdOf ?? defaultChatId;
  /** Updates known to be pending per chat (a sweep marks "until none is left" with Infinity). */
  const known = new Map<string, number>();
  /** Reply holds taken per chat (one per update held here), released as they are applied. */
  const holds = new Map<string, number>();
  const running = new Set<string>();
  const waiting: string[] = [];
  let stopping = false;
  let applied = 0;
  let idle: (() => void)[] = [];

  const release = (chatKey: string, n: number) => {
    const h = holds.get(chatKey) ?? 0;
    const k = Math.min(h, n);
    if (!k) return;
    if (h - k) holds.set(chatKey, h - k);
    else holds.delete(chatKey);
    for (let i = 0; i < k; i++) deps.sender?.hold(chatIdOf(chatKey), -1);
  };

  function start(chatKey: string) {
    if (running.has(chatKey) || stopping) return;
    if (running.size >= concurrency) {
      if (!waiting.includes(chatKey)) waiting.push(chatKey);
      return;
    }
    running.add(chatKey);
    void drain(chatKey).finally(() => {
      running.delete(chatKey);
      if ((known.get(chatKey) ?? 0) > 0 && !stopping) start(chatKey);
      while (running.size < concurrency && waiting.length && !stopping) start(waiting.shift()!);
      if (!running.size) {
        const w = idle;
        idle = [];
        w.forEach((f) => f());
      }
    });
  }

  async function drain(chatKey: string) {
    while ((known.get(chatKey) ?? 0) > 0 && !stopping) {
      let r;
      try {
        r = await deps.journal.applyNext(chatKey, deps.apply, deps.onFailure);
      } catch (err) {
        // The database stayed away longer than the retry budget: the update stays in the
        // inbox; try again shortly (it is confirmed to the platform, so nothing is lost).
        deps.logger.error({ err: String(err), chat: chatKey }, 'applying an update failed; will retry');
        await sleep(1000);
        continue;
      }
      if (!r) {
        known.delete(chatKey);
        release(chatKey, Infinity);
        break;
      }
      applied++;
      const left = (known.get(chatKey) ?? 1) - 1;
      if (left > 0) known.set(chatKey, left);
      else known.delete(chatKey);
      deps.sender?.push(r.replies);
      release(chatKey, 1);
      if (r.after) await r.after().catch((err) => deps.logger.warn({ err: String(err) }, 'after-commit step failed'));
    }
  }

  const sweeping = setInterval(() => {
    if (stopping) return;
    void deps.journal
      .pendingChats(deps.staleMs ?? 3000, 100)
      .then((chats) => {
        for (const c of chats) {
          if (known.has(c)) continue;
          known.set(c, Infinity);
          start(c);
        }
      })
      .catch((err) => deps.logger.warn({ err: String(err) }, 'inbox sweep failed'));
  }, deps.sweepMs ?? 2000);
  sweeping.unref();

  return {
    /** Updates this process just held (in arrival order): applied now, chat by chat. */
    enqueue(updates: HeldUpdate[]) {
      for (const u of updates) {
        known.set(u.chatKey, (known.get(u.chatKey) ?? 0) + 1);
        holds.set(u.chatKey, (holds.get(u.chatKey) ?? 0) + 1);
        deps.sender?.hold(chatIdOf(u.chatKey), 1);
      }
      for (const c of new Set(updates.map((u) => u.chatKey))) start(c);
    },
    /** Updates held here and not yet applied (back-pressure for the fetch loop). */
    get backlog() {
      let n = 0;
      for (const v of holds.values()) n += v;
      return n;
    },
    get applied() {
      return applied;
    },
    /** Looks for leftovers now (start-up after a crash). */
    sweepNow() {
      return deps.journal.pendingChats(0, 1000).then((chats) => chats.forEach((c) => (known.has(c) ? undefined : (known.set(c, Infinity), start(c)))));
    },
    /**
     * Finishes the update in hand in each chat (its transaction commits or rolls back) within
     * `timeoutMs`; updates not yet applied stay in the inbox for the next start or another process.
     * Answers how many of the updates held here were left so.
     */
    async stop(timeoutMs: number): Promise<number> {
      stopping = true;
      clearInterval(sweeping);
      if (running.size) await Promise.race([new Promise<void>((r) => idle.push(r)), sleep(timeoutMs)]);
      let left = 0;
      for (const [c, n] of [...holds.entries()]) {
        left += n;
        release(c, Infinity);
      }
      return left;
    },
  };
}

export type InboxApplier = ReturnType<typeof createInboxApplier>;
