import { DateTime } from 'luxon';
import { isYearInRange } from './dates.js';
import { DomainError } from '../errors.js';

export type PeriodUnit = 'day' | 'week' | 'month' | 'year' | 'range';

/** A span of local days in a book's timezone, as UTC instants. */
export interface Period {
  /** The first local midnight, inclusive. */
  start: Date;
  /** The local midnight after the last day, exclusive. */
  end: Date;
  /** For people: `2026-11-16`, `2026-11-16 – 2026-11-22`, `November 2026`, `2026`. */
  label: string;
  unit: PeriodUnit;
  /** `2026-11` when the period is a calendar month (so it can be named in the book's language). */
  month?: string;
}

type Relative = { unit: Exclude<PeriodUnit, 'range'>; back: number };

/** Keywords, with the spellings people type without thinking (`lastmonth`, `this-week`). */
const KEYWORDS: Readonly<Record<string, Relative>> = {
  today: { unit: 'day', back: 0 },
  yesterday: { unit: 'day', back: 1 },
  week: { unit: 'week', back: 0 },
  'this-week': { unit: 'week', back: 0 },
  month: { unit: 'month', back: 0 },
  'this-month': { unit: 'month', back: 0 },
  year: { unit: 'year', back: 0 },
  'this-year': { unit: 'year', back: 0 },
  'last-week': { unit: 'week', back: 1 },
  lastweek: { unit: 'week', back: 1 },
  last_week: { unit: 'week', back: 1 },
  'last-month': { unit: 'month', back: 1 },
  lastmonth: { unit: 'month', back: 1 },
  last_month: { unit: 'month', back: 1 },
  'last-year': { unit: 'year', back: 1 },
  lastyear: { unit: 'year', back: 1 },
  last_year: { unit: 'year', back: 1 },
};

const YEAR = /^(\d{4})$/;
const MONTH = /^(\d{4})-(\d{1,2})$/;
const DAY = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const RANGE = /^(\d{4}-\d{1,2}-\d{1,2})\.\.(\d{4}-\d{1,2}-\d{1,2})$/;

/**
 * Reads a period in the book's timezone `tz`: `today`, `yesterday`, `week`, `month`
 * (also for `undefined`/empty), `year`, `last-week`, `last-month`, `last-year`, `YYYY`,
 * `YYYY-MM`, `YYYY-MM-DD` (one day) and `YYYY-MM-DD..YYYY-MM-DD` (both days included).
 * Weeks start on Monday. Boundaries are local midnights in `tz` as UTC instants.
 *
 * @throws DomainError `period_invalid` ({period}) for anything else, impossible dates and
 *   ranges that end before they start; `date_out_of_range` ({date}) for years outside 1900–2199.
 */
export function parsePeriod(text: string | undefined, now: Date, tz: string): Period {
  const word = (text ?? '').trim().toLowerCase() || 'month';
  const invalid = () => new DomainError('period_invalid', { period: text?.trim() ?? '' });

  // Own keys only: `__proto__` or `constructor` typed as a period is no keyword (it was a 500).
  const keyword = Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word] : undefined;
  if (keyword) {
    const anchor = DateTime.fromJSDate(now, { zone: tz }).minus({ [keyword.unit]: keyword.back });
    return around(keyword.unit, anchor);
  }
  // Years outside 1900–2199 (SPEC §6) are refused as such, before any date arithmetic.
  for (const year of word.match(/\d{4,}/g) ?? []) {
    if (/^\d{4}/.test(word) && !isYearInRange(Number(year))) throw new DomainError('date_out_of_range', { date: text?.trim() ?? '' });
  }
  let m = YEAR.exec(word);
  if (m) return around('year', localDate(+m[1]!, 1, 1, tz) ?? throwError(invalid()));
  m = MONTH.exec(word);
  if (m) return around('month', localDate(+m[1]!, +m[2]!, 1, tz) ?? throwError(invalid()));
  m = DAY.exec(word);
  if (m) return around('day', localDate(+m[1]!, +m[2]!, +m[3]!, tz) ?? throwError(invalid()));
  m = RANGE.exec(word);
  if (m) {
    const from = isoDate(m[1]!, tz);
    const to = isoDate(m[2]!, tz);
    if (!from || !to || to < from) throw invalid();
    return range(from, to.plus({ days: 1 }));
  }
  throw invalid();
}

/**
 * True when a token is meant as a period: a keyword or the shape of a year, month, day or range.
 * Shapes count even with impossible values (`2025-13`), so that the caller passes them on to
 * `parsePeriod` and the user learns what is wrong instead of the word landing elsewhere.
 */
export function isPeriodToken(token: string): boolean {
  const word = token.trim().toLowerCase();
  return Object.hasOwn(KEYWORDS, word) || [YEAR, MONTH, DAY, RANGE].some((re) => re.test(word));
}

/**
 * The period just before `p` with the same unit (the month before a month); for a range, the
 * same number of days right before it.
 */
export function previousPeriod(p: Period, tz: string): Period {
  const start = DateTime.fromJSDate(p.start, { zone: tz });
  if (p.unit !== 'range') return around(p.unit, start.minus({ [p.unit]: 1 }));
  const days = Math.round(DateTime.fromJSDate(p.end, { zone: tz }).diff(start, 'days').days);
  return range(start.minus({ days }), start);
}

/** The week (from Monday) or calendar month that contains `instant` in `tz`; budgets use it. */
export function periodOf(unit: 'week' | 'month', instant: Date, tz: string): Period {
  return around(unit, DateTime.fromJSDate(instant, { zone: tz }));
}

function around(unit: Exclude<PeriodUnit, 'range'>, local: DateTime): Period {
  // Luxon's startOf('week') is the ISO week, which starts on Monday.
  const start = local.startOf(unit);
  const end = start.plus({ [unit]: 1 });
  return {
    start: start.toJSDate(),
    end: end.toJSDate(),
    label: label(unit, start, end),
    unit,
    ...(unit === 'month' ? { month: start.toFormat('yyyy-LL') } : {}),
  };
}

function range(start: DateTime, end: DateTime): Period {
  return { start: start.toJSDate(), end: end.toJSDate(), label: label('range', start, end), unit: 'range' };
}

function label(unit: PeriodUnit, start: DateTime, end: DateTime): string {
  switch (unit) {
    case 'day':
      return start.toFormat('yyyy-LL-dd');
    case 'month':
      return start.setLocale('en').toFormat('LLLL yyyy');
    case 'year':
      return start.toFormat('yyyy');
    default:
      return `${start.toFormat('yyyy-LL-dd')} – ${end.minus({ days: 1 }).toFormat('yyyy-LL-dd')}`;
  }
}

function localDate(year: number, month: number, day: number, tz: string): DateTime | undefined {
  const dt = DateTime.fromObject({ year, month, day }, { zone: tz });
  return dt.isValid ? dt.startOf('day') : undefined;
}

function isoDate(text: string, tz: string): DateTime | undefined {
  const [y, m, d] = text.split('-').map(Number);
  return localDate(y!, m!, d!, tz);
}

function throwError(e: Error): never {
  throw e;
}
