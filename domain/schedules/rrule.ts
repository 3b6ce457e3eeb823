import * as rruleModule from 'rrule';
import type { Options as RruleOptions } from 'rrule';

// rrule ships a UMD bundle (flagged __esModule) as `main` and no `exports` map: Node's ESM loader
// exposes it only as `default`, while esbuild/vite interop expose the named exports. Accept both.
type RruleLib = typeof rruleModule;
const rruleLib: RruleLib =
  (rruleModule as Partial<RruleLib>).RRule !== undefined
    ? rruleModule
    : (rruleModule as unknown as { default: RruleLib }).default;
const { RRule, Weekday } = rruleLib;

/** A wall-clock date (no zone): the calendar day a schedule fires on. */
export interface WallDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A wall-clock time of day in the book's timezone. */
export interface WallTime {
  readonly hour: number;
  readonly minute: number;
}

type Freq = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

/** A weekday in rrule's numbering (0 = Monday … 6 = Sunday), optionally the n-th of the period. */
interface ByDay {
  readonly weekday: number;
  readonly n?: number;
}

/** UNTIL as written: a date (inclusive of the whole day), a floating date-time, or a UTC instant. */
type Until =
  | { readonly kind: 'date'; readonly date: WallDate }
  | { readonly kind: 'floating' | 'utc'; readonly date: WallDate; readonly time: WallTime & { second: number } };

/** A validated RRULE, reduced to the parts COIN supports. */
export interface RruleParts {
  readonly freq: Freq;
  readonly interval: number;
  readonly count?: number;
  readonly until?: Until;
  readonly bymonth?: readonly number[];
  readonly byweekno?: readonly number[];
  readonly byyearday?: readonly number[];
  readonly bymonthday?: readonly number[];
  readonly byday?: readonly ByDay[];
  readonly bysetpos?: readonly number[];
  readonly wkst?: number;
  readonly dtstart?: WallDate;
}

/** The result of reading an `rrule:` body: canonical text, parts, and a DTSTART time if one was given. */
export interface ParsedRrule {
  readonly canonical: string;
  readonly parts: RruleParts;
  readonly dtstartTime?: WallTime;
}

/** Thrown by the rrule reader; the schedule parser turns it into `schedule_invalid`. */
export class RruleSyntaxError extends Error {
  override readonly name = 'RruleSyntaxError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const FREQS: readonly Freq[] = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];
// Finer frequencies would let one template write hundreds of events a day into a book.
const SUB_DAILY = new Set(['HOURLY', 'MINUTELY', 'SECONDLY']);
// The time of day comes from `at:` so that every schedule form fires at most once per day.
const TIME_PARTS = new Set(['BYHOUR', 'BYMINUTE', 'BYSECOND']);
const KEY_ORDER = [
  'DTSTART',
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYMONTH',
  'BYWEEKNO',
  'BYYEARDAY',
  'BYMONTHDAY',
  'BYDAY',
  'BYSETPOS',
  'WKST',
] as const;
type Key = (typeof KEY_ORDER)[number];

const MAX_INTERVAL = 1000;
const MAX_COUNT = 10_000;
/** A rule without any occurrence for this long is taken to have ended (or to never fire). */
export const RRULE_HORIZON_YEARS = 30;

const fail = (reason: string): never => {
  throw new RruleSyntaxError(reason);
};

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

function int(text: string, min: number, max: number, reason: string): number {
  if (!/^[+-]?\d{1,6}$/.test(text)) fail(reason);
  const n = Number(text);
  if (n < min || n > max) fail(reason);
  return n;
}

/** A list of integers within ±[1, max] (zero is never a valid BYxxx value). */
function signedList(text: string, max: number, reason: string): number[] {
  const out = text.split(',').map((v) => int(v, -max, max, reason));
  if (out.some((n) => n === 0)) fail(reason);
  return dedupe(out);
}

const dedupe = (xs: number[]): number[] => [...new Set(xs)];

function parseDate(text: string, reason: string): WallDate {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text) ?? fail(reason);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) fail(reason);
  return { year, month, day };
}

