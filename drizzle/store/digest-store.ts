import { randomUUID } from 'node:crypto';
import { jsonItems } from './json-items.js';
import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { DigestSettingsStore, ReminderStore, ScheduledDigest } from '../../domain/digests/ports.js';
import type { DigestEvery, DigestKind } from '../../domain/digests/schedule.js';
import type { Book, Language, Platform } from '../../domain/types.js';
import { keepNotices, type NoticeRow } from './notice-outbox-store.js';
import { rowsOf } from './rows.js';

/** How long a worker holds due settings while it composes their messages. */
const LEASE_MS = 2 * 60_000;

const asDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

/** The chat's digest and reminder settings (`/digest`, `/remind`). */
export function digestSettingsStore(db: Db): DigestSettingsStore {
  return {
    async digestSettings(platform, chatId) {
      const rows = rowsOf<{ kind: DigestKind; every: DigestEvery; at_minute: number; next_at: unknown }>(
        await db.execute(sql`select kind, every, at_minute, next_at from digest_settings where platform = ${platform} and chat_id = ${chatId}`),
      );
      const out: Partial<Record<DigestKind, ScheduledDigest>> = {};
      for (const r of rows) out[r.kind] = { every: r.every, atMinute: r.at_minute, nextAt: asDate(r.next_at) };
      return out;
    },
    async setDigestSetting(platform, chatId, kind, s) {
      if (!s) {
        await db.execute(sql`delete from digest_settings where platform = ${platform} and chat_id = ${chatId} and kind = ${kind}`);
        return;
      }
      // `set_at` is the moment before the next run: runs before the setting are not its.
      const setAt = new Date(s.nextAt.getTime() - 1);
      await db.execute(sql`
        insert into digest_settings (platform, chat_id, kind, every, at_minute, next_at, last_run_at, set_at)
        values (${platform}, ${chatId}, ${kind}, ${s.every}, ${s.atMinute}, ${s.nextAt.toISOString()}::timestamptz, null, ${setAt.toISOString()}::timestamptz)
        on conflict (platform, chat_id, kind) do update set every = excluded.every, at_minute = excluded.at_minute,
          next_at = excluded.next_at, last_run_at = null, set_at = excluded.set_at`);
    },
  };
}

/** A setting whose run has come, with its chat and book. */
export interface DueDigest {
  platform: Platform;
  chatId: string;
  kind: DigestKind;
  every: DigestEvery;
  atMinute: number;
  nextAt: Date;
  lastRunAt: Date | null;
  setAt: Date;
  chatKind: 'private' | 'group';
  /** The chat blocked the bot or is gone (`chats.blocked_at`). */
  blocked: boolean;
  book: Book;
}

/** What became of one due setting: messages to keep and the next run, or turned off. */
export type DueOutcome = { notices: NoticeRow[]; nextAt: Date; lastRunAt?: Date } | { off: true };

/** The digest worker's side of `digest_settings`. */
export interface DigestRunStore extends ReminderStore {
  runDue(now: Date, limit: number, handle: (rows: DueDigest[]) => Promise<DueOutcome[]>): Promise<{ claimed: number; kept: number; off: DueDigest[] }>;
  turnOffChat(platform: Platform, chatId: string): Promise<DigestKind[]>;
}

