import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Updates as a platform delivered them, held before they are confirmed (issue 12). A row is
 * applied once: the transaction that applies it sets `done_at`.
 */
export const chatInbox = pgTable(
  'chat_inbox',
  {
    /** `tg:<bot id>:<update id>`: a redelivery is the same key and is not held twice. */
    key: text('key').primaryKey(),
    /** `telegram:<chat id>`: the unit of ordering. */
    chatKey: text('chat_key').notNull(),
    /** Arrival order within the chat (the platform's update id). */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
    doneAt: ts('done_at'),
  },
  (t) => [
    index('chat_inbox_pending_idx').on(t.chatKey, t.seq).where(sql`${t.doneAt} is null`),
    index('chat_inbox_done_idx').on(t.doneAt).where(sql`${t.doneAt} is not null`),
  ],
);

/** Replies written in the transaction of their effect, delivered (and marked) by a sender. */
export const chatOutbox = pgTable(
  'chat_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    /** The reply in its JSON form (`WireReply`: files as base64). */
    reply: jsonb('reply').notNull(),
    replyTo: bigint('reply_to', { mode: 'number' }),
    /** Set: the reply replaces this message's text (a button's answer). */
    editMessageId: bigint('edit_message_id', { mode: 'number' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    notBefore: ts('not_before').notNull().defaultNow(),
    claimedUntil: ts('claimed_until'),
    /** The sender (one per process) holding the reply; NULL with a live claim: its writer's (0016). */
    claimedBy: text('claimed_by'),
    attempts: integer('attempts').notNull().default(0),
    sentAt: ts('sent_at'),
    failed: text('failed'),
    /** A reply answering a platform interaction (Discord): how to reach it later (0017); NULL for chat messages. */
    via: jsonb('via'),
  },
  (t) => [
    index('chat_outbox_pending_idx').on(t.platform, t.chatId, t.id).where(sql`${t.sentAt} is null`),
    index('chat_outbox_sent_idx').on(t.sentAt).where(sql`${t.sentAt} is not null`),
  ],
);
