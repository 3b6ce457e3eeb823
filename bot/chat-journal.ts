import type { LedgerStore } from '../domain/ports.js';
import type { Platform } from '../domain/types.js';
import type { Reply } from './reply.js';

/**
 * The durable chat path (issue 12, docs/durability.md), free of any platform: updates are held in
 * an inbox before the platform is told they arrived, each is applied once in a transaction that
 * also marks it done and writes its replies to an outbox, and a sender delivers the outbox.
 */

/** One delivered update as held: a platform-unique key, the chat it orders within, the raw payload. */
export interface HeldUpdate {
  key: string;
  /** `telegram:<chat id>`: updates of one chat take effect one at a time in `seq` order. */
  chatKey: string;
  seq: number;
  payload: unknown;
  /** When this process received it (`performance.now()`), for the stage timings; not stored. */
  receivedAt?: number;
}

/**
 * How a reply that answers a platform interaction (a Discord slash command or button) reaches it
 * later, when the direct answer failed or its process died: JSON the adapter writes and parses
 * (`adapters/discord/interaction-replies.ts`); opaque here. It may hold a short-lived credential
 * (an interaction token): never logged.
 */
export type ReplyVia = Readonly<Record<string, unknown>>;

/** A reply to deliver to a chat. */
export interface QueuedReply {
  platform: Platform;
  chatId: string;
  reply: Reply;
  /** Quote this message (groups). */
  replyTo?: number | undefined;
  /** Replace this message's text instead of sending a new one (a button's answer). */
  editMessageId?: number | undefined;
  /** The interaction it answers (Discord); such a reply is never merged with another. */
  via?: ReplyVia | undefined;
}

/** A reply written to the outbox and not yet marked sent. */
export interface PendingReply extends QueuedReply {
  id: number;
  attempts: number;
  /**
   * Replies of the chat written before this one and still unsent when it was written, as its
   * writer saw them (at most 21: more means "ask the turn"); absent when not known.
   */
  earlier?: number[] | undefined;
}

/** A chat's turn to send: what this sender holds, and the earlier reply it must wait for. */
export interface ChatTurn {
  /** Oldest first: everything below `blocker.id` may be sent now. */
  mine: PendingReply[];
  /** Held by another live sender (`held`), or waiting `dueInMs` for a retry. */
  blocker?: { id: number; held: boolean; dueInMs: number } | undefined;
}

/** What an update's handling may touch inside its transaction. */
export interface ApplyScope {
  /** The ledger bound to the transaction: its writes commit with the update's mark. */
  store: LedgerStore;
  /** Writes a reply to the outbox in the same transaction. */
  reply(r: QueuedReply): void;
}

/** Runs after the transaction committed (e.g. answering a button press); failures only logged. */
export type AfterCommit = () => Promise<void>;

export interface AppliedUpdate {
  key: string;
  replies: PendingReply[];
  after?: AfterCommit | undefined;
  /** The handling failed for good: the update is settled with `onFailure`'s replies. */
  failed?: boolean;
}

/** What one batch of updates (several chats, one transaction) did. */
export interface AppliedBatch {
  /** Updates applied (or settled as failed), in the order applied. */
  applied: { key: string; chatKey: string; after?: AfterCommit | undefined; failed?: boolean }[];
  /** The replies written, oldest first. */
  replies: PendingReply[];
  /** Pending updates read per chat: fewer than `perChat` means the chat had none left then. */
  read: Map<string, number>;
  /** Chats another process was applying at that moment: not read, to be tried again shortly. */
  busy: string[];
}

export type ApplyUpdate = (u: HeldUpdate, scope: ApplyScope) => Promise<AfterCommit | void>;

export interface ChatJournal {
  /** Holds delivered updates (one statement); a key already held is skipped. */
  hold(updates: HeldUpdate[]): Promise<void>;
  /**
   * Applies the oldest pending update of the chat (serialised across processes), marking it done
   * and writing its replies in the same transaction; `undefined` when the chat has none pending.
   * A transient database error retries the whole transaction; any other failure rolls it back and
   * settles the update with `onFailure`'s replies instead.
   */
  applyNext(chatKey: string, apply: ApplyUpdate, onFailure: (u: HeldUpdate, err: unknown) => QueuedReply[]): Promise<AppliedUpdate | undefined>;
  /**
   * Applies up to `perChat` pending updates of each chat named in ONE transaction (each chat's in
   * order, serialised across processes with `applyNext`): one commit for the whole batch. Chats
   * another process is applying at the moment are skipped and answered in `busy`. If any
   * handling fails the batch rolls back and its updates are applied one by one with `applyNext`.
   */
  applyBatch(chatKeys: string[], perChat: number, apply: ApplyUpdate, onFailure: (u: HeldUpdate, err: unknown) => QueuedReply[]): Promise<AppliedBatch>;
  /** Chats with updates pending longer than `olderThanMs` (a process died holding them). */
  pendingChats(olderThanMs: number, limit: number): Promise<string[]>;
  /** Runs `work` in one transaction with the ledger bound to it (transient errors retried). */
  transact<T>(work: (store: LedgerStore) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in one transaction whose replies (`scope.reply`) are written to the outbox before
   * it commits, claimed by the writer for the lease (an interaction answered directly, then
   * marked sent; Discord). Transient errors retry the whole transaction.
   */
  answer<T>(work: (scope: ApplyScope) => Promise<T>): Promise<{ value: T; replies: PendingReply[] }>;
  /**
   * The platform says the chat can no longer receive from the bot (blocked, kicked, DMs closed):
   * one statement marks it (`chats.blocked_at`; nothing more is sent there until someone writes
   * from it again), settles its pending replies as undeliverable and turns off its digests and
   * reminders. Answers how many replies were settled and which settings were turned off.
   */
  unreachable(platform: Platform, chatId: string, reason: string): Promise<{ settled: number; off: string[] }>;

  /** Replies sent: never sent again. */
  markSent(ids: number[]): Promise<void>;
  /** Give the replies back to the outbox, to be sent not before `at` (rate limited, network down). */
  retryLater(ids: number[], at: Date): Promise<void>;
  /** The platform refuses these for good (chat gone, bad markup): recorded, not sent. */
  giveUp(ids: number[], reason: string): Promise<void>;
  /** Extends `owner`'s claim on replies it still holds in memory. */
  renew(ids: number[], owner?: string): Promise<void>;
  /** Claims for `owner` due replies nobody holds (their process died, or a retry is due), oldest first. */
  takeDue(platform: Platform, limit: number, owner?: string): Promise<PendingReply[]>;
  /**
   * A chat's turn to send (per-chat order across processes): claims the replies asked for and
   * earlier ones of the chat nobody holds; names the oldest earlier reply still pending elsewhere.
   */
  turn(platform: Platform, chatId: string, ids: number[], owner: string): Promise<ChatTurn>;
  /** Gives replies back without an attempt (an earlier reply of their chat is pending elsewhere). */
  release(ids: number[], owner: string, at: Date): Promise<void>;
}
