import { sql } from 'drizzle-orm';
import { jsonItems } from './json-items.js';
import type { Db } from '../db.js';
import type { Platform } from '../../domain/types.js';
import { rowsOf } from './rows.js';
import { withDbRetry, type RetryOptions } from '../transient.js';

/**
 * The delivery side of `chat_outbox` (issue 12; docs/durability.md): replies written in the
 * transaction of their effect are claimed by one sender at a time (`claimed_by`, a lease of
 * {@link REPLY_LEASE_SECONDS}), sent, and marked. {@link ChatOutboxStore.turn} keeps one chat's
 * replies in outbox order across processes.
 */

/** How long a process owns replies it wrote or claimed before another may take them. */
export const REPLY_LEASE_SECONDS = 10;

/** A reply to write: where it goes, what it says, and (an interaction's answer) how to reach it later. */
export interface Queued<R> {
  platform: Platform;
  chatId: string;
  reply: R;
  replyTo?: number | undefined;
  editMessageId?: number | undefined;
  via?: Readonly<Record<string, unknown>> | undefined;
}

/** A reply written and not yet sent, as the sender gets it. */
export interface PendingRow<R> extends Queued<R> {
  id: number;
  attempts: number;
  /**
   * Replies of the chat written before this one and unsent when it was written; absent when not
   * known (a reply taken from the table later, or more than {@link EARLIER_MAX} of them).
   */
  earlier?: number[] | undefined;
}

/** A row of `chat_outbox` as the queries below return it. */
export interface OutboxRow {
  id: string | number;
  platform: Platform;
  chat_id: string;
  reply: unknown;
  reply_to: string | number | null;
  edit_message_id: string | number | null;
  via?: unknown;
  attempts: number;
  /** {@link EARLIER}, where the statement asked for it. */
  earlier?: (string | number)[] | string | null;
}

export interface JournalCodec<R> {
  /** Reply → JSON-safe value stored in `chat_outbox.reply`. */
  encode(r: R): unknown;
  decode(v: unknown): R;
}

export const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/** `chat_outbox` row → the sender's reply. */
export const pendingRow =
  <R>(codec: JournalCodec<R>) =>
  (row: OutboxRow): PendingRow<R> => ({
    id: Number(row.id),
    platform: row.platform,
    chatId: row.chat_id,
    reply: codec.decode(json(row.reply)),
    replyTo: row.reply_to === null ? undefined : Number(row.reply_to),
    editMessageId: row.edit_message_id === null ? undefined : Number(row.edit_message_id),
    ...(row.via === null || row.via === undefined ? {} : { via: json(row.via) as Record<string, unknown> }),
    attempts: row.attempts,
    ...earlierOf(row.earlier),
  });

/** {@link EARLIER} as postgres.js (parsed, or the text `{1,2}`) or JSON gives it; left out when it ran over its limit. */
function earlierOf(v: OutboxRow['earlier']): { earlier?: number[] } {
  if (v === undefined || v === null) return {};
  const ids = (Array.isArray(v) ? v : v.replace(/[{}[\]]/g, '').split(',').filter(Boolean)).map(Number);
  return ids.length > EARLIER_MAX ? {} : { earlier: ids };
}

/** The columns a pending reply is read with. */
export const PENDING_COLUMNS = sql.raw('id, platform, chat_id, reply, reply_to, edit_message_id, via, attempts');

/** The most earlier replies {@link EARLIER} lists; a chat with more is left to the turn. */
export const EARLIER_MAX = 20;

/**
 * For a `returning` of rows just written to `chat_outbox`: the replies of the same chat written
 * before and not yet sent (as the statement saw them, so not its own rows), up to
 * {@link EARLIER_MAX} + 1. A sender holding all of them itself can send without asking the
 * database for the chat's turn (bot/reply-sender.ts).
 */
export const EARLIER = sql.raw(`array(select o.id from chat_outbox o where o.platform = chat_outbox.platform and o.chat_id = chat_outbox.chat_id
    and o.sent_at is null and o.id < chat_outbox.id order by o.id limit ${EARLIER_MAX + 1}) as earlier`);

/**
 * Writes replies (in order: ids are drawn in that order), claimed by their writer for the lease,
 * when `guard` (a condition of the statement) holds; answers them as written. `items` are the
 * rows of {@link replyItems}.
 */
export const insertReplies = (items: readonly ReplyItem[], guard = sql`true`) => sql`
  insert into chat_outbox (platform, chat_id, reply, reply_to, edit_message_id, via, claimed_until)
  select x.platform, x.chat_id, x.reply, x.reply_to, x.edit_message_id, x.via, now() + make_interval(secs => ${REPLY_LEASE_SECONDS})
  from ${jsonItems(items)} j cross join jsonb_to_record(j) as x(ord int, platform text, chat_id text, reply jsonb, reply_to bigint, edit_message_id bigint, via jsonb)
  where ${guard}
  order by x.ord
  returning ${PENDING_COLUMNS}, ${EARLIER}`;

