import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { BalanceBucket, LocalDay, Rate, StatBucket, StatDim, StatRow, StatsStore } from '../../domain/stats-ports.js';
import { rowsOf } from './rows.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Above this many dirty days a full rebuild is as cheap as patching, and simpler. */
const MAX_PATCH_DAYS = 366;

/** Advisory lock namespace for rollup refreshes (first key; the book id is the second). */
const REFRESH_LOCK = 736403;

/**
 * Re-aggregates the events of `bookId` selected by `filter` (an SQL condition on `e`) into
 * `stat_days`, with days cut in `tz`. The caller deletes the rows being replaced first.
 */
function rollupInsert(bookId: number, tz: string, filter: SQL): SQL {
  return sql`
    with ev as materialized (
      select e.id, e.kind, e.currency, e.amount_minor, e.author_id, e.account_id,
        e.to_account_id, e.to_amount_minor, e.to_currency,
        (e.occurred_at at time zone ${tz})::date as day
      from events e
      where e.book_id = ${bookId} and e.deleted_at is null and ${filter}
    )
    insert into stat_days (book_id, dim, day, key, kind, currency, amount_minor, count)
    select ${bookId}::int, 't', day, 0, kind, currency, sum(amount_minor), count(*)
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
    ) moves group by day, account_id, currency`;
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
    const days = rowsOf<{ day: string }>(
      await tx.execute(sql`
        with h as (delete from stat_dirty where book_id = ${bookId} returning hour)
        select distinct d::text as day from h,
          lateral (values ((h.hour at time zone ${book.tz})::date),
                          (((h.hour + interval '1 hour' - interval '1 microsecond') at time zone ${book.tz})::date)) v(d)`),
    ).map((r) => r.day);
    if (days.length === 0) return;
    if (days.length > MAX_PATCH_DAYS) return rebuild(tx, bookId, book.tz);
    const list = days.join(',');
    await tx.execute(sql`delete from stat_days where book_id = ${bookId} and day = any(string_to_array(${list}, ',')::date[])`);
    await tx.execute(
      rollupInsert(
        bookId,
        book.tz,
        sql`exists (select 1 from unnest(string_to_array(${list}, ',')::date[]) d
          where e.occurred_at >= (d::timestamp at time zone ${book.tz})
            and e.occurred_at < ((d + 1)::timestamp at time zone ${book.tz}))`,
      ),
    );
  });
}

async function rebuild(tx: Tx, bookId: number, tz: string): Promise<void> {
  await tx.execute(sql`delete from stat_dirty where book_id = ${bookId}`);
  await tx.execute(sql`delete from stat_days where book_id = ${bookId}`);
  await tx.execute(rollupInsert(bookId, tz, sql`true`));
  await tx.execute(sql`insert into stat_books (book_id, timezone, built_at) values (${bookId}, ${tz}, now())
    on conflict (book_id) do update set timezone = excluded.timezone, built_at = excluded.built_at`);
}

const bucketExpr = (bucket: 'day' | 'month'): SQL =>
  bucket === 'month' ? sql`to_char(day, 'YYYY-MM')` : sql`to_char(day, 'YYYY-MM-DD')`;

/** Statistics from the rollup, exchange rates. */
export function statsStore(db: Db) {
  return {
    async statTotals(bookId: number, from: LocalDay, to: LocalDay, dims: readonly StatDim[]): Promise<StatRow[]> {
      if (dims.length === 0) return [];
      await refresh(db, bookId);
      const res = await db.execute(sql`
        select s.dim, s.key, s.kind, s.currency, s.amount, s.n,
          case s.dim when 'l' then l.name when 'a' then u.name end as name
        from (
          select dim, key, kind, currency, sum(amount_minor)::text as amount, sum(count)::int as n
          from stat_days
          where book_id = ${bookId} and dim in (${sql.join(dims.map((d) => sql`${d}`), sql`, `)})
            and day >= ${from}::date and day < ${to}::date
          group by dim, key, kind, currency
        ) s
        left join labels l on s.dim = 'l' and l.id = s.key
        left join users u on s.dim = 'a' and u.id = s.key`);
      return rowsOf<{ dim: StatDim; key: number; kind: StatRow['kind']; currency: string; amount: string; n: number; name: string | null }>(
        res,
      ).map((r) => ({ dim: r.dim, key: r.key, name: r.name, kind: r.kind, currency: r.currency, minor: Number(r.amount), count: Number(r.n) }));
    },

    async statBuckets(bookId: number, from: LocalDay, to: LocalDay, bucket: 'day' | 'month'): Promise<StatBucket[]> {
      await refresh(db, bookId);
      const res = await db.execute(sql`
        select ${bucketExpr(bucket)} as bucket, currency,
          coalesce(sum(amount_minor) filter (where kind = 'income'), 0)::text as income,
          coalesce(sum(amount_minor) filter (where kind = 'expense'), 0)::text as expense
        from stat_days
        where book_id = ${bookId} and dim = 't' and day >= ${from}::date and day < ${to}::date
        group by 1, currency order by 1, currency`);
      return rowsOf<{ bucket: string; currency: string; income: string; expense: string }>(res).map((r) => ({
        bucket: r.bucket,
        currency: r.currency,
        incomeMinor: Number(r.income),
        expenseMinor: Number(r.expense),
      }));
    },

    async balanceBuckets(bookId: number, from: LocalDay, to: LocalDay, bucket: 'day' | 'month') {
      await refresh(db, bookId);
      const [openingRes, bucketRes] = [
        await db.execute(sql`
          select a.id, (a.opening_minor + coalesce(sum(s.amount_minor), 0))::text as minor
          from accounts a
          left join stat_days s on s.book_id = ${bookId} and s.dim = 'b' and s.key = a.id and s.day < ${from}::date
          where a.book_id = ${bookId} and a.deleted_at is null
          group by a.id, a.opening_minor`),
        await db.execute(sql`
          select key as account_id, ${bucketExpr(bucket)} as bucket, sum(amount_minor)::text as delta
          from stat_days
          where book_id = ${bookId} and dim = 'b' and day >= ${from}::date and day < ${to}::date
          group by key, 2 order by 2, key`),
      ];
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
          select case when e.to_currency = ${bookCurrency} then e.currency else e.to_currency end,
            case when e.to_currency = ${bookCurrency} then e.amount_minor else e.to_amount_minor end,
            case when e.to_currency = ${bookCurrency} then e.to_amount_minor else e.amount_minor end,
            'transfer', e.occurred_at
          from events e
          where e.book_id = ${bookId} and e.kind = 'transfer' and e.to_currency <> e.currency and e.deleted_at is null
            and (e.currency = ${bookCurrency} or e.to_currency = ${bookCurrency})
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
