import { sql } from 'drizzle-orm';
import { jsonItems } from './json-items.js';
import type { Db } from '../db.js';
import type { Platform } from '../../domain/types.js';
import { rowsOf } from './rows.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** A message to keep: where it goes, its idempotency key, and the message itself (JSON). */
export interface NoticeRow {
  key: string;
  platform: Platform;
  chatId: string;
  message: unknown;
}

/** A kept message waiting to be relayed. */
export interface PendingNotice {
  id: number;
  key: string;
  message: unknown;
  attempts: number;
}

/** Longest wait between two relay attempts of one message. */
const MAX_BACKOFF_S = 10;
/**
 * A relayed message not done after this long is relayed again: its job may have gone with an
 * emptied Redis. (A job still queued ignores the repeat: the job id is the key.)
 */
const RELAY_AGAIN_AFTER_MS = 120_000;
/** ...for this long after it was first relayed. */
const RELAY_AGAIN_UNTIL = '1 hour';
/**
 * How long a delivery holds a message it is sending. Longer than any send (a chart drawn and
 * uploaded); a worker killed mid-send leaves it to expire, and BullMQ's stalled-job check (30 s)
 * runs the job again about then.
 */
export const SEND_LEASE_MS = 60_000;

/** The relay group of processes without Redis. */
export const LOCAL_RELAY = 'local';

/**
 * Writes messages to `notice_outbox` with `q` (the database, or the transaction that made
 * them) for the processes of relay group `relay` (their Redis key prefix, or
 * {@link LOCAL_RELAY}); a key already there is skipped, so a retried producer keeps a message once.
 */
export async function keepNotices(q: Db | Tx, relay: string, rows: readonly NoticeRow[]): Promise<void> {
  if (rows.length === 0) return;
  await (q as Db).execute(sql`
    insert into notice_outbox (relay, key, platform, chat_id, message)
    select ${relay}, r.k, r.p, r.c, r.m from ${jsonItems(rows.map((r) => ({ k: r.key, p: r.platform, c: r.chatId, m: r.message })))} j cross join jsonb_to_record(j) as r(k text, p text, c text, m jsonb)
    on conflict (key) do nothing`);
}

/**
 * `notice_outbox` on the database, for the processes of one relay group (processes with
 * different Redis prefixes on one database are different deployments: benchmarks, tests).
 */
export function noticeOutboxStore(db: Db, relay: string = LOCAL_RELAY, opts: { relayAgainAfterMs?: number } = {}) {
  const again = `${Math.max(0, Math.trunc(opts.relayAgainAfterMs ?? RELAY_AGAIN_AFTER_MS))} milliseconds`;
  return {
    keep: (rows: readonly NoticeRow[]) => keepNotices(db, relay, rows),

    /**
     * Claims up to `limit` due pending messages (FOR UPDATE SKIP LOCKED, so processes share
     * them), hands them to `handOver` inside the transaction, marks the ids it returns relayed and
     * puts the others back with a backoff. A crash before the commit leaves them all pending.
     * Resolves how many were claimed.
     */
    async relay(limit: number, handOver: (rows: PendingNotice[]) => Promise<Set<number>>): Promise<number> {
      return db.transaction(async (tx) => {
        const rows = rowsOf<{ id: string | number; key: string; message: unknown; attempts: number }>(
          await tx.execute(sql`
            select id, key, message, attempts from notice_outbox
            where relay = ${relay} and (
              (relayed_at is null and not_before <= now())
              or (done_at is null and relayed_at is not null
                  and relayed_at < now() - ${again}::interval and created_at > now() - ${RELAY_AGAIN_UNTIL}::interval))
            order by not_before, id limit ${limit}
            for update skip locked`),
        ).map((r) => ({ id: Number(r.id), key: r.key, message: typeof r.message === 'string' ? JSON.parse(r.message) : r.message, attempts: r.attempts }));
        if (rows.length === 0) return 0;
        const done = await handOver(rows);
        const ok = `{${rows.filter((r) => done.has(r.id)).map((r) => r.id).join(',')}}`;
        const failed = `{${rows.filter((r) => !done.has(r.id)).map((r) => r.id).join(',')}}`;
        await tx.execute(sql`update notice_outbox set relayed_at = now() where id = any(${ok}::bigint[])`);
        await tx.execute(sql`
          update notice_outbox set attempts = attempts + 1,
            not_before = now() + make_interval(secs => least(${MAX_BACKOFF_S}, power(2, attempts)))
          where id = any(${failed}::bigint[])`);
        return rows.length;
      });
    },

    /**
     * Takes the message with this key for one delivery, for `leaseMs`: `go` (send it), `done`
     * (sent or refused for good already: send nothing), or `busy` (another delivery has it now:
     * try again later). A key not kept here (nothing to guard) is `go`.
     */
    async claim(key: string, leaseMs: number = SEND_LEASE_MS): Promise<'go' | 'done' | 'busy'> {
      // One statement: the UPDATE takes the lease; the reads see the row as it was before it.
      const [r] = rowsOf<{ taken: number; kept: number; done: number }>(
        await db.execute(sql`
          with taken as (
            update notice_outbox set sending_until = now() + make_interval(secs => ${leaseMs / 1000})
            where key = ${key} and done_at is null and (sending_until is null or sending_until < now())
            returning 1)
          select (select count(*) from taken)::int as taken, count(*)::int as kept, count(*) filter (where done_at is not null)::int as done
          from notice_outbox where key = ${key}`),
      );
      if (!r || r.taken > 0 || r.kept === 0) return 'go';
      return r.done > 0 ? 'done' : 'busy';
    },

    /** Gives a claimed message back (its send failed and will be retried). */
    async release(key: string): Promise<void> {
      await db.execute(sql`update notice_outbox set sending_until = null where key = ${key} and done_at is null`);
    },

    /** Marks the message with this key sent (or refused for good): it is never sent again. */
    async markDone(key: string): Promise<void> {
      await db.execute(sql`update notice_outbox set done_at = now(), sending_until = null where key = ${key} and done_at is null`);
    },

    /**
     * Makes every pending message due now (the outbound queue is reachable again). With
     * `relayedToo` (Redis reconnected: it may have come back empty), messages relayed within the
     * hour and not yet sent are relayed again now too, instead of after the relay-again period; a
     * job Redis still holds ignores the repeat (its id is the key), a sent one is skipped.
     */
    async retryNow(opts: { relayedToo?: boolean } = {}): Promise<void> {
      await db.execute(sql`update notice_outbox set not_before = now(), relayed_at = null
        where relay = ${relay} and done_at is null and (
          (relayed_at is null and not_before > now())
          or (${opts.relayedToo ?? false} and relayed_at is not null and created_at > now() - ${RELAY_AGAIN_UNTIL}::interval))`);
    },

    /** Messages not yet relayed. */
    async pending(): Promise<number> {
      const [r] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from notice_outbox where relayed_at is null and relay = ${relay}`));
      return r?.n ?? 0;
    },

    /** Forgets messages relayed before `before` (their keys may then be written again). */
    async prune(before: Date): Promise<void> {
      await db.execute(sql`delete from notice_outbox where relayed_at < ${before.toISOString()}::timestamptz`);
    },
  };
}

export type NoticeOutboxStore = ReturnType<typeof noticeOutboxStore>;