function parseDateTime(text: string, reason: string): { date: WallDate; time?: WallTime & { second: number }; utc: boolean } {
  const m = /^(\d{8})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(text) ?? fail(reason);
  const date = parseDate(m[1]!, reason);
  if (m[2] === undefined) return { date, utc: false };
  const time = { hour: Number(m[2]), minute: Number(m[3]), second: Number(m[4]) };
  if (time.hour > 23 || time.minute > 59 || time.second > 59) fail(reason);
  return { date, time, utc: m[5] === 'Z' };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const formatDate = (d: WallDate): string => `${pad(d.year, 4)}${pad(d.month)}${pad(d.day)}`;

/**
 * Reads the part after `rrule:` (an RFC 5545 RRULE value, optionally prefixed `RRULE:`, with an
 * optional `DTSTART=YYYYMMDD[THHMMSS]` part). Throws RruleSyntaxError with a short reason.
 */
export function parseRrule(body: string): ParsedRrule {
  const text = body.trim().replace(/^RRULE:/i, '');
  if (!text) fail('rrule_empty');
  const raw = new Map<Key, string>();
  for (const part of text.split(';')) {
    if (part === '') continue; // tolerate a trailing ';'
    const eq = part.indexOf('=');
    if (eq <= 0) fail('rrule_syntax');
    const key = part.slice(0, eq).toUpperCase();
    const value = part.slice(eq + 1).toUpperCase();
    if (TIME_PARTS.has(key)) fail('rrule_time_part');
    if (!(KEY_ORDER as readonly string[]).includes(key)) fail('rrule_unsupported_part');
    if (raw.has(key as Key) || value === '') fail('rrule_syntax');
    raw.set(key as Key, value);
  }

  const freqText = raw.get('FREQ') ?? fail('rrule_freq_missing');
  if (SUB_DAILY.has(freqText)) fail('rrule_too_frequent');
  const freq = FREQS.find((f) => f === freqText) ?? fail('rrule_freq_invalid');

  const parts: {
    -readonly [K in keyof RruleParts]: RruleParts[K];
  } = { freq, interval: 1 };
  let dtstartTime: WallTime | undefined;

  const interval = raw.get('INTERVAL');
  if (interval !== undefined) parts.interval = int(interval, 1, MAX_INTERVAL, 'rrule_interval');
  const count = raw.get('COUNT');
  if (count !== undefined) parts.count = int(count, 1, MAX_COUNT, 'rrule_count');
  const until = raw.get('UNTIL');
  if (until !== undefined) {
    if (count !== undefined) fail('rrule_count_and_until'); // RFC 5545 §3.3.10: MUST NOT both occur
    const u = parseDateTime(until, 'rrule_until');
    parts.until = u.time ? { kind: u.utc ? 'utc' : 'floating', date: u.date, time: u.time } : { kind: 'date', date: u.date };
  }
  const dtstart = raw.get('DTSTART');
  if (dtstart !== undefined) {
    const d = parseDateTime(dtstart, 'rrule_dtstart');
    // A UTC DTSTART names an instant whose wall date depends on the book's zone; keep it simple.
    if (d.utc || (d.time && d.time.second !== 0)) fail('rrule_dtstart');
    parts.dtstart = d.date;
    if (d.time) dtstartTime = { hour: d.time.hour, minute: d.time.minute };
  }

  const bymonth = raw.get('BYMONTH');
  if (bymonth !== undefined) parts.bymonth = bymonth.split(',').map((v) => int(v, 1, 12, 'rrule_bymonth'));
  const byweekno = raw.get('BYWEEKNO');
  if (byweekno !== undefined) {
    if (freq !== 'YEARLY') fail('rrule_byweekno'); // RFC 5545: only valid with YEARLY
    parts.byweekno = signedList(byweekno, 53, 'rrule_byweekno');
  }
  const byyearday = raw.get('BYYEARDAY');
  if (byyearday !== undefined) {
    if (freq !== 'YEARLY') fail('rrule_byyearday'); // RFC 5545: not with DAILY, WEEKLY, MONTHLY
    parts.byyearday = signedList(byyearday, 366, 'rrule_byyearday');
  }
  const bymonthday = raw.get('BYMONTHDAY');
  if (bymonthday !== undefined) {
    if (freq === 'WEEKLY') fail('rrule_bymonthday'); // RFC 5545: not with WEEKLY
    parts.bymonthday = signedList(bymonthday, 31, 'rrule_bymonthday');
  }
  const byday = raw.get('BYDAY');
  if (byday !== undefined) {
    const ordinalsAllowed = freq === 'MONTHLY' || (freq === 'YEARLY' && parts.byweekno === undefined);
    const maxN = freq === 'MONTHLY' ? 5 : 53;
    const seen = new Set<string>();
    parts.byday = byday.split(',').map((item) => {
      const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item) ?? fail('rrule_byday');
      const weekday = WEEKDAYS.indexOf(m[2] as (typeof WEEKDAYS)[number]);
      let n: number | undefined;
      if (m[1] !== undefined) {
        if (!ordinalsAllowed) fail('rrule_byday');
        n = int(m[1], -maxN, maxN, 'rrule_byday');
        if (n === 0) fail('rrule_byday');
      }
      const key = `${n ?? ''}${weekday}`;
      if (seen.has(key)) fail('rrule_byday');
      seen.add(key);
      return n === undefined ? { weekday } : { weekday, n };
    });
  }
  const bysetpos = raw.get('BYSETPOS');
  if (bysetpos !== undefined) {
    // RFC 5545: BYSETPOS only filters the set built by another BYxxx part.
    const hasOther = [parts.bymonth, parts.byweekno, parts.byyearday, parts.bymonthday, parts.byday].some(Boolean);
    if (!hasOther) fail('rrule_bysetpos');
    parts.bysetpos = signedList(bysetpos, 366, 'rrule_bysetpos');
  }
  const wkst = raw.get('WKST');
  if (wkst !== undefined) {
    const i = WEEKDAYS.indexOf(wkst as (typeof WEEKDAYS)[number]);
    if (i < 0) fail('rrule_wkst');
    parts.wkst = i;
  }

  return { canonical: formatRrule(parts), parts, ...(dtstartTime ? { dtstartTime } : {}) };
}

