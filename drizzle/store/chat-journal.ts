import { sql } from 'drizzle-orm';
import { jsonItems, jsonTexts } from './json-items.js';
import { pipelines, type Db } from '../db.js';
import type { LedgerStore } from '../../domain/ports.js';
import { createStore } from './index.js';
import { rowsOf } from './rows.js';
import { withDbRetry, isTransientDbError, type RetryOptions } from '../transient.js';
import { chatOutboxStore, insertReplies, json, pendingRow, replyItems, type JournalCodec, type OutboxRow, type PendingRow, type Queued } from './chat-outbox.js';

export { REPLY_LEASE_SECONDS, type JournalCodec, type PendingRow } from './chat-outbox.js';

/**
 * The durable chat path in PostgreSQL/PGlite (issue 12; docs/durability.md): `chat_inbox` holds
 * delivered updates, `chat_outbox` the replies of committed effects. Implements `ChatJournal`
 * (bot/chat-journal.ts); replies travel as JSON (`toReply`/`fromReply` convert binaries).
 */

interface Held {
  key: string;
  chatKey: string;
  seq: number;
  payload: unknown;
}

/** A handler in a shared batch asked for a savepoint: the batch is applied one update at a time. */
class NeedsOwnTransaction extends Error {
  override readonly name = 'NeedsOwnTransaction';
  constructor() {
    super('a savepoint inside a batch of several chats');
  }
}

/** What one batch (`applyBatch`) did. */
export interface BatchRow<R> {
  /** Updates applied (or settled as failed), in the order applied; `after` runs after the commit. */
  applied: { key: string; chatKey: string; after?: (() => Promise<void>) | undefined; failed?: boolean }[];
  /** The replies written, oldest first. */
  replies: PendingRow<R>[];
  /** Pending updates read per chat: fewer than `perChat` means none was left pending then. */
  read: Map<string, number>;
  /** Chats another process was applying: not read, left for later. */
  busy: string[];
}

/** One applied (or settled) update and the replies its transaction wrote. */
export interface AppliedRow<R> {
  key: string;
  replies: PendingRow<R>[];
  after?: (() => Promise<void>) | undefined;
  failed?: boolean;
}

