import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { LocalDay } from '../../domain/statistics/ports.js';
import { affectedRows, rowsOf } from './rows.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Advisory lock namespace for rollup refreshes (first key; the book id is the second). */
export const REFRESH_LOCK = 736403;

/**
 * Local days the background re-aggregates per transaction: about a month of a busy book (tens of
 * thousands of events, a few hundred milliseconds), so a single-connection PGlite serves chat
 * messages between two chunks instead of waiting for a whole book.
 */
export const DRAIN_CHUNK_DAYS = 31;

/** A half-open range of instants, as ISO text (the boundaries of local days, computed by PostgreSQL). */
interface Range {
  from: string;
  to: string;
}

/** The first instant of a local day in `tz`, as a PostgreSQL expression. */
export const dayStart = (day: LocalDay | SQL, tz: string | SQL): SQL => sql`((${day})::date::timestamp at time zone ${tz})`;

/**
 * The rows of the rollup (dim, day, key, kind, currency, amount_minor, count) aggregated straight
 * (the events trigger of migrations 0020/0021 folds a bulk insert with the same aggregation, and
 * starts a book's rollup from all its events when it has at most 10,000 besides the insert's)
 * from the events of `bookId` that `where` keeps (a condition on `e`), days cut in `tz`: the
 * dimensions `dims` only (t totals, a authors, l labels, b account moves).
 */
export function aggregate(bookId: number, tz: string, where: SQL, dims: readonly string[] = ['t', 'a', 'l', 'b']): SQL {
  const parts: SQL[] = [];
  if (dims.includes('t'))
    parts.push(sql`select 't' as dim, day, 0 as key, kind, currency, sum(amount_minor) as amount_minor, count(*) as count
      from ev where kind <> 'transfer' group by day, kind, currency`);
  if (dims.includes('a'))
    parts.push(sql`select 'a', day, coalesce(author_id, 0), kind, currency, sum(amount_minor), count(*)
      from ev where kind <> 'transfer' group by day, coalesce(author_id, 0), kind, currency`);
  if (dims.includes('l'))
    parts.push(sql`select 'l', ev.day, coalesce(el.label_id, 0), ev.kind, ev.currency, sum(ev.amount_minor), count(*)
      from ev left join event_labels el on el.event_id = ev.id
      where ev.kind <> 'transfer' group by ev.day, coalesce(el.label_id, 0), ev.kind, ev.currency`);
  if (dims.includes('b'))
    parts.push(sql`select 'b', day, account_id, '', currency, sum(delta), count(*) from (
      select day, account_id, currency,
        case when kind = 'income' then amount_minor else -amount_minor end as delta
      from ev
      union all
      select day, to_account_id, coalesce(to_currency, currency), coalesce(to_amount_minor, amount_minor)
      from ev where kind = 'transfer'
    ) moves group by day, account_id, currency`);
  return sql`
    with ev as materialized (
      select e.id, e.kind, e.currency, e.amount_minor, e.author_id, e.account_id,
        e.to_account_id, e.to_amount_minor, e.to_currency,
        (e.occurred_at at time zone ${tz})::date as day
      from events e where e.book_id = ${bookId} and e.deleted_at is null and (${where})
    )
    select * from (${sql.join(parts, sql` union all `)}) agg (dim, day, key, kind, currency, amount_minor, count)`;
}

/** Re-aggregates the events of the local days in `ranges` into `stat_days` (the caller deleted the old rows). */
function rollupInsert(bookId: number, tz: string, ranges: readonly Range[]): SQL {
  // Literal bounds let the planner see a day is a few hundred rows: index range scans and
  // nested loops, instead of a plan (and JIT compile) sized for the whole book.
  const where = sql.join(
    ranges.map((r) => sql`(e.occurred_at >= ${r.from}::timestamptz and e.occurred_at < ${r.to}::timestamptz)`),
    sql` or `,
  );
  return sql`
    insert into stat_days (book_id, dim, day, key, kind, currency, amount_minor, count)
    select ${bookId}::int, dim, day, key, kind, currency, amount_minor, count from (${aggregate(bookId, tz, where)}) agg
    -- Stored in the order they are read (dimension, then day): a year is a few heap pages.
    order by dim, day`;
}

/** `YYYY-MM-01` of a day's month. */
export const monthOf = (day: LocalDay): LocalDay => `${day.slice(0, 7)}-01`;