/**
 * What settling a reply sets, whichever way it ends (sent, given up, chat unreachable): never
 * sent again, unclaimed, and an interaction's token (Discord, `via`) gone from the row.
 */
const SETTLED = sql`sent_at = now(), claimed_until = null, via = via - 'token'`;

/**
 * Settles a chat's pending replies as undeliverable: the chat can no longer receive from the bot.
 * A statement (or a CTE) returning the ids settled.
 */
export const settleChatReplies = (platform: Platform, chatId: string, reason: string) => sql`
  update chat_outbox set ${SETTLED}, failed = ${`unreachable: ${reason}`.slice(0, 500)}
  where platform = ${platform} and chat_id = ${chatId} and sent_at is null returning id`;

/** A reply as {@link insertReplies} reads it. */
interface ReplyItem {
  ord: number;
  platform: string;
  chat_id: string;
  reply: unknown;
  reply_to: number | null;
  edit_message_id: number | null;
  via: unknown;
}

/** Replies as the rows {@link insertReplies} reads. */
export const replyItems = <R>(codec: JournalCodec<R>, replies: Queued<R>[]): ReplyItem[] =>
  replies.map((r, ord) => ({ ord, platform: r.platform, chat_id: r.chatId, reply: codec.encode(r.reply), reply_to: r.replyTo ?? null, edit_message_id: r.editMessageId ?? null, via: r.via ?? null }));

/** The outcome of {@link ChatOutboxStore.turn}. */
export interface ChatTurn<R> {
  /** The chat's pending replies this sender holds now (those asked for that are still its, and earlier ones it adopted), oldest first. */
  mine: PendingRow<R>[];
  /**
   * The oldest earlier reply of the chat it could not take: held by another live sender
   * (`held`), or given back to wait until `dueInMs` (a 429's `retry_after`). Only `mine` below
   * its id may be sent now.
   */
  blocker?: { id: number; held: boolean; dueInMs: number } | undefined;
}

const idList = (ids: number[]) => `{${ids.map((n) => String(Math.trunc(n))).join(',')}}`;
const lease = sql`now() + make_interval(secs => ${REPLY_LEASE_SECONDS})`;

