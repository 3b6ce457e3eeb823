import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { BalanceBucket, LocalDay, Rate, StatBucket, StatDim, StatRow, StatsStore } from '../../domain/statistics/ports.js';
import { affectedRows, rowsOf } from './rows.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Above this many dirty days a full rebuild is as cheap as patching, and simpler. */
const MAX_PATCH_DAYS = 366;

/** Advisory lock namespace for rollup refreshes (first key; the book id is the second). */
export const REFRESH_LOCK = 736403;

/** A half-open range of instants, as ISO text (the boundaries of local days, computed by PostgreSQL). */
interface Range {
  from: string;
  to: string;
}

/**
 * Re-aggregates the events of `bookId` into `stat_days`, with days cut in `tz`: all of them, or
 * only those in `ranges` (whole local days). The caller deletes the rows being replaced first.
 */
function rollupInsert(bookId: number, tz: string, ranges?: readonly Range[]): SQL {
  // Literal bounds let the planner see a day is a few hundred rows: index range scans and
  // nested loops, instead of a plan (and JIT compile) sized for the whole book.
  const source = ranges
    ? sql`from events e where e.book_id = ${bookId} and e.deleted_at is null and (${sql.join(
        ranges.map((r) => sql`(e.occurred_at >= ${r.from}::timestamptz and e.occurred_at < ${r.to}::timestamptz)`),
        sql` or `,
      )})`
    : sql`from events e where e.book_id = ${bookId} and e.deleted_at is null`;
  return sql`
    with ev as materialized (
      select e.id, e.kind, e.currency, e.amount_minor, e.author_id, e.account_id,
        e.to_account_id, e.to_amount_minor, e.to_currency,
        (e.occurred_at at time zone ${tz})::date as day
      ${source}
    )
    insert into stat_days (book_id, dim, day, key, kind, currency, amount_minor, count)
    select * from (
    select ${bookId}::int, 't' as dim, day, 0, kind, currency, sum(amount_minor), count(*)
      from ev where kind <> 'transfer' group by day, kind, currency
    union all
    select ${bookId}::int, 'a', day, coalesce(author_id, 0), kind, currency, sum(amount_minor), count(*)
      from ev where kind <> 'transfer' group by day, coalesce(author_id, 0), kind, currency
    union all
    select ${bookId}::int, 'l', ev.day, coalesce(el.label_id, 0), ev.kind, ev.currency, sum(ev.amount_minor), count(*)
      from ev left join event_labels el on el.event_id = ev.id
      where ev.kind <> 'transfer' group by ev.day, coalesce(el.label_id, 0), ev.kind, ev.currency
    union all
    select ${bookId}::int, 'b', day, account_id, '', currency, sum(delta), count(*) from (
      select day, account_id, currency,
        case when kind = 'income' then amount_minor else -amount_minor end as delta
      from ev
      union all
      select day, to_account_id, coalesce(to_currency, currency), coalesce(to_amount_minor, amount_minor)
      from ev where kind = 'transfer'
    ) moves group by day, account_id, currency
    ) agg
    -- Stored in the order they are read (dimension, then day): a year is a few heap pages.
    order by dim, day`;
}

/** `YYYY-MM-01` of a day's month. */
const monthOf = (day: LocalDay): LocalDay => `${day.slice(0, 7)}-01`;

