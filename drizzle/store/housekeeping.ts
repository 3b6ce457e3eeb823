import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { affectedRows } from './rows.js';
import { RECEIPT_RETENTION } from '../../domain/receipts/retention.js';

/**
 * How long an update id is remembered for dropping redeliveries. Telegram keeps an update for at
 * most 24 hours and Discord an interaction for 15 minutes; a week is far past both.
 */
export const PROCESSED_UPDATE_RETENTION_MS = 7 * 24 * 3600_000;

export interface PruneResult {
  updates: number;
  linkCodes: number;
  /** Applied inbox updates and sent replies past the retention (issue 12). */
  inbox: number;
  outbox: number;
  /** Receipt scans (and their photos) never answered or never read (issue 18). */
  receipts: number;
  /** Bank statement previews nobody imported or cancelled, past their expiry (24 h). */
  statements: number;
}

/**
 * Forgets what is no longer needed, run by the every-minute sweep: update ids older than the
 * retention (at most `batch` per run, oldest first through the `processed_at` index, so a run
 * stays short; a busy bot's minute brings fewer than that), link codes past their expiry, applied
 * inbox updates and sent replies past the retention, receipt proposals nobody answered within a
 * week and scans left `reading` for a day (photos included; recorded ones stay with their
 * records), and statement previews past their expiry (the statement's bytes included).
 */
export async function pruneExpired(db: Db, now: Date, opts: { batch?: number } = {}): Promise<PruneResult> {
  const cutoff = new Date(now.getTime() - PROCESSED_UPDATE_RETENTION_MS).toISOString();
  const updates = affectedRows(
    await db.execute(sql`
      delete from processed_updates where key in (
        select key from processed_updates where processed_at < ${cutoff}::timestamptz
        order by processed_at limit ${opts.batch ?? 100_000})`),
  );
  const linkCodes = affectedRows(await db.execute(sql`delete from link_codes where expires_at <= ${now.toISOString()}::timestamptz`));
  const batch = opts.batch ?? 100_000;
  const inbox = affectedRows(
    await db.execute(sql`
      delete from chat_inbox where key in (
        select key from chat_inbox where done_at is not null and done_at < ${cutoff}::timestamptz order by done_at limit ${batch})`),
  );
  const outbox = affectedRows(
    await db.execute(sql`
      delete from chat_outbox where id in (
        select id from chat_outbox where sent_at is not null and sent_at < ${cutoff}::timestamptz order by sent_at limit ${batch})`),
  );
  // Photos are up to 10 MB each: at most a thousand a run (the next minute takes the rest).
  const unanswered = new Date(now.getTime() - RECEIPT_RETENTION.unansweredMs).toISOString();
  const lost = new Date(now.getTime() - RECEIPT_RETENTION.lostReadingMs).toISOString();
  const receipts = affectedRows(
    await db.execute(sql`
      delete from receipt_scans where id in (
        select id from receipt_scans where state <> 'recorded' and updated_at < ${lost}::timestamptz
          and (state = 'reading' or updated_at < ${unanswered}::timestamptz)
        order by updated_at limit ${Math.min(batch, 1000)})`),
  );
  const statements = affectedRows(await db.execute(sql`delete from statement_previews where expires_at <= ${now.toISOString()}::timestamptz`));
  return { updates, linkCodes, inbox, outbox, receipts, statements };
}