/** Canonical RRULE text: fixed part order, upper case, defaults omitted, DTSTART as a date. */
export function formatRrule(p: RruleParts): string {
  const out: string[] = [];
  const list = (xs: readonly number[]) => xs.join(',');
  for (const key of KEY_ORDER) {
    switch (key) {
      case 'DTSTART':
        if (p.dtstart) out.push(`DTSTART=${formatDate(p.dtstart)}`);
        break;
      case 'FREQ':
        out.push(`FREQ=${p.freq}`);
        break;
      case 'INTERVAL':
        if (p.interval !== 1) out.push(`INTERVAL=${p.interval}`);
        break;
      case 'COUNT':
        if (p.count !== undefined) out.push(`COUNT=${p.count}`);
        break;
      case 'UNTIL':
        if (p.until) {
          const u = p.until;
          const t = u.kind === 'date' ? '' : `T${pad(u.time.hour)}${pad(u.time.minute)}${pad(u.time.second)}`;
          out.push(`UNTIL=${formatDate(u.date)}${t}${u.kind === 'utc' ? 'Z' : ''}`);
        }
        break;
      case 'BYMONTH':
        if (p.bymonth) out.push(`BYMONTH=${list(p.bymonth)}`);
        break;
      case 'BYWEEKNO':
        if (p.byweekno) out.push(`BYWEEKNO=${list(p.byweekno)}`);
        break;
      case 'BYYEARDAY':
        if (p.byyearday) out.push(`BYYEARDAY=${list(p.byyearday)}`);
        break;
      case 'BYMONTHDAY':
        if (p.bymonthday) out.push(`BYMONTHDAY=${list(p.bymonthday)}`);
        break;
      case 'BYDAY':
        if (p.byday) out.push(`BYDAY=${p.byday.map((d) => `${d.n ?? ''}${WEEKDAYS[d.weekday]}`).join(',')}`);
        break;
      case 'BYSETPOS':
        if (p.bysetpos) out.push(`BYSETPOS=${list(p.bysetpos)}`);
        break;
      case 'WKST':
        if (p.wkst !== undefined) out.push(`WKST=${WEEKDAYS[p.wkst]}`);
        break;
    }
  }
  return out.join(';');
}

/** A wall date-time encoded as a UTC `Date`: rrule then computes in "floating" time, free of zones. */
export const floating = (d: WallDate, hour = 0, minute = 0, second = 0): Date =>
  new Date(Date.UTC(d.year, d.month - 1, d.day, hour, minute, second));

const wallDateOf = (f: Date): WallDate => ({
  year: f.getUTCFullYear(),
  month: f.getUTCMonth() + 1,
  day: f.getUTCDate(),
});

const FREQ_OF: Record<Freq, RruleOptions['freq']> = {
  YEARLY: RRule.YEARLY,
  MONTHLY: RRule.MONTHLY,
  WEEKLY: RRule.WEEKLY,
  DAILY: RRule.DAILY,
};

/**
 * Builds an rrule.js rule in floating wall time (no `tzid`: its zone handling depends on the host
 * zone and is unreliable). The caller maps each returned wall date to an instant itself.
 * `untilWall` converts a UTC `UNTIL` into the book's wall time.
 */
