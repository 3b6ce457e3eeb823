import { DateTime } from 'luxon';
import { DomainError } from '../errors.js';

const TODAY = new Set(['today', 'сегодня']);
const YESTERDAY = new Set(['yesterday', 'вчера']);

/** How far back `DD.MM` looks for a year that has that day (29.02 needs up to 8 years). */
const YEAR_LOOKBACK = 8;

/**
 * Reads one date word of a record line in the book's timezone `tz` (a valid IANA name).
 *
 * - `today` → `now`; `yesterday` → 12:00 local time the calendar day before (a day written
 *   without a time is midday, the same on every path: chat, API, templates).
 * - `YYYY-MM-DD`, `DD.MM.YYYY`, `DD/MM/YYYY`, `DD.MM.YY` → 12:00 local time on that date:
 *   midday stays inside the same local day whatever the DST shifts.
 * - `DD.MM` → the latest such date that is not after today in `tz` (so `31.12` typed on
 *   2 January means last year's). The month has two digits (`5.03`, not `5.3`) and day/month
 *   must be in 1–31/1–12, so note words like `0.5` or `1.5` (litres, kilos) are not dates.
 *
 * Returns `undefined` when the token is not date-shaped at all.
 *
 * @throws DomainError `date_invalid` ({date}) for a date-shaped token naming no real day
 *   (`31.02`, `2025-13-01`, `2025-02-29`); `date_out_of_range` ({date}) outside 1900–2199.
 */
export function parseDateToken(token: string, now: Date, tz: string): Date | undefined {
  const word = token.trim().toLowerCase();
  if (TODAY.has(word)) return new Date(now.getTime());
  if (YESTERDAY.has(word)) return DateTime.fromJSDate(now, { zone: tz }).minus({ days: 1 }).set({ hour: 12, minute: 0, second: 0, millisecond: 0 }).toJSDate();

  const invalid = () => new DomainError('date_invalid', { date: token });
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(word);
  if (m) return inRange(midday(+m[1]!, +m[2]!, +m[3]!, tz) ?? throwError(invalid()), token);

  m = /^(\d{1,2})([./])(\d{1,2})\2(\d{4}|\d{2})$/.exec(word);
  if (m) {
    const year = m[4]!.length === 2 ? 2000 + +m[4]! : +m[4]!;
    return inRange(midday(year, +m[3]!, +m[1]!, tz) ?? throwError(invalid()), token);
  }

  m = /^(\d{1,2})\.(\d{2})$/.exec(word);
  if (m) {
    const day = +m[1]!;
    const month = +m[2]!;
    if (day < 1 || day > 31 || month < 1 || month > 12) return undefined;
    const today = DateTime.fromJSDate(now, { zone: tz }).startOf('day');
    for (let year = today.year; year >= today.year - YEAR_LOOKBACK; year--) {
      const date = midday(year, month, day, tz);
      if (date && DateTime.fromJSDate(date, { zone: tz }).startOf('day') <= today) return date;
    }
    throw invalid();
  }
  return undefined;
}

/**
 * The dates COIN keeps (SPEC §6): from 1900-01-01 to 2199-12-31, as UTC instants (a day more on
 * each side than any time zone needs). PostgreSQL and luxon hold far more, but a date outside
 * is a typo, and a bound keeps every period, chart and export finite.
 */
export const EARLIEST_DATE = new Date(Date.UTC(1899, 11, 31));
export const LATEST_DATE = new Date(Date.UTC(2200, 0, 2));

/** True for an instant inside {@link EARLIEST_DATE}..{@link LATEST_DATE}. */
export const isDateInRange = (d: Date): boolean => d.getTime() >= EARLIEST_DATE.getTime() && d.getTime() < LATEST_DATE.getTime();

/** Returns `d`, or throws `date_out_of_range` ({date: text}) outside 1900–2199. */
export function inRange(d: Date, text: string): Date {
  if (Number.isNaN(d.getTime()) || !isDateInRange(d)) throw new DomainError('date_out_of_range', { date: text });
  return d;
}

/** 1900–2199 by calendar year, for dates read from text (`0000-01-01`, `9999-12-31`). */
export const isYearInRange = (year: number): boolean => year >= 1900 && year <= 2199;

function midday(year: number, month: number, day: number, tz: string): Date | undefined {
  if (!isYearInRange(year)) return new Date(NaN);
  const dt = DateTime.fromObject({ year, month, day, hour: 12 }, { zone: tz });
  return dt.isValid ? dt.toJSDate() : undefined;
}

function throwError(e: Error): never {
  throw e;
}

/** `YYYY-MM-DD` of an instant in the timezone `tz`. */
export function formatDate(instant: Date, tz: string): string {
  return DateTime.fromJSDate(instant, { zone: tz }).toFormat('yyyy-LL-dd');
}

/** `YYYY-MM-DD HH:mm` (24-hour) of an instant in the timezone `tz`. */
export function formatDateTime(instant: Date, tz: string): string {
  return DateTime.fromJSDate(instant, { zone: tz }).toFormat('yyyy-LL-dd HH:mm');
}
