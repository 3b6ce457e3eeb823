import { DateTime } from 'luxon';
import type { Period } from '../parsing/period.js';

/** When a budget runs out at the pace spent so far. */
export interface RunOut {
  /** Local midnight (book time zone) of the day the limit is reached. */
  day: Date;
  /** That day's number in its month (24 → "the 24th"). */
  dayOfMonth: number;
}

/**
 * Days of a period to wait before projecting: a few records on the first day say little about a
 * month (at least 2 days, a tenth of the period: 2 in a week, 3–4 in a month).
 */
export const minDaysFor = (periodDays: number): number => Math.max(2, Math.ceil(periodDays / 10));

/** Whole local days of a period (a DST day counts as one). */
export function periodDays(period: Pick<Period, 'start' | 'end'>, tz: string): number {
  const start = DateTime.fromJSDate(period.start, { zone: tz }).startOf('day');
  const end = DateTime.fromJSDate(period.end, { zone: tz }).startOf('day');
  return Math.round(end.diff(start, 'days').days);
}

/**
 * The day a budget runs out if spending goes on at the pace of the period so far, when that is
 * before the period ends; undefined otherwise.
 *
 * The pace is `spent` over the local days elapsed, today included (`elapsed`); the limit is
 * reached on day `k = ⌈limit · elapsed / spent⌉` (1-based) of the period, computed in integers.
 * Nothing is projected when `now` is outside the period, nothing was spent, the limit is already
 * reached (the 100 % alert says so), or fewer than {@link minDaysFor} days have elapsed.
 */
export function projectRunOut(p: { spentMinor: number; limitMinor: number; period: Pick<Period, 'start' | 'end'>; now: Date; tz: string }): RunOut | undefined {
  const { spentMinor, limitMinor, period, now, tz } = p;
  if (now.getTime() < period.start.getTime() || now.getTime() >= period.end.getTime()) return undefined;
  if (spentMinor <= 0 || limitMinor <= 0 || spentMinor >= limitMinor) return undefined;
  const days = periodDays(period, tz);
  const start = DateTime.fromJSDate(period.start, { zone: tz }).startOf('day');
  const today = DateTime.fromJSDate(now, { zone: tz }).startOf('day');
  const elapsed = Math.round(today.diff(start, 'days').days) + 1;
  if (elapsed < minDaysFor(days)) return undefined;
  const spent = BigInt(spentMinor);
  const k = (BigInt(limitMinor) * BigInt(elapsed) + spent - 1n) / spent;
  if (k > BigInt(days)) return undefined;
  const day = start.plus({ days: Number(k) - 1 });
  return { day: day.toJSDate(), dayOfMonth: day.day };
}