/** The first day of the month after a month's first day (calendar arithmetic, no timezone). */
export function nextMonth(first: LocalDay): LocalDay {
  const y = Number(first.slice(0, 4));
  const m = Number(first.slice(5, 7));
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01-01` : `${first.slice(0, 4)}-${String(m + 1).padStart(2, '0')}-01`;
}

/** (Re)writes the month rows of `months` (first days) from the day rows. */
function monthsInsert(bookId: number, months: readonly LocalDay[]): SQL {
  return sql`
    insert into stat_days (book_id, dim, day, key, kind, currency, amount_minor, count)
    select book_id, upper(dim), date_trunc('month', day)::date, key, kind, currency, sum(amount_minor), sum(count)
    from stat_days
    where book_id = ${bookId} and dim in ('t', 'l', 'a', 'b') and (${sql.join(
      months.map((m) => sql`(day >= ${m}::date and day < ${nextMonth(m)}::date)`),
      sql` or `,
    )})
    group by book_id, upper(dim), date_trunc('month', day), key, kind, currency
    order by 2, 3`;
}

/**
 * Re-aggregates the local days touched by the book's dirty marks (the triggers' marks of changed
 * UTC hours) — all of them, or those of the marks touching the instants `[window.from,
 * window.to)` — and their months. Each mark is taken whole (both local days of an hour that
 * crosses local midnight), so what stays marked is exactly what is still stale. Returns the day
 * rows written. The caller holds the book's refresh lock, and the rollup is cut in `tz`.
 */
async function patch(tx: Tx, bookId: number, tz: string, window?: { from: SQL; to: SQL }): Promise<number> {
  const which = window ? sql`and hour < ${window.to} and hour + interval '1 hour' > ${window.from}` : sql``;
  // The local days an hour touches: its first and last instant (zones with :30/:45 offsets).
  const days = rowsOf<{ day: string; from: string; to: string }>(
    await tx.execute(sql`
      with h as (delete from stat_dirty where book_id = ${bookId} ${which} returning hour),
      d as (
        select distinct v.d from h,
          lateral (values ((h.hour at time zone ${tz})::date),
                          (((h.hour + interval '1 hour' - interval '1 microsecond') at time zone ${tz})::date)) v(d))
      select d::text as day,
        to_char((d::timestamp at time zone ${tz}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "from",
        to_char(((d + 1)::timestamp at time zone ${tz}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "to"
      from d order by d`),
  );
  if (days.length === 0) return 0;
  // Neighbouring days merge into one range.
  const ranges: Range[] = [];
  for (const d of days) {
    const last = ranges[ranges.length - 1];
    if (last && last.to === d.from) last.to = d.to;
    else ranges.push({ from: d.from, to: d.to });
  }
  const list = days.map((d) => d.day).join(',');
  // Naming every dimension lets the primary key (book, dim, day, …) find the days.
  await tx.execute(sql`delete from stat_days where book_id = ${bookId} and dim in ('t', 'l', 'a', 'b')
    and day = any(string_to_array(${list}, ',')::date[])`);
  const written = affectedRows(await tx.execute(rollupInsert(bookId, tz, ranges)));
  const months = [...new Set(days.map((d) => monthOf(d.day)))];
  await tx.execute(sql`delete from stat_days where book_id = ${bookId} and dim in ('T', 'L', 'A', 'B')
    and day = any(string_to_array(${months.join(',')}, ',')::date[])`);
  await tx.execute(monthsInsert(bookId, months));
  return written;
}

/**
 * Starts the rollup of a book anew in `tz` without aggregating anything now: the old rows go,
 * the book is marked as cut in `tz`, and every local day from its first to its last event is
 * marked dirty (one mark per day, at the hour of its local midnight). The reads then answer from
 * the events until the background has patched the days (`drainStats`). One short statement per
 * step; the caller holds the book's refresh lock.
 */
async function reset(tx: Tx, bookId: number, tz: string): Promise<void> {
  await tx.execute(sql`delete from stat_dirty where book_id = ${bookId}`);
  await tx.execute(sql`delete from stat_days where book_id = ${bookId}`);
  await tx.execute(sql`insert into stat_books (book_id, timezone, built_at) values (${bookId}, ${tz}, now())
    on conflict (book_id) do update set timezone = excluded.timezone, built_at = excluded.built_at`);
  // min and max walk events_book_occurred_idx from either end.
  await tx.execute(sql`
    insert into stat_dirty (book_id, hour)
    select ${bookId}::int, date_trunc('hour', ${dayStart(sql`d`, tz)}, 'UTC')
    from (select min(occurred_at) as a, max(occurred_at) as b from events where book_id = ${bookId} and deleted_at is null) m,
      generate_series((m.a at time zone ${tz})::date, (m.b at time zone ${tz})::date, interval '1 day') d
    where m.a is not null`);
}

/** How a read stands: the book's zone, the zone its rollup is cut in, and dirty local days in its span. */
export interface RollupState {
  tz: string | null;
  built: string | null;
  /** Distinct local days of the marks touching the span (an approximation good for a threshold). */
  spanDays: number;
}

/** The state of the rollup for a read of the local days `[from, to)`. */
export async function rollupState(db: Db | Tx, bookId: number, from: LocalDay, to: LocalDay): Promise<RollupState> {
  const [state] = rowsOf<{ tz: string | null; built: string | null; span_days: number | string }>(
    await db.execute(sql`
      select b.timezone as tz, s.timezone as built,
        (select count(distinct (d.hour at time zone b.timezone)::date) from stat_dirty d
          where d.book_id = b.id and d.hour < ${dayStart(to, sql`b.timezone`)}
            and d.hour + interval '1 hour' > ${dayStart(from, sql`b.timezone`)}) as span_days
      from books b left join stat_books s on s.book_id = b.id where b.id = ${bookId}`),
  );
  return { tz: state?.tz ?? null, built: state?.built ?? null, spanDays: Number(state?.span_days ?? 0) };
}

/**
 * Takes the book's refresh lock for this transaction if nobody holds it: a bulk write folding
 * into the rollup holds it shared until it commits (an import of a million rows: minutes), another
 * refresh exclusively. Nothing waits for it; the caller reads from the events or comes back later.
 */
async function tryRefreshLock(tx: Tx, bookId: number): Promise<boolean> {
  const [row] = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${REFRESH_LOCK}, ${bookId}) as ok`));
  return row?.ok === true;
}

/**
 * Brings the rollup up to date for the local days `[from, to)` only: re-aggregates the dirty
 * days touching them, under the book's refresh lock. A rollup cut in another zone (or none) is
 * reset instead and `false` returned: the span must then be read from the events. So is a book
 * whose lock is held (an import folding into it, another refresh).
 */
export async function patchSpan(db: Db | Tx, bookId: number, from: LocalDay, to: LocalDay): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await tryRefreshLock(tx, bookId))) return false;
    const [book] = rowsOf<{ tz: string; built: string | null }>(
      await tx.execute(sql`select b.timezone as tz, s.timezone as built
        from books b left join stat_books s on s.book_id = b.id where b.id = ${bookId}`),
    );
    if (!book) return true;
    if (book.built !== book.tz) {
      await reset(tx, bookId, book.tz);
      return false;
    }
    await patch(tx, bookId, book.tz, { from: dayStart(from, book.tz), to: dayStart(to, book.tz) });
    return true;
  });
}