/** The digest worker's side of `digest_settings`. */
export function digestRunStore(db: Db, relay: string): DigestRunStore {
  return {
    /**
     * Runs up to `limit` due settings: claims them with a lease (FOR UPDATE SKIP LOCKED, in a
     * statement of its own, so workers share them and composing holds no transaction open), lets
     * `handle` decide outside any transaction (it reads the ledger; on PGlite a read inside would
     * wait for itself), then in one transaction moves each setting it still holds to its next
     * run, removes those turned off and keeps their messages in `notice_outbox` (a key kept once).
     * A worker that dies before that commit sent nothing; its lease ends and another does the run.
     */
    async runDue(now, limit, handle) {
      const token = randomUUID();
      const at = now.toISOString();
      const until = new Date(now.getTime() + LEASE_MS).toISOString();
      const rows = rowsOf<{
        platform: Platform; chat_id: string; kind: DigestKind; every: DigestEvery; at_minute: number; next_at: unknown; last_run_at: unknown;
        set_at: unknown; chat_kind: 'private' | 'group'; blocked: boolean; book_id: number; title: string; currency: string; timezone: string;
        language: Language; default_account_id: number | null;
      }>(
        await db.execute(sql`
          with due as (
            select platform, chat_id, kind from digest_settings
            where next_at <= ${at}::timestamptz and (claimed_until is null or claimed_until <= ${at}::timestamptz)
            order by next_at limit ${limit}
            for update skip locked),
          claimed as (
            update digest_settings d set claimed_by = ${token}, claimed_until = ${until}::timestamptz
            from due where d.platform = due.platform and d.chat_id = due.chat_id and d.kind = due.kind
            returning d.*)
          select d.platform, d.chat_id, d.kind, d.every, d.at_minute, d.next_at, d.last_run_at, d.set_at,
            c.kind as chat_kind, c.blocked_at is not null as blocked,
            b.id as book_id, b.title, b.currency, b.timezone, b.language, b.default_account_id
          from claimed d
          join chats c on c.platform = d.platform and c.chat_id = d.chat_id
          join books b on b.id = c.book_id`),
      );
      if (rows.length === 0) return { claimed: 0, kept: 0, off: [] };
      const due: DueDigest[] = rows.map((r) => ({
        platform: r.platform,
        chatId: r.chat_id,
        kind: r.kind,
        every: r.every,
        atMinute: r.at_minute,
        nextAt: asDate(r.next_at),
        lastRunAt: r.last_run_at ? asDate(r.last_run_at) : null,
        setAt: asDate(r.set_at),
        chatKind: r.chat_kind,
        blocked: r.blocked,
        book: { id: r.book_id, title: r.title, currency: r.currency, timezone: r.timezone, language: r.language, defaultAccountId: r.default_account_id },
      }));
      const outcomes = await handle(due);
      const id = (d: { platform: string; chatId: string; kind: string }) => `${d.platform}\u0000${d.chatId}\u0000${d.kind}`;
      const moved: { p: string; c: string; k: string; n: string; l: string | null }[] = [];
      const off: DueDigest[] = [];
      due.forEach((d, i) => {
        const o = outcomes[i]!;
        if ('off' in o) off.push(d);
        else moved.push({ p: d.platform, c: d.chatId, k: d.kind, n: o.nextAt.toISOString(), l: o.lastRunAt?.toISOString() ?? null });
      });
      return db.transaction(async (tx) => {
        const held = new Set<string>();
        if (moved.length) {
          const done = rowsOf<{ platform: string; chat_id: string; kind: string }>(
            await tx.execute(sql`
              update digest_settings d set next_at = m.n::timestamptz, last_run_at = coalesce(m.l::timestamptz, d.last_run_at),
                claimed_by = null, claimed_until = null
              from ${jsonItems(moved)} j cross join jsonb_to_record(j) as m(p text, c text, k text, n text, l text)
              where d.platform = m.p and d.chat_id = m.c and d.kind = m.k and d.claimed_by = ${token}
              returning d.platform, d.chat_id, d.kind`),
          );
          for (const r of done) held.add(id({ platform: r.platform, chatId: r.chat_id, kind: r.kind }));
        }
        // Only the runs this worker still held: a lease taken over meanwhile is the other worker's.
        const notices: NoticeRow[] = due.flatMap((d, i) => {
          const o = outcomes[i]!;
          return 'off' in o || !held.has(id(d)) ? [] : o.notices;
        });
        await keepNotices(tx, relay, notices);
        const gone: DueDigest[] = [];
        for (const d of off) {
          const r = rowsOf<{ kind: string }>(
            await tx.execute(sql`delete from digest_settings where platform = ${d.platform} and chat_id = ${d.chatId} and kind = ${d.kind} and claimed_by = ${token} returning kind`),
          );
          if (r.length) gone.push(d);
        }
        return { claimed: due.length, kept: notices.length, off: gone };
      });
    },

    async recordedBetween(bookId, from, to) {
      const f = from.toISOString();
      const t = to.toISOString();
      // Dated that day (the partial index on occurred_at), or written that day (the latest events by #N).
      const rows = rowsOf<{ yes: boolean }>(
        await db.execute(sql`
          select exists (select 1 from events where book_id = ${bookId} and deleted_at is null
                          and occurred_at >= ${f}::timestamptz and occurred_at < ${t}::timestamptz)
              or exists (select 1 from (select created_at, deleted_at from events where book_id = ${bookId} order by seq desc limit 50) e
                          where e.deleted_at is null and e.created_at >= ${f}::timestamptz and e.created_at < ${t}::timestamptz) as yes`),
      );
      return rows[0]?.yes ?? false;
    },

    /** Turns off every digest and reminder of a chat (it blocked the bot or is gone); resolves which. */
    async turnOffChat(platform, chatId) {
      const rows = rowsOf<{ kind: DigestKind }>(
        await db.execute(sql`delete from digest_settings where platform = ${platform} and chat_id = ${chatId} returning kind`),
      );
      return rows.map((r) => r.kind).sort();
    },
  };
}