/** The first day of the month after a month's first day (calendar arithmetic, no timezone). */
function nextMonth(first: LocalDay): LocalDay {
  const y = Number(first.slice(0, 4));
  const m = Number(first.slice(5, 7));
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01-01` : `${first.slice(0, 4)}-${String(m + 1).padStart(2, '0')}-01`;
}

/** (Re)writes the month rows of `months` (first days), or of every month, from the day rows. */
function monthsInsert(bookId: number, months?: readonly LocalDay[]): SQL {
  const which = months
    ? sql`and (${sql.join(
        months.map((m) => sql`(day >= ${m}::date and day < ${nextMonth(m)}::date)`),
        sql` or `,
      )})`
    : sql``;
  return sql`
    insert into stat_days (book_id, dim, day, key, kind, currency, amount_minor, count)
    select book_id, upper(dim), date_trunc('month', day)::date, key, kind, currency, sum(amount_minor), sum(count)
    from stat_days
    where book_id = ${bookId} and dim in ('t', 'l', 'a', 'b') ${which}
    group by book_id, upper(dim), date_trunc('month', day), key, kind, currency
    order by 2, 3`;
}

/**
 * Rows of `dims` covering the local days `[from, to)`: month rows for the whole months inside
 * it and day rows for the days before and after them, so a year reads 12 month groups rather
 * than 365 days. Columns: dim (lower case), day, key, kind, currency, amount_minor, count.
 */
function spanRows(bookId: number, dims: readonly string[], from: LocalDay, to: LocalDay, useMonths = true): SQL {
  const cols = sql`day, key, kind, currency, amount_minor, count`;
  const inList = (ds: readonly string[]) => sql.join(ds.map((d) => sql`${d}`), sql`, `);
  const days = (a: LocalDay, b: LocalDay) =>
    sql`select dim, ${cols} from stat_days where book_id = ${bookId} and dim in (${inList(dims)}) and day >= ${a}::date and day < ${b}::date`;
  const m1 = from === monthOf(from) ? from : nextMonth(monthOf(from));
  const m2 = monthOf(to);
  if (!useMonths || m1 >= m2) return days(from, to);
  return sql`
    select lower(dim) as dim, ${cols} from stat_days
      where book_id = ${bookId} and dim in (${inList(dims.map((d) => d.toUpperCase()))}) and day >= ${m1}::date and day < ${m2}::date
    union all ${days(from, m1)}
    union all ${days(m2, to)}`;
}

/**
 * Brings the rollup of a book up to date: a full rebuild when it has none or its days were cut
 * in another timezone, else a re-aggregation of the local days whose hours were marked dirty by
 * the triggers on events/event_labels. Serialised per book by an advisory lock.
 *
 * A write that commits while this runs is safe: its dirty mark was invisible to our delete (not
 * yet committed), so it stays for the next refresh.
 */
async function refresh(db: Db, bookId: number): Promise<void> {
  const [state] = rowsOf<{ tz: string | null; built: string | null; dirty: boolean }>(
    await db.execute(sql`
      select (select timezone from books where id = ${bookId}) as tz,
        (select timezone from stat_books where book_id = ${bookId}) as built,
        exists (select 1 from stat_dirty where book_id = ${bookId}) as dirty`),
  );
  if (!state?.tz || (state.built === state.tz && !state.dirty)) return;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${REFRESH_LOCK}, ${bookId})`);
    const [book] = rowsOf<{ tz: string; built: string | null }>(
      await tx.execute(sql`select b.timezone as tz, s.timezone as built
        from books b left join stat_books s on s.book_id = b.id where b.id = ${bookId}`),
    );
    if (!book) return;
    if (book.built !== book.tz) return rebuild(tx, bookId, book.tz);
    // The local days an hour touches: its first and last instant (zones with :30/:45 offsets).
    const days = rowsOf<{ day: string; from: string; to: string }>(
      await tx.execute(sql`
        with h as (delete from stat_dirty where book_id = ${bookId} returning hour),
        d as (
          select distinct v.d from h,
            lateral (values ((h.hour at time zone ${book.tz})::date),
                            (((h.hour + interval '1 hour' - interval '1 microsecond') at time zone ${book.tz})::date)) v(d))
        select d::text as day,
          to_char((d::timestamp at time zone ${book.tz}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "from",
          to_char(((d + 1)::timestamp at time zone ${book.tz}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "to"
        from d order by d`),
    );
    if (days.length === 0) return;
    if (days.length > MAX_PATCH_DAYS) return rebuild(tx, bookId, book.tz);
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
    await tx.execute(rollupInsert(bookId, book.tz, ranges));
    const months = [...new Set(days.map((d) => monthOf(d.day)))];
    await tx.execute(sql`delete from stat_days where book_id = ${bookId} and dim in ('T', 'L', 'A', 'B')
      and day = any(string_to_array(${months.join(',')}, ',')::date[])`);
    await tx.execute(monthsInsert(bookId, months));
  });
}

