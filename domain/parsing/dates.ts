import { DateTime } from 'luxon';
import { DomainError } from '../errors.js';

const TODAY = new Set(['today', 'сегодня']);
const YESTERDAY = new Set(['yesterday', 'вчера']);

/** How far back `DD.MM` looks for a year that has that day (29.02 needs up to 8 years). */
const YEAR_LOOKBACK = 8;

/**
 * Reads one date word of a record line in the book's timezone `tz` (a valid IANA name).
 *
 * - `today` → `now`; `yesterday` → the same local time of day one calendar day earlier.
 * - `YYYY-MM-DD`, `DD.MM.YYYY`, `DD/MM/YYYY`, `DD.MM.YY` → 12:00 local time on that date:
 *   midday stays inside the same local day whatever the DST shifts.
 * - `DD.MM` → the latest such date that is not after today in `tz` (so `31.12` typed on
 *   2 January means last year's). The month has two digits (`5.03`, not `5.3`) and day/month
 *   must be in 1–31/1–12, so note words like `0.5` or `1.5` (litres, kilos) are not dates.
 *
 * Returns `undefined` when the token is not date-shaped at all.
 *
 * @throws DomainError `date_invalid` ({date}) for a date-shaped token naming no real day
 *   (`31.02`, `2025-13-01`, `2025-02-29`).
 */
export function parseDateToken(token: string, now: Date, tz: string): Date | undefined {
  const word = token.trim().toLowerCase();
  if (TODAY.has(word)) return new Date(now.getTime());
  if (YESTERDAY.has(word)) return DateTime.fromJSDate(now, { zone: tz }).minus({ days: 1 }).toJSDate();

  const invalid = () => new DomainError('date_invalid', { date: token });
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(word);
  if (m) return midday(+m[1]!, +m[2]!, +m[3]!, tz) ?? throwError(invalid());

  m = /^(\d{1,2})([./])(\d{1,2})\2(\d{4}|\d{2})$/.exec(word);
  if (m) {
    const year = m[4]!.length === 2 ? 2000 + +m[4]! : +m[4]!;
    return midday(year, +m[3]!, +m[1]!, tz) ?? throwError(invalid());
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

function midday(year: number, month: number, day: number, tz: string): Date | undefined {
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
