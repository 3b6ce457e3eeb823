import { sql } from 'drizzle-orm';
import { bigint, bigserial, customType, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** PostgreSQL `bytea` as a Node Buffer (postgres.js and PGlite both hand back bytes). */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

/**
 * A receipt photo (issue 18) from the moment it arrives until it becomes a record (then kept with
 * it, `event_id`) or is cancelled (then deleted). `reading`: waiting for or on the worker, at most
 * one per chat; `proposed`: the proposal is in the chat; `recorded`: the photo of record
 * `event_id`, deleted with it (trigger in migration 0011). Foreign keys to books, users and events
 * are in migration 0011 (no import of schema.ts, no cycle).
 */
export const receiptScans = pgTable(
  'receipt_scans',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bookId: integer('book_id').notNull(),
    userId: integer('user_id').notNull(),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    state: text('state').$type<'reading' | 'proposed' | 'recorded'>().notNull().default('reading'),
    image: bytea('image').notNull(),
    mime: text('mime').notNull(),
    proposal: jsonb('proposal'),
    eventId: bigint('event_id', { mode: 'number' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('receipt_scans_one_reading_uq').on(t.platform, t.chatId).where(sql`${t.state} = 'reading'`),
    uniqueIndex('receipt_scans_event_uq').on(t.eventId).where(sql`${t.eventId} is not null`),
    index('receipt_scans_book_idx').on(t.bookId, t.createdAt),
    // Housekeeping finds unanswered proposals and lost scans (migration 0018).
    index('receipt_scans_unanswered_idx').on(t.updatedAt).where(sql`${t.state} <> 'recorded'`),
  ],
);