async function rebuild(tx: Tx, bookId: number, tz: string): Promise<void> {
  await tx.execute(sql`delete from stat_dirty where book_id = ${bookId}`);
  await tx.execute(sql`delete from stat_days where book_id = ${bookId}`);
  const inserted = affectedRows(await tx.execute(rollupInsert(bookId, tz)));
  await tx.execute(monthsInsert(bookId));
  // A large rebuild changes the table's statistics more than the planner knows until autovacuum
  // gets to it; its guesses (one row) would pick a sort-based plan several times slower.
  if (inserted > 20_000) await tx.execute(sql`analyze stat_days`);
  await tx.execute(sql`insert into stat_books (book_id, timezone, built_at) values (${bookId}, ${tz}, now())
    on conflict (book_id) do update set timezone = excluded.timezone, built_at = excluded.built_at`);
}


const bucketExpr = (bucket: 'day' | 'month'): SQL =>
  bucket === 'month' ? sql`to_char(day, 'YYYY-MM')` : sql`to_char(day, 'YYYY-MM-DD')`;

/** Statistics from the rollup, exchange rates. */
export function statsStore(db: Db) {
  // Reports ask for several figures at once; one refresh per book serves them all. Inside a
  // chat update's transaction this matters: the advisory lock does not exclude the same
  // session, so two refreshes there would both rebuild.
  const running = new Map<number, Promise<void>>();
  const refreshOnce = (bookId: number): Promise<void> => {
    let p = running.get(bookId);
    if (!p) {
      p = refresh(db, bookId).finally(() => running.delete(bookId));
      running.set(bookId, p);
    }
    return p;
  };
  return {
    async statTotals(bookId: number, from: LocalDay, to: LocalDay, dims: readonly StatDim[]): Promise<StatRow[]> {
      if (dims.length === 0) return [];
      await refreshOnce(bookId);
      const res = await db.execute(sql`
        select s.dim, s.key, s.kind, s.currency, s.amount, s.n,
          case s.dim when 'l' then l.name when 'a' then u.name end as name
        from (
          select dim, key, kind, currency, sum(amount_minor)::text as amount, sum(count)::int as n
          from (${spanRows(bookId, dims, from, to)}) span
          group by dim, key, kind, currency
        ) s
        left join labels l on s.dim = 'l' and l.id = s.key
        left join users u on s.dim = 'a' and u.id = s.key`);
      return rowsOf<{ dim: StatDim; key: number; kind: StatRow['kind']; currency: string; amount: string; n: number; name: string | null }>(
        res,
      ).map((r) => ({ dim: r.dim, key: r.key, name: r.name, kind: r.kind, currency: r.currency, minor: Number(r.amount), count: Number(r.n) }));
    },

    async statBuckets(bookId: number, from: LocalDay, to: LocalDay, bucket: 'day' | 'month'): Promise<StatBucket[]> {
      await refreshOnce(bookId);
      const res = await db.execute(sql`
        select ${bucketExpr(bucket)} as bucket, currency,
          coalesce(sum(amount_minor) filter (where kind = 'income'), 0)::text as income,
          coalesce(sum(amount_minor) filter (where kind = 'expense'), 0)::text as expense
        from (${spanRows(bookId, ['t'], from, to, bucket === 'month')}) span
        group by 1, currency order by 1, currency`);
      return rowsOf<{ bucket: string; currency: string; income: string; expense: string }>(res).map((r) => ({
        bucket: r.bucket,
        currency: r.currency,
        incomeMinor: Number(r.income),
        expenseMinor: Number(r.expense),
      }));
    },

    async balanceBuckets(bookId: number, from: LocalDay, to: LocalDay, bucket: 'day' | 'month') {
      await refreshOnce(bookId);
      const [openingRes, bucketRes] = await Promise.all([
        db.execute(sql`
          select a.id, (a.opening_minor + coalesce(s.minor, 0))::text as minor
          from accounts a
          left join (
            select key, sum(amount_minor) as minor from (${spanRows(bookId, ['b'], '0001-01-01', from)}) span group by key
          ) s on s.key = a.id
          where a.book_id = ${bookId} and a.deleted_at is null`),
        db.execute(sql`
          select key as account_id, ${bucketExpr(bucket)} as bucket, sum(amount_minor)::text as delta
          from (${spanRows(bookId, ['b'], from, to, bucket === 'month')}) span
          group by key, 2 order by 2, key`),
      ]);
      const opening = new Map(rowsOf<{ id: number; minor: string }>(openingRes).map((r) => [r.id, Number(r.minor)]));
      const buckets: BalanceBucket[] = rowsOf<{ account_id: number; bucket: string; delta: string }>(bucketRes).map((r) => ({
        accountId: r.account_id,
        bucket: r.bucket,
        deltaMinor: Number(r.delta),
      }));
      return { opening, buckets };
    },

    async listRates(bookId: number, bookCurrency: string): Promise<Rate[]> {
      // A transfer in either direction between the book currency and another one implies a rate;
      // the newest per currency wins, and competes with `/rate` by time.
      const res = await db.execute(sql`
        select distinct on (currency) currency, per_minor::text as per, book_minor::text as book, source, at
        from (
          select currency, per_minor, book_minor, 'rate' as source, updated_at as at
          from rates where book_id = ${bookId} and base = ${bookCurrency} and currency <> ${bookCurrency}
          union all
          -- Per currency the newest transfer, found walking events_book_fx_idx backwards (a book
          -- may hold thousands of such transfers; only the last one matters).
          select c.currency, t.per_minor, t.book_minor, 'transfer', t.at
          from (select distinct currency from accounts where book_id = ${bookId} and currency <> ${bookCurrency}) c
          cross join lateral (
            select case when e.to_currency = ${bookCurrency} then e.amount_minor else e.to_amount_minor end as per_minor,
              case when e.to_currency = ${bookCurrency} then e.to_amount_minor else e.amount_minor end as book_minor,
              e.occurred_at as at
            from events e
            where e.book_id = ${bookId} and e.kind = 'transfer' and e.to_currency <> e.currency and e.deleted_at is null
              and ((e.currency = ${bookCurrency} and e.to_currency = c.currency) or (e.currency = c.currency and e.to_currency = ${bookCurrency}))
            order by e.occurred_at desc limit 1
          ) t
        ) r
        where per_minor > 0 and book_minor > 0
        order by currency, at desc, source`);
      return rowsOf<{ currency: string; per: string; book: string; source: Rate['source']; at: Date | string }>(res).map((r) => ({
        currency: r.currency,
        perMinor: Number(r.per),
        bookMinor: Number(r.book),
        source: r.source,
        at: r.at instanceof Date ? r.at : new Date(r.at),
      }));
    },

    async setRate(bookId: number, r: { currency: string; perMinor: number; bookMinor: number; base: string; at: Date }): Promise<void> {
      await db.execute(sql`
        insert into rates (book_id, currency, per_minor, book_minor, base, updated_at)
        values (${bookId}, ${r.currency}, ${r.perMinor}, ${r.bookMinor}, ${r.base}, ${r.at.toISOString()})
        on conflict (book_id, currency) do update
          set per_minor = excluded.per_minor, book_minor = excluded.book_minor, base = excluded.base,
            updated_at = excluded.updated_at`);
    },
  } satisfies Partial<StatsStore>;
}

/** For tests and the benchmark: refreshes the rollup of a book now. */
export const refreshStats = refresh;
