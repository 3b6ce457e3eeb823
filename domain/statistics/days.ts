import { DateTime } from 'luxon';
import type { Period } from '../parsing/period.js';
import type { LocalDay } from './ports.js';

/** The local calendar day (`YYYY-MM-DD`) of an instant in `tz`. */
export function localDay(instant: Date, tz: string): LocalDay {
  return DateTime.fromJSDate(instant, { zone: tz }).toFormat('yyyy-LL-dd');
}

/** A period as the half-open range of local days the statistics store reads. */
export function dayRange(p: Period, tz: string): { from: LocalDay; to: LocalDay } {
  return { from: localDay(p.start, tz), to: localDay(p.end, tz) };
}

/** How a chart over `p` is cut: months when it spans more than about two months, else days. */
export function bucketOf(p: Period, tz: string): 'day' | 'month' {
  const days = DateTime.fromJSDate(p.end, { zone: tz }).diff(DateTime.fromJSDate(p.start, { zone: tz }), 'days').days;
  return days > 62 ? 'month' : 'day';
}

/**
 * Every bucket key of `[from, to)` in order (`YYYY-MM-DD` or `YYYY-MM`), so charts show empty
 * days and months too. `until` (exclusive), when given, stops early: the current year's chart
 * ends with the current month rather than showing empty months to come.
 */
export function bucketKeys(from: LocalDay, to: LocalDay, bucket: 'day' | 'month', until?: LocalDay): string[] {
  const keys: string[] = [];
  let d = DateTime.fromISO(from, { zone: 'UTC' });
  const end = DateTime.fromISO(until && until < to ? until : to, { zone: 'UTC' });
  if (bucket === 'month') d = d.startOf('month');
  while (d < end) {
    keys.push(d.toFormat(bucket === 'month' ? 'yyyy-LL' : 'yyyy-LL-dd'));
    d = d.plus(bucket === 'month' ? { months: 1 } : { days: 1 });
  }
  return keys;
}