function buildRrule(
  p: RruleParts,
  dtstart: WallDate,
  at: WallTime,
  untilWall: (utc: Date) => Date = (utc) => utc,
): InstanceType<typeof RRule> {
  let until: Date | null = null;
  if (p.until) {
    const u = p.until;
    // A date-only UNTIL means "through that day", whatever the `at` time is.
    if (u.kind === 'date') until = floating(u.date, 23, 59, 59);
    else if (u.kind === 'floating') until = floating(u.date, u.time.hour, u.time.minute, u.time.second);
    else until = untilWall(floating(u.date, u.time.hour, u.time.minute, u.time.second));
  }
  const opt = <T>(xs: readonly T[] | undefined): T[] | null => (xs ? [...xs] : null);
  return new RRule(
    {
      freq: FREQ_OF[p.freq],
      interval: p.interval,
      count: p.count ?? null,
      until,
      tzid: null,
      // The time matters only against UNTIL; occurrences keep DTSTART's time of day.
      dtstart: floating(dtstart, at.hour, at.minute),
      bymonth: opt(p.bymonth),
      byweekno: opt(p.byweekno),
      byyearday: opt(p.byyearday),
      bymonthday: opt(p.bymonthday),
      byweekday: p.byday ? p.byday.map((d) => new Weekday(d.weekday, d.n)) : null,
      bysetpos: opt(p.bysetpos),
      wkst: p.wkst ?? null,
    },
    true,
  );
}

/**
 * Yields the wall dates the rule fires on, from `from` (inclusive) onwards, oldest first. The
 * search goes on window by window of RRULE_HORIZON_YEARS and ends after a window without any.
 *
 * rrule.js always iterates from DTSTART and, when no further date matches, keeps going period by
 * period until the year 9999 (seconds for a DAILY rule), whatever bounds are passed. So dates are
 * fetched in growing batches (the iterator callback stops each call as soon as the batch is full),
 * which makes such a run happen at most once, and `neverFromPhase` and the checks in parseRrule
 * keep the rules that would trigger it out.
 */
export function* rruleDates(
  p: RruleParts,
  dtstart: WallDate,
  at: WallTime,
  from: WallDate,
  untilWall?: (utc: Date) => Date,
): Generator<WallDate> {
  if (neverFromPhase(p, dtstart)) return;
  const rule = buildRrule(p, dtstart, at, untilWall);
  let cursor = new Date(Math.max(floating(from).getTime(), floating(dtstart).getTime()));
  let horizon = addYears(cursor, RRULE_HORIZON_YEARS);
  let batch = 8;
  for (;;) {
    const found = rule.between(cursor, horizon, true, (_d, taken) => taken < batch);
    for (const d of found) yield wallDateOf(d);
    const last = found[found.length - 1];
    if (!last) return;
    if (found.length === batch) {
      cursor = new Date(last.getTime() + 1);
      batch = Math.min(batch * 2, 512);
    } else {
      cursor = new Date(horizon.getTime() + 1);
      horizon = addYears(horizon, RRULE_HORIZON_YEARS);
    }
  }
}

const addYears = (d: Date, years: number): Date => {
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
};

/**
 * True when INTERVAL keeps the rule off every day it allows, given where DTSTART falls: every
 * 7th day on Mondays starting on a Wednesday, every 6th month in February starting in March.
 */