/**
 * The background's share: brings a book's whole rollup up to date, DRAIN_CHUNK_DAYS local days
 * per transaction from the oldest dirty day on (a rollup cut in another zone, or none, is reset
 * first), until no mark is left or the book's refresh lock is busy. Writes that commit meanwhile
 * leave new marks, which the loop takes too. Returns the day rows written.
 */
export async function drainStats(db: Db, bookId: number, opts: { chunkDays?: number } = {}): Promise<number> {
  const chunk = Math.max(2, opts.chunkDays ?? DRAIN_CHUNK_DAYS);
  let written = 0;
  for (;;) {
    const more = await db.transaction(async (tx) => {
      // A book whose lock is held (an import in progress) is left for the next run.
      if (!(await tryRefreshLock(tx, bookId))) return false;
      const [book] = rowsOf<{ tz: string; built: string | null; first: string | null }>(
        await tx.execute(sql`select b.timezone as tz, s.timezone as built,
            (select (min(hour) at time zone b.timezone)::date::text from stat_dirty where book_id = b.id) as first
          from books b left join stat_books s on s.book_id = b.id where b.id = ${bookId}`),
      );
      if (!book) return false;
      if (book.built !== book.tz) {
        await reset(tx, bookId, book.tz);
        return true;
      }
      if (!book.first) return false;
      // Every mark touching these days goes, so each chunk starts past the last one's marks.
      const from = dayStart(book.first, book.tz);
      const to = dayStart(sql`${book.first}::date + ${chunk}::int`, book.tz);
      written += await patch(tx, bookId, book.tz, { from, to });
      return true;
    });
    if (!more) break;
  }
  // A large refresh changes the table's statistics more than the planner knows until autovacuum
  // gets to it; its guesses (one row) would pick a sort-based plan several times slower.
  if (written > 20_000) await db.execute(sql`analyze stat_days`);
  return written;
}
