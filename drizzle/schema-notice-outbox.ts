import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Messages to chats outside a reply (template notices, budget alerts), held in PostgreSQL until a
 * process relays them to the outbound queue (workers/notice-relay.ts). Migration 0006.
 */
export const noticeOutbox = pgTable(
  'notice_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Which processes relay it: their Redis key prefix, or `local` without Redis. */
    relay: text('relay').notNull().default(''),
    /** Idempotency key of the message: written twice, relayed once. */
    key: text('key').notNull(),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    /** The `OutboundMessage` as JSON. */
    message: jsonb('message').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Not relayed before this moment (backoff after a failed relay). */
    notBefore: ts('not_before').notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    relayedAt: ts('relayed_at'),
    /** Sent (or refused for good) by the platform: never sent again. */
    doneAt: ts('done_at'),
    /** A delivery is sending it until then (one at a time; a killed worker's lease expires). Migration 0023. */
    sendingUntil: ts('sending_until'),
  },
  (t) => [uniqueIndex('notice_outbox_key_uq').on(t.key), index('notice_outbox_pending_idx').on(t.relay, t.notBefore, t.id).where(sql`${t.relayedAt} is null`),
    index('notice_outbox_undone_idx').on(t.relay, t.relayedAt).where(sql`${t.doneAt} is null and ${t.relayedAt} is not null`),
  ],
);
