import { sql, type SQL } from 'drizzle-orm';
import type { LocalDay } from '../../domain/statistics/ports.js';
import { aggregate, dayStart, monthOf, nextMonth } from './stats-rollup.js';

/**
 * Rows of `dims` (lower case) covering the local days `[from, to)` of a book whose rollup is cut
 * in `tz`, read without writing anything and without the book's refresh lock: the rollup's rows
 * of the days no dirty mark touches (month rows for whole months without such a day), and the
 * events of the marked days aggregated as the rollup would aggregate them (`aggregate`). Columns
 * as `spanRows`: dim, day, key, kind, currency, amount_minor, count.
 *
 * One statement, so one snapshot: a day is either marked (its events are read) or its rows hold
 * every event that snapshot sees (a patch deletes the marks it folded in and rewrites their days
 * in one transaction). This is the read of the record path (budget alerts): patching there took
 * the book's refresh lock and committed a rewrite of the day for every record, so ten records of
 * one book at a time queued behind each other's patches. The marked days stay marked for the
 * minute upkeep, or for the next read that patches.
 */
export function freshSpanRows(bookId: number, tz: string, dims: readonly string[], from: LocalDay, to: LocalDay): SQL {
  const inList = (ds: readonly string[]) => sql.join(ds.map((d) => sql`${d}`), sql`, `);
  const m1 = from === monthOf(from) ? from : nextMonth(monthOf(from));
  const m2 = monthOf(to);
  const months = m1 < m2;
  // The marked days of the span: both local days of each marked hour, as the patch takes them.
  // The events of those days are found walking events_book_occurred_idx from the first one's
  // midnight to the last one's end, then kept by their local day.
  const live = sql`e.occurred_at >= (select min(${dayStart(sql`day`, tz)}) from dirty)
    and e.occurred_at < (select max(${dayStart(sql`day + 1`, tz)}) from dirty)
    and (e.occurred_at at time zone ${tz})::date in (select day from dirty)`;
  return sql`
    with dirty as materialized (
      select distinct v.d as day from stat_dirty h,
        lateral (values ((h.hour at time zone ${tz})::date),
                        (((h.hour + interval '1 hour' - interval '1 microsecond') at time zone ${tz})::date)) v(d)
      where h.book_id = ${bookId} and h.hour < ${dayStart(to, tz)} and h.hour + interval '1 hour' > ${dayStart(from, tz)}
        and v.d >= ${from}::date and v.d < ${to}::date
    )
    ${
      months
        ? sql`select lower(s.dim) as dim, s.day, s.key, s.kind, s.currency, s.amount_minor, s.count from stat_days s
      where s.book_id = ${bookId} and s.dim in (${inList(dims.map((d) => d.toUpperCase()))}) and s.day >= ${m1}::date and s.day < ${m2}::date
        and not exists (select 1 from dirty d where d.day >= s.day and d.day < (s.day + interval '1 month')::date)
    union all`
        : sql``
    }
    select s.dim, s.day, s.key, s.kind, s.currency, s.amount_minor, s.count from stat_days s
      where s.book_id = ${bookId} and s.dim in (${inList(dims)}) and s.day >= ${from}::date and s.day < ${to}::date
        and not exists (select 1 from dirty d where d.day = s.day)
        ${
          months
            ? sql`and (s.day < ${m1}::date or s.day >= ${m2}::date or exists (select 1 from dirty d
              where d.day >= date_trunc('month', s.day)::date and d.day < (date_trunc('month', s.day) + interval '1 month')::date))`
            : sql``
        }
    union all
    select dim, day, key, kind, currency, amount_minor, count from (${aggregate(bookId, tz, live, dims)}) live`;
}