export function chatOutboxStore<R>(db: Db, codec: JournalCodec<R>, retry: RetryOptions = {}) {
  const pending = pendingRow(codec);
  return {
    /**
     * Replies sent: never sent again. What they said is forgotten (`{}`): the chat has it, and the
     * row is kept a week only so it is not sent twice. A reply given up keeps its text (the reason
     * is looked into).
     */
    async markSent(ids: number[]): Promise<void> {
      if (!ids.length) return;
      await withDbRetry(() => db.execute(sql`update chat_outbox set ${SETTLED}, reply = '{}'::jsonb where id = any(${idList(ids)}::bigint[])`), retry);
    },

    /** Gives the replies back, to be sent not before `at` (rate limited, network down): a failed attempt. */
    async retryLater(ids: number[], at: Date): Promise<void> {
      if (!ids.length) return;
      await withDbRetry(
        () =>
          db.execute(sql`update chat_outbox set claimed_until = null, claimed_by = null, not_before = ${at.toISOString()}::timestamptz, attempts = attempts + 1
            where id = any(${idList(ids)}::bigint[]) and sent_at is null`),
        retry,
      );
    },

    /**
     * Gives replies this sender holds back without an attempt: an earlier reply of their chat is
     * still pending elsewhere. Whoever sends that one (or any sender's sweep) takes them after it,
     * not before `at`.
     */
    async release(ids: number[], owner: string, at: Date): Promise<void> {
      if (!ids.length) return;
      await withDbRetry(
        () =>
          db.execute(sql`update chat_outbox set claimed_until = null, claimed_by = null, not_before = greatest(not_before, ${at.toISOString()}::timestamptz)
            where id = any(${idList(ids)}::bigint[]) and sent_at is null and (claimed_by = ${owner} or claimed_by is null)`),
        retry,
      );
    },

    /** The platform refuses these for good (chat gone, bad markup): recorded, not sent. */
    async giveUp(ids: number[], reason: string): Promise<void> {
      if (!ids.length) return;
      await withDbRetry(
        () => db.execute(sql`update chat_outbox set ${SETTLED}, failed = ${reason.slice(0, 500)} where id = any(${idList(ids)}::bigint[])`),
        retry,
      );
    },

    /**
     * The chat can no longer receive from the bot (blocked, kicked, DMs closed): marks it, settles
     * its pending replies as undeliverable (never retried) and turns off its digests and reminders,
     * in one statement. Someone writing from the chat again makes it reachable (`enter`).
     */
    async unreachable(platform: Platform, chatId: string, reason: string): Promise<{ settled: number; off: string[] }> {
      const [row] = rowsOf<{ settled: number; off: string[] | string | null }>(
        await withDbRetry(
          () =>
            db.execute(sql`
              with chat as (
                update chats set blocked_at = now() where platform = ${platform} and chat_id = ${chatId} and blocked_at is null returning 1
              ), off as (
                delete from digest_settings where platform = ${platform} and chat_id = ${chatId} returning kind
              ), settled as (${settleChatReplies(platform, chatId, reason)})
              select (select count(*) from settled)::int as settled, (select json_agg(kind order by kind) from off) as off`),
          retry,
        ),
      );
      return { settled: row?.settled ?? 0, off: (json(row?.off ?? null) as string[] | null) ?? [] };
    },

    /** Extends the claim on replies this sender still holds in memory (not on ones another took meanwhile). */
    async renew(ids: number[], owner?: string): Promise<void> {
      if (!ids.length) return;
      const mine = owner === undefined ? sql`true` : sql`(claimed_by is null or claimed_by = ${owner})`;
      await db.execute(sql`update chat_outbox set claimed_until = ${lease} where id = any(${idList(ids)}::bigint[]) and sent_at is null and ${mine}`);
    },

    /** Claims due replies nobody holds (their process died, or a retry is due), oldest first. */
    async takeDue(platform: Platform, limit: number, owner?: string): Promise<PendingRow<R>[]> {
      const rows = rowsOf<OutboxRow>(
        await db.execute(sql`
          update chat_outbox set claimed_until = ${lease}, claimed_by = ${owner ?? null}
          where id in (
            select id from chat_outbox
            where platform = ${platform} and sent_at is null and not_before <= now() and (claimed_until is null or claimed_until < now())
            order by id limit ${limit} for update skip locked)
          returning ${PENDING_COLUMNS}`),
      );
      return rows.map(pending).sort((a, b) => a.id - b.id);
    },

    /**
     * A chat's turn to send, across processes (one statement). Claims for `owner` the replies it
     * asks for (`ids`, unless another sender took them meanwhile), the chat's replies it already
     * holds, and every due reply of the chat nobody holds (a dead sender's, one given back); and
     * names the oldest pending reply of the chat before the last of those that it could not take.
     * The sender sends only what lies before that one, so a chat's replies leave in outbox order
     * whichever process wrote them (ids of one chat grow in the order their effects committed:
     * the inbox applies a chat's updates one at a time).
     */
    async turn(platform: Platform, chatId: string, ids: number[], owner: string): Promise<ChatTurn<R>> {
      const rows = rowsOf<OutboxRow & { mine: boolean; held: boolean | null; due_in_ms: string | number | null }>(
        await db.execute(sql`
          with mine as (
            update chat_outbox set claimed_by = ${owner}, claimed_until = ${lease}
            where platform = ${platform} and chat_id = ${chatId} and sent_at is null and (
              (id = any(${idList(ids)}::bigint[]) and (claimed_by is null or claimed_by = ${owner} or claimed_until < now()))
              or claimed_by = ${owner}
              or ((claimed_until is null or claimed_until < now()) and not_before <= now()))
            returning ${PENDING_COLUMNS})
          select id, platform, chat_id, reply, reply_to, edit_message_id, via, attempts, true as mine, null::boolean as held, null::float8 as due_in_ms from mine
          union all
          select * from (
            select o.id, o.platform, o.chat_id, null::jsonb, null::bigint, null::bigint, null::jsonb, o.attempts, false,
              coalesce(o.claimed_until > now(), false), greatest(0, extract(epoch from (o.not_before - now())) * 1000)::float8
            from chat_outbox o
            where o.platform = ${platform} and o.chat_id = ${chatId} and o.sent_at is null
              and o.id not in (select id from mine) and o.id < (select max(id) from mine)
            order by o.id limit 1) blocker`),
      );
      const mine = rows.filter((r) => r.mine).map(pending).sort((a, b) => a.id - b.id);
      const b = rows.find((r) => !r.mine);
      return { mine, blocker: b ? { id: Number(b.id), held: !!b.held, dueInMs: Number(b.due_in_ms ?? 0) } : undefined };
    },
  };
}

export type ChatOutboxStore<R> = ReturnType<typeof chatOutboxStore<R>>;
