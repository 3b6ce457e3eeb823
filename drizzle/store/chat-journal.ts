import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { LedgerStore } from '../../domain/ports.js';
import type { Platform } from '../../domain/types.js';
import { createStore } from './index.js';
import { rowsOf } from './rows.js';
import { withDbRetry, isTransientDbError, type RetryOptions } from '../transient.js';
import { chatOutboxStore, json, pendingRow, REPLY_LEASE_SECONDS, type JournalCodec, type OutboxRow, type PendingRow } from './chat-outbox.js';

export { REPLY_LEASE_SECONDS, type JournalCodec, type PendingRow } from './chat-outbox.js';

/**
 * The durable chat path in PostgreSQL/PGlite (issue 12; docs/durability.md): `chat_inbox` holds
 * delivered updates, `chat_outbox` the replies of committed effects. Implements `ChatJournal`
 * (bot/chat-journal.ts); replies travel as JSON (`toReply`/`fromReply` convert binaries).
 */

/** Advisory lock space of "one chat's updates, one at a time" (with hashtext(chat key)). */
const CHAT_LOCK = 120012;

interface Held {
  key: string;
  chatKey: string;
  seq: number;
  payload: unknown;
}

interface Queued<R> {
  platform: Platform;
  chatId: string;
  reply: R;
  replyTo?: number | undefined;
  editMessageId?: number | undefined;
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

  /** Marks the update done and writes its replies: one statement. */
  const settle = (key: string, replies: Queued<R>[]): SQL => {
    const items = JSON.stringify(
      replies.map((r) => ({ platform: r.platform, chat_id: r.chatId, reply: codec.encode(r.reply), reply_to: r.replyTo ?? null, edit_message_id: r.editMessageId ?? null })),
    );
    return sql`
      with done as (update chat_inbox set done_at = now() where key = ${key} and done_at is null returning key)
      insert into chat_outbox (platform, chat_id, reply, reply_to, edit_message_id, claimed_until)
      select x.platform, x.chat_id, x.reply, x.reply_to, x.edit_message_id, now() + make_interval(secs => ${REPLY_LEASE_SECONDS})
      from jsonb_to_recordset(${items}::jsonb) as x(platform text, chat_id text, reply jsonb, reply_to bigint, edit_message_id bigint)
      where exists (select 1 from done)
      returning id, platform, chat_id, reply, reply_to, edit_message_id, attempts`;
  };

  /** Takes the chat's turn (waits for another process applying it) and reads its oldest pending update. */
  async function oldest(tx: Db, chatKey: string): Promise<Held | undefined> {
    await tx.execute(sql`select pg_advisory_xact_lock(${CHAT_LOCK}, hashtext(${chatKey}))`);
    const [row] = rowsOf<{ key: string; seq: string | number; payload: unknown }>(
      await tx.execute(sql`select key, seq, payload from chat_inbox where chat_key = ${chatKey} and done_at is null order by seq limit 1`),
    );
    return row ? { key: row.key, chatKey, seq: Number(row.seq), payload: json(row.payload) } : undefined;
  }

  return {
    async hold(updates: Held[]): Promise<void> {
      if (!updates.length) return;
      const items = JSON.stringify(updates.map((u) => ({ key: u.key, chat_key: u.chatKey, seq: u.seq, payload: u.payload })));
      await db.execute(sql`
        insert into chat_inbox (key, chat_key, seq, payload)
        select x.key, x.chat_key, x.seq, x.payload from jsonb_to_recordset(${items}::jsonb) as x(key text, chat_key text, seq bigint, payload jsonb)
        on conflict (key) do nothing`);
    },

    async applyNext(
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
            const rows = rowsOf<OutboxRow>(await tx.execute(settle(held.key, replies)));
            return { key: held.key, replies: rows.map(pending), after: after ?? undefined };
          });
          return out;
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
            const rows = rowsOf<OutboxRow>(await tx.execute(settle(held.key, replies)));
            return { key: held.key, replies: rows.map(pending), failed: true };
          });
        }
      }, retry);
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

    // The delivery side: claims, marks, per-chat turns (drizzle/store/chat-outbox.ts).
    ...chatOutboxStore(db, codec, retry),
  };
}
