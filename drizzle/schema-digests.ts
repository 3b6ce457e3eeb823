import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * What a chat asked COIN to send on its own (issue 18): the weekly/monthly digest and the daily
 * reminder, one row per chat and kind; no row is "off". `next_at` is the next run, moved on in
 * the transaction that keeps its message in `notice_outbox`. Migration 0012.
 */
export const digestSettings = pgTable(
  'digest_settings',
  {
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    /** `digest` or `reminder`. */
    kind: text('kind').notNull(),
    /** `weekly`/`monthly` (digest), `daily` (reminder). */
    every: text('every').notNull(),
    /** Local time of day, minutes after midnight in the book's time zone. */
    atMinute: integer('at_minute').notNull(),
    nextAt: ts('next_at').notNull(),
    /** The run last handled (sent, or skipped for a reason): a run at or before it is not sent again. */
    lastRunAt: ts('last_run_at'),
    /** When the chat set it: runs before it are not its. */
    setAt: ts('set_at').notNull(),
    /** The worker composing its run now, and until when (a lease: a dead worker's runs are taken over). */
    claimedBy: text('claimed_by'),
    claimedUntil: ts('claimed_until'),
  },
  (t) => [
    primaryKey({ name: 'digest_settings_pk', columns: [t.platform, t.chatId, t.kind] }),
    index('digest_settings_due_idx').on(t.nextAt),
    check('digest_settings_kind_ck', sql`${t.kind} in ('digest', 'reminder')`),
    check(
      'digest_settings_every_ck',
      sql`(${t.kind} = 'digest' and ${t.every} in ('weekly', 'monthly')) or (${t.kind} = 'reminder' and ${t.every} = 'daily')`,
    ),
    check('digest_settings_minute_ck', sql`${t.atMinute} >= 0 and ${t.atMinute} < 1440`),
    // (platform, chat_id) references chats with ON DELETE CASCADE (in the migration; not repeated
    // here, where importing `chats` would make schema.ts and this file import each other).
  ],
);