export function chatJournal<R>(db: Db, codec: JournalCodec<R>, retry: RetryOptions = {}) {
  const pending = pendingRow(codec);
  /** Whether a transaction's COMMIT is sent behind its last statement (PostgreSQL) or after its answer (PGlite). */
  const behind = pipelines(db);
  /**
   * A transaction's last statement. On PostgreSQL it is handed out unawaited (in a box, so the
   * transaction does not wait for it) and the COMMIT goes right behind it: one round trip less.
   * If it fails, the transaction is aborted and that COMMIT rolls back; awaiting `result` after
   * the transaction throws its error. So the statement must check in SQL whatever its answer is
   * checked for (settle's `coin_assert`). On PGlite, which runs one call at a time, it is awaited.
   */
  const lastStatement = async <T>(statement: Promise<T>): Promise<{ result: Promise<T> }> => {
    if (!behind) return { result: Promise.resolve(await statement) };
    statement.catch(() => {});
    return { result: statement };
  };

  /**
   * Marks the updates done and writes their replies: one statement. Answers the replies as
   * written (in `replies` order: ids are drawn in that order); the statement fails if it could
   * not mark every one of `keys` (the transaction then rolls back).
   */
  async function settle(tx: Db, keys: string[], replies: Queued<R>[]): Promise<PendingRow<R>[]> {
    // The count is checked by the statement itself (coin_assert, migration 0024), so a COMMIT sent
    // right behind it (`lastStatement`, on PostgreSQL) rolls back when it fails.
    // Fewer marked than taken: another transaction applied one of them (cannot happen while every
    // applier takes the chat's turn through `chat_inbox_take`; a guard, not a path).
    // The mark also forgets the payload (the message as the platform sent it: names, text): only
    // the key is needed after this, to skip a redelivery, for the week the row is kept. Less to
    // keep of people's messages, and a smaller row version to write.
    const [row] = rowsOf<{ replies: OutboxRow[] | string | null }>(
      await tx.execute(sql`
        with done as (
          update chat_inbox set done_at = now(), payload = '{}'::jsonb where key = any(array(select ${jsonTexts(keys)})) and done_at is null returning key
        ), ins as (${insertReplies(replyItems(codec, replies), sql`exists (select 1 from done)`)})
        select (select json_agg(ins order by ins.id) from ins) as replies,
          coin_assert((select count(*) from done) = ${keys.length}::int, 'applied elsewhere: an update of this batch was marked done by another transaction') as ok`),
    );
    return (json(row!.replies) as OutboxRow[] | null ?? []).map(pending);
  }

  /**
   * Takes the turn of the chats named and reads up to `perChat` pending updates of each, oldest
   * first: one call (`chat_inbox_take`, migration 0015). `wait`: waits for another process applying
   * one of them; otherwise such chats are answered as busy and left alone.
   */
  async function take(tx: Db, chatKeys: string[], perChat: number, wait: boolean): Promise<{ held: Held[]; busy: string[] }> {
    const rows = rowsOf<{ key: string | null; chat_key: string; seq: string | number; payload: unknown }>(
      await tx.execute(sql`select key, chat_key, seq, payload from chat_inbox_take(${JSON.stringify(chatKeys)}::jsonb, ${perChat}::int, ${wait}::boolean)`),
    );
    const held: Held[] = [];
    const busy: string[] = [];
    for (const r of rows) {
      if (r.key === null) busy.push(r.chat_key);
      else held.push({ key: r.key, chatKey: r.chat_key, seq: Number(r.seq), payload: json(r.payload) });
    }
    return { held, busy };
  }

  /** Takes the chat's turn (waiting for it) and reads its oldest pending update. */
  const oldest = async (tx: Db, chatKey: string): Promise<Held | undefined> => (await take(tx, [chatKey], 1, true)).held[0];

  /**
   * Applies the chat's oldest pending update in one transaction with its mark and replies; a
   * handler failure rolls back and settles the update with `onFailure`'s replies instead.
   */
  async function applyNext(
    chatKey: string,
    apply: (u: Held, scope: { store: LedgerStore; reply(r: Queued<R>): void }) => Promise<(() => Promise<void>) | void>,
    onFailure: (u: Held, err: unknown) => Queued<R>[],
  ): Promise<AppliedRow<R> | undefined> {
    return withDbRetry(async (): Promise<AppliedRow<R> | undefined> => {
      let failedOn: { held: Held; err: unknown } | undefined;
      try {
        const out = await db.transaction(async (txRaw) => {
          const tx = txRaw as unknown as Db;
          const held = await oldest(tx, chatKey);
          if (!held) return undefined;
          const replies: Queued<R>[] = [];
          let after: (() => Promise<void>) | void;
          try {
            after = await apply(held, { store: createStore(tx), reply: (r) => void replies.push(r) });
          } catch (err) {
            failedOn = { held, err };
            throw err;
          }
          return { key: held.key, settled: await lastStatement(settle(tx, [held.key], replies)), after: after ?? undefined };
        });
        return out && { key: out.key, replies: await out.settled.result, after: out.after };
      } catch (err) {
        if (isTransientDbError(err) || !failedOn) throw err;
        // The handling failed for good (a bug, bad data): settle the update with the failure's
        // replies, so it is neither lost silently nor retried forever.
        const { held } = failedOn;
        const replies = onFailure(held, failedOn.err);
        return db.transaction(async (txRaw) => {
          const tx = txRaw as unknown as Db;
          const again = await oldest(tx, chatKey);
          if (again?.key !== held.key) return { key: held.key, replies: [], failed: true };
          return { key: held.key, replies: await settle(tx, [held.key], replies), failed: true };
        });
      }
    }, retry);
  }

  return {
    async hold(updates: Held[]): Promise<void> {
      if (!updates.length) return;
      const items = updates.map((u) => ({ key: u.key, chat_key: u.chatKey, seq: u.seq, payload: u.payload }));
      await db.execute(sql`
        insert into chat_inbox (key, chat_key, seq, payload)
        select x.key, x.chat_key, x.seq, x.payload from ${jsonItems(items)} j cross join jsonb_to_record(j) as x(key text, chat_key text, seq bigint, payload jsonb)
        on conflict (key) do nothing`);
    },

    applyNext,

    /**
     * Applies the pending updates of several chats (up to `perChat` each, in each chat's order) in
     * ONE transaction: one call takes the turns of the chats nobody else applies now (the others
     * are answered `busy`) and reads their updates, the chats' handlers run side by side on the
     * transaction (each chat's updates one after the other), one statement marks them all done and writes all their
     * replies, one commit. If a handler fails (or a statement is refused) the transaction rolls
     * back and the same updates are applied one per transaction (`applyNext`), so each succeeds or
     * is settled on its own, as if there had been no batch.
     */
    async applyBatch(
      chatKeys: string[],
      perChat: number,
      apply: (u: Held, scope: { store: LedgerStore; reply(r: Queued<R>): void }) => Promise<(() => Promise<void>) | void>,
      onFailure: (u: Held, err: unknown) => Queued<R>[],
    ): Promise<BatchRow<R>> {
      let fallback: Held[] | undefined;
      const out = await withDbRetry(async (): Promise<BatchRow<R> | undefined> => {
        fallback = undefined;
        let taken: Held[] = [];
        try {
          const out = await db.transaction(async (txRaw): Promise<Omit<BatchRow<R>, 'replies'> & { settled: { result: Promise<PendingRow<R>[]> } }> => {
            const tx = txRaw as unknown as Db;
            const got = await take(tx, chatKeys, perChat, false);
            taken = got.held;
            const read = new Map<string, number>();
            for (const h of taken) read.set(h.chatKey, (read.get(h.chatKey) ?? 0) + 1);
            if (!taken.length) return { applied: [], settled: { result: Promise.resolve([]) }, read, busy: got.busy };
            // Chats side by side on the one connection (postgres.js pipelines their statements:
            // fewer socket writes and wake-ups), each chat's updates one after the other. A savepoint
            // would roll back the other chats' statements made since it began, so a handler that
            // asks for one (rare: a clash-prone write) sends the batch to the one-by-one path.
            let needsOwn = false;
            const shared = read.size > 1;
            const q = shared
              ? (Object.create(tx, {
                  transaction: {
                    value: () => {
                      needsOwn = true;
                      return Promise.reject(new NeedsOwnTransaction());
                    },
                  },
                }) as Db)
              : tx;
            const replies: Queued<R>[] = [];
            // Several chats: the enter reads and the records their handlers ask for in the same turn
            // go in one statement each (drizzle/store/turn-batch.ts).
            const scope = { store: createStore(q, { combineRecords: shared, combineEnters: shared }), reply: (r: Queued<R>) => void replies.push(r) };
            const afters = new Map<string, (() => Promise<void>) | undefined>();
            const chats = new Map<string, Held[]>();
            for (const h of taken) chats.set(h.chatKey, [...(chats.get(h.chatKey) ?? []), h]);
            // Every handler ends before the transaction does (settled, not raced): a statement
            // still in flight after a rollback would run outside any transaction.
            const ends = await Promise.allSettled(
              [...chats.values()].map(async (list) => {
                for (const held of list) afters.set(held.key, (await apply(held, scope)) ?? undefined);
              }),
            );
            const failed = ends.find((e): e is PromiseRejectedResult => e.status === 'rejected');
            if (failed) throw failed.reason;
            if (needsOwn) throw new NeedsOwnTransaction();
            const applied = taken.map((h) => ({ key: h.key, chatKey: h.chatKey, after: afters.get(h.key) }));
            return { applied, settled: await lastStatement(settle(tx, taken.map((h) => h.key), replies)), read, busy: got.busy };
          });
          return { applied: out.applied, replies: await out.settled.result, read: out.read, busy: out.busy };
        } catch (err) {
          if (isTransientDbError(err) || !taken.length) throw err;
          fallback = taken;
          return undefined;
        }
      }, retry);
      if (out) return out;
      const read = new Map<string, number>();
      for (const h of fallback!) read.set(h.chatKey, (read.get(h.chatKey) ?? 0) + 1);
      const res: BatchRow<R> = { applied: [], replies: [], read, busy: [] };
      for (const [chatKey, n] of read) {
        for (let i = 0; i < n; i++) {
          const r = await applyNext(chatKey, apply, onFailure);
          if (!r) break;
          res.applied.push({ key: r.key, chatKey, after: r.after, failed: r.failed });
          res.replies.push(...r.replies);
        }
      }
      return res;
    },

    async pendingChats(olderThanMs: number, limit: number): Promise<string[]> {
      const rows = rowsOf<{ chat_key: string }>(
        await db.execute(sql`
          select chat_key from chat_inbox where done_at is null and received_at < now() - make_interval(secs => ${olderThanMs / 1000})
          group by chat_key order by min(received_at) limit ${limit}`),
      );
      return rows.map((r) => r.chat_key);
    },

    transact<T>(work: (store: LedgerStore) => Promise<T>): Promise<T> {
      return withDbRetry(() => db.transaction((tx) => work(createStore(tx as unknown as Db))), retry);
    },

    /** One transaction whose replies are written to the outbox (claimed by the writer) before it commits. */
    answer<T>(work: (scope: { store: LedgerStore; reply(r: Queued<R>): void }) => Promise<T>): Promise<{ value: T; replies: PendingRow<R>[] }> {
      return withDbRetry(
        () =>
          db.transaction(async (txRaw) => {
            const tx = txRaw as unknown as Db;
            const queued: Queued<R>[] = [];
            const value = await work({ store: createStore(tx), reply: (r) => void queued.push(r) });
            if (!queued.length) return { value, written: undefined };
            // `.then` makes it a plain promise: drizzle's query would run again at every `then` on it.
            return { value, written: await lastStatement(tx.execute(insertReplies(replyItems(codec, queued))).then((res) => res)) };
          }).then(async ({ value, written }) => ({
            value,
            replies: written ? rowsOf<OutboxRow>(await written.result).map(pending).sort((a, b) => a.id - b.id) : [],
          })),
        retry,
      );
    },

    // The delivery side: claims, marks, per-chat turns (drizzle/store/chat-outbox.ts).
    ...chatOutboxStore(db, codec, retry),
  };
}