function neverFromPhase(p: RruleParts, dtstart: WallDate): boolean {
  if (p.freq === 'DAILY' && p.interval % 7 === 0 && p.byday) {
    const weekday = (floating(dtstart).getUTCDay() + 6) % 7; // JS Sunday=0 → rrule Monday=0
    return !p.byday.some((d) => d.weekday === weekday);
  }
  if (p.freq === 'MONTHLY' && p.bymonth) {
    const step = gcd(p.interval, 12);
    return !p.bymonth.some((m) => (m - dtstart.month + 12) % step === 0);
  }
  return false;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Days the longest such month has (February: 29). */
const maxDays = (month: number): number => daysInMonth(2000, month);

/**
 * Cheap structural checks for rules that can never fire, so that rrule.js is not left searching
 * to the year 9999 for them (see rruleDates).
 */
function assertPossible(p: RruleParts): void {
  if (p.bymonthday) {
    const months = p.bymonth ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    if (!months.some((m) => p.bymonthday!.some((d) => Math.abs(d) <= maxDays(m)))) fail('rrule_never');
  }
  if (p.bysetpos) {
    // A DAILY period holds one day; a WEEKLY one at most as many days as BYDAY names.
    if (p.freq === 'DAILY') fail('rrule_bysetpos');
    if (p.freq === 'WEEKLY' && p.bysetpos.some((n) => Math.abs(n) > (p.byday?.length ?? 1))) fail('rrule_never');
  }
}

/**
 * Rejects a rule that never produces an occurrence at time `at` (BYMONTH=2;BYMONTHDAY=30, or an
 * UNTIL before DTSTART). With DTSTART the rule is tried exactly from there. Without one the real
 * start is the template's anchor, unknown here, so the rule is tried with INTERVAL=1 (which fires
 * iff some INTERVAL phase does) from 2000-01-01, before any real anchor.
 */
export function assertRruleFires(p: RruleParts, at: WallTime): void {
  assertPossible(p);
  const probe: RruleParts = p.dtstart ? p : { ...p, interval: 1, count: undefined };
  const start = probe.dtstart ?? { year: 2000, month: 1, day: 1 };
  if (rruleDates(probe, start, at, start).next().done) fail('rrule_never');
}

const ORDINAL_WORDS: Record<number, string> = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', 5: 'fifth' };
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** 1 → "1st", 22 → "22nd", 13 → "13th". */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** 1 → "first", -1 → "last", -2 → "second-to-last", 7 → "7th". */
function position(n: number): string {
  if (n === -1) return 'last';
  const abs = Math.abs(n);
  const word = ORDINAL_WORDS[abs] ?? ordinal(abs);
  return n > 0 ? word : `${word}-to-last`;
}

const joinEnglish = (xs: readonly string[]): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;

/** 1 → "January". */
export const monthName = (month: number): string => MONTH_NAMES[month - 1] ?? String(month);
/** rrule weekday (0 = Monday) → "Monday". */
export const weekdayName = (rruleWeekday: number): string => WEEKDAY_NAMES[rruleWeekday] ?? '?';

const UNIT_OF: Record<Freq, string> = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month', YEARLY: 'year' };

/** Short English for a rule, without the time of day, e.g. "every month on the first Monday". */
export function describeRrule(p: RruleParts): string {
  const unit = UNIT_OF[p.freq];
  const out: string[] = [p.interval === 1 ? `every ${unit}` : `every ${p.interval} ${unit}s`];
  if (p.bymonth) out.push(`in ${joinEnglish(p.bymonth.map(monthName))}`);
  if (p.byweekno) out.push(`in week ${joinEnglish(p.byweekno.map((n) => (n > 0 ? String(n) : position(n))))}`);
  if (p.byyearday) out.push(`on day ${joinEnglish(p.byyearday.map((n) => (n > 0 ? String(n) : position(n))))} of the year`);

  const days: string[] = [];
  if (p.bymonthday) days.push(...p.bymonthday.map((n) => (n > 0 ? `the ${ordinal(n)}` : `the ${position(n)} day`)));
  if (p.byday) {
    const isWorkweek = !p.byday.some((d) => d.n !== undefined) && sameSet(p.byday.map((d) => d.weekday), [0, 1, 2, 3, 4]);
    if (isWorkweek) days.push('weekdays');
    else days.push(...p.byday.map((d) => (d.n === undefined ? weekdayName(d.weekday) : `the ${position(d.n)} ${weekdayName(d.weekday)}`)));
  }
  if (p.bysetpos) {
    const which = joinEnglish(p.bysetpos.map(position));
    const single = days.length === 1 && p.byday?.length === 1 && p.byday[0]?.n === undefined;
    if (days.length === 1 && days[0] === 'weekdays') out.push(`on the ${which} weekday`);
    else if (single) out.push(`on the ${which} ${days[0]}`);
    else if (days.length) out.push(`on the ${which} of ${joinEnglish(days)}`);
    else out.push(`on the ${which} matching day`);
  } else if (days.length) {
    out.push(`on ${joinEnglish(days)}`);
  }

  if (p.dtstart) out.push(`starting ${isoDate(p.dtstart)}`);
  if (p.count !== undefined) out.push(p.count === 1 ? 'once' : `${p.count} times`);
  if (p.until) out.push(`until ${isoDate(p.until.date)}`);
  return out.join(' ');
}

const isoDate = (d: WallDate): string => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
const sameSet = (a: number[], b: number[]): boolean => a.length === b.length && b.every((x) => a.includes(x));
