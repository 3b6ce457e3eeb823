import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { BalanceBucket, LocalDay, Rate, StatBucket, StatDim, StatRow, StatsStore } from '../../domain/statistics/ports.js';
import { rowsOf } from './rows.js';
import { dayStart, aggregate, monthOf, nextMonth, patchSpan, rollupState } from './stats-rollup.js';
import { freshSpanRows } from './stats-fresh.js';

/**
 * At most this many dirty local days in a read's span are re-aggregated before it reads (a new
 * record, an edit, a day of chat). More than that — a new timezone, a first read, a bulk import
 * the rollup could not take (migrations 0020/0021 fold bulk inserts into a current rollup, or
 * start it with them when the book has at most 10,000 other events) — and the read is answered
 * from the events of its span while the minute upkeep patches the
 * rollup in the background (`drainStats`): no read waits on a rebuild of a whole book.
 */
export const SYNC_PATCH_DAYS = 7;

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

const bucketExpr = (bucket: 'day' | 'month'): SQL =>
  bucket === 'month' ? sql`to_char(day, 'YYYY-MM')` : sql`to_char(day, 'YYYY-MM-DD')`;

/** Statistics from the rollup, exchange rates. */
export function statsStore(db: Db) {
  // Reports ask for several figures at once. Inside a chat update's transaction this matters: the
  // advisory lock does not exclude the same session, so the preparations of one book take turns.
  const turns = new Map<number, Promise<unknown>>();
  const inTurn = <T>(bookId: number, work: () => Promise<T>): Promise<T> => {
    const p = (turns.get(bookId) ?? Promise.resolve()).then(work, work);
    const settled = p.catch(() => {});
    turns.set(bookId, settled);
    void settled.then(() => turns.get(bookId) === settled && turns.delete(bookId));
    return p;
  };
  /**
   * Where a read of `dims` over the local days `[from, to)` comes from: the rollup, after patching
   * the few dirty days of the span; or, when the span has more of them or the rollup is missing
   * or cut in another zone, the events of the span aggregated the same way (the rollup is left
   * to the background).
   */
  const source = (bookId: number, dims: readonly string[], from: LocalDay, to: LocalDay, useMonths = true): Promise<SQL> =>
    inTurn(bookId, async () => {
      const state = await rollupState(db, bookId, from, to);
      if (!state.tz) return spanRows(bookId, dims, from, to, useMonths);
      const current = state.built === state.tz;
      if (current && state.spanDays === 0) return spanRows(bookId, dims, from, to, useMonths);
      if ((!current || state.spanDays <= SYNC_PATCH_DAYS) && (await patchSpan(db, bookId, from, to))) return spanRows(bookId, dims, from, to, useMonths);
      const where = sql`e.occurred_at >= ${dayStart(from, state.tz)} and e.occurred_at < ${dayStart(to, state.tz)}`;
      return sql`select dim, day, key, kind, currency, amount_minor, count from (${aggregate(bookId, state.tz, where, dims)}) live`;
    });
  /**
   * `source` for a read that must not wait (`readOnly`): a current rollup is read as it stands,
   * its dirty days from the events (`freshSpanRows`), with no lock and no write; only a book
   * whose rollup is missing or cut in another zone takes the usual way (once).
   */
  const readOnlySource = async (bookId: number, dims: readonly string[], from: LocalDay, to: LocalDay): Promise<SQL> => {
    const state = await rollupState(db, bookId, from, to);
    if (!state.tz || state.built !== state.tz) return source(bookId, dims, from, to);
    return state.spanDays === 0 ? spanRows(bookId, dims, from, to) : freshSpanRows(bookId, state.tz, dims, from, to);
  };
  return {
    async statTotals(bookId: number, from: LocalDay, to: LocalDay, dims: readonly StatDim[], opts?: { readOnly?: boolean }): Promise<StatRow[]> {
      if (dims.length === 0) return [];
      const span = await (opts?.readOnly ? readOnlySource : source)(bookId, dims, from, to);
      const res = await db.execute(sql`
        select s.dim, s.key, s.kind, s.currency, s.amount, s.n,
          case s.dim when 'l' then l.name when 'a' then u.name end as name
        from (
          select dim, key, kind, currency, sum(amount_minor)::text as amount, sum(count)::int as n
          from (${span}) span
          group by dim, key, kind, currency
        ) s
        left join labels l on s.dim = 'l' and l.id = s.key
        left join users u on s.dim = 'a' and u.id = s.key`);
      return rowsOf<{ dim: StatDim; key: number; kind: StatRow['kind']; currency: string; amount: string; n: number; name: string | null }>(
        res,
      ).map((r) => ({ dim: r.dim, key: r.key, name: r.name, kind: r.kind, currency: r.currency, minor: Number(r.amount), count: Number(r.n) }));
    },

    async statBuckets(bookId: number, from: LocalDay, to: LocalDay, bucket: 'day' | 'month'): Promise<StatBucket[]> {
      const span = await source(bookId, ['t'], from, to, bucket === 'month');
      const res = await db.execute(sql`
        select ${bucketExpr(bucket)} as bucket, currency,
          coalesce(sum(amount_minor) filter (where kind = 'income'), 0)::text as income,
          coalesce(sum(amount_minor) filter (where kind = 'expense'), 0)::text as expense
        from (${span}) span
        group by 1, currency order by 1, currency`);
      return rowsOf<{ bucket: string; currency: string; income: string; expense: string }>(res).map((r) => ({
        bucket: r.bucket,
        currency: r.currency,
        incomeMinor: Number(r.income),
        expenseMinor: Number(r.expense),
      }));
    },

    async balanceBuckets(bookId: number, from: LocalDay, to: LocalDay, bucket: 'day' | 'month') {
      const before = await source(bookId, ['b'], '0001-01-01', from);
      const span = await source(bookId, ['b'], from, to, bucket === 'month');
      const [openingRes, bucketRes] = await Promise.all([
        db.execute(sql`
          select a.id, (a.opening_minor + coalesce(s.minor, 0))::text as minor
          from accounts a
          left join (
            select key, sum(amount_minor) as minor from (${before}) span group by key
          ) s on s.key = a.id
          where a.book_id = ${bookId} and a.deleted_at is null`),
        db.execute(sql`
          select key as account_id, ${bucketExpr(bucket)} as bucket, sum(amount_minor)::text as delta
          from (${span}) span
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

