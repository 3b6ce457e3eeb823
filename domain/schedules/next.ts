import { DateTime, IANAZone } from 'luxon';
import { DomainError } from '../errors.js';
import type { Schedule } from './parse.js';
import { floating, parseRrule, rruleDates, type RruleParts, type WallDate, type WallTime } from './rrule.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** `IANAZone.create` is cached by luxon; `isValidZone` builds an Intl formatter on every call. */
function zoneOf(tz: string): IANAZone {
  const zone = IANAZone.create(tz);
  if (!zone.isValid) throw new DomainError('timezone_invalid', { timezone: tz });
  return zone;
}

function checkInstant(d: Date, name: string): number {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`schedule: ${name} is an invalid Date`);
  return ms;
}

const wallDateIn = (ms: number, zone: IANAZone): WallDate => {
  const dt = DateTime.fromMillis(ms, { zone });
  return { year: dt.year, month: dt.month, day: dt.day };
};

const asDateTime = (d: WallDate): DateTime => DateTime.utc(d.year, d.month, d.day);
const asWallDate = (dt: DateTime): WallDate => ({ year: dt.year, month: dt.month, day: dt.day });
const plusDays = (d: WallDate, days: number): WallDate => asWallDate(asDateTime(d).plus({ days }));
const compare = (a: WallDate, b: WallDate): number => a.year - b.year || a.month - b.month || a.day - b.day;
const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The instant a wall-clock time has in `zone`. DST is resolved so that each local date fires once:
 * - a time that occurs twice (autumn overlap) takes the first, earlier instant;
 * - a time skipped by a spring-forward gap is shifted forward by the gap's length
 *   (02:30 on Europe/Berlin's 2026-03-29 fires at 03:30 CEST = 01:30 UTC), i.e. it is read with
 *   the offset in force before the gap, which keeps the same elapsed time from midnight.
 */
export function wallToInstant(date: WallDate, at: WallTime, zone: IANAZone): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, at.hour, at.minute);
  // Offsets in force around this wall time; a real instant t satisfies t + offset(t) = wall.
  const before = zone.offset(wall - 36 * HOUR_MS);
  const offsets = new Set([before, zone.offset(wall), zone.offset(wall + 36 * HOUR_MS)]);
  let best = Infinity;
  for (const offset of offsets) {
    const t = wall - offset * MINUTE_MS;
    if (zone.offset(t) === offset && t < best) best = t;
  }
  return Number.isFinite(best) ? best : wall - before * MINUTE_MS;
}

/** The first local date on or after `x` that a non-rrule schedule fires on. */
function nextDate(s: Exclude<Schedule, { kind: 'rrule' }>, x: WallDate, anchor: WallDate): WallDate {
  switch (s.kind) {
    case 'daily':
      return x;
    case 'weekly': {
      const dt = asDateTime(x);
      return asWallDate(dt.plus({ days: (s.weekday - dt.weekday + 7) % 7 }));
    }
    case 'monthly': {
      const onMonth = (year: number, month: number): WallDate => {
        const last = daysInMonth(year, month);
        return { year, month, day: s.day === 'last' ? last : Math.min(s.day, last) };
      };
      const here = onMonth(x.year, x.month);
      if (compare(here, x) >= 0) return here;
      const next = asDateTime({ year: x.year, month: x.month, day: 1 }).plus({ months: 1 });
      return onMonth(next.year, next.month);
    }
    case 'yearly': {
      const onYear = (year: number): WallDate => ({
        year,
        month: s.month,
        day: Math.min(s.day, daysInMonth(year, s.month)),
      });
      const here = onYear(x.year);
      return compare(here, x) >= 0 ? here : onYear(x.year + 1);
    }
    case 'every': {
      if (compare(x, anchor) <= 0) return anchor;
      if (s.unit === 'month') {
        // Always offset from the anchor (not from the previous, possibly clamped, date), so
        // every:1m from Jan 31 gives Feb 28/29 and then Mar 31. luxon clamps to the month's end.
        const monthsApart = (x.year - anchor.year) * 12 + (x.month - anchor.month);
        for (let k = Math.max(0, Math.floor(monthsApart / s.count)); ; k++) {
          const d = asWallDate(asDateTime(anchor).plus({ months: k * s.count }));
          if (compare(d, x) >= 0) return d;
        }
      }
      const step = s.unit === 'week' ? 7 * s.count : s.count;
      const elapsed = Math.round(asDateTime(x).diff(asDateTime(anchor), 'days').days);
      return plusDays(anchor, Math.ceil(elapsed / step) * step);
    }
  }
}

// Schedules are re-read from JSON for every computation; parsing the same rule again is wasted work.
const ruleCache = new Map<string, RruleParts>();
function ruleParts(rule: string): RruleParts {
  let parts = ruleCache.get(rule);
  if (!parts) {
    parts = parseRrule(rule).parts;
    if (ruleCache.size >= 500) ruleCache.clear();
    ruleCache.set(rule, parts);
  }
  return parts;
}

/** Local dates the schedule fires on, from `from` (inclusive), oldest first. */
function* localDates(s: Schedule, from: WallDate, anchor: WallDate, zone: IANAZone): Generator<WallDate> {
  if (s.kind === 'rrule') {
    const parts = ruleParts(s.rule);
    const untilWall = (utc: Date): Date => {
      const dt = DateTime.fromJSDate(utc, { zone });
      return floating(dt, dt.hour, dt.minute, dt.second);
    };
    yield* rruleDates(parts, parts.dtstart ?? anchor, s.at, from, untilWall);
    return;
  }
  for (let d = nextDate(s, from, anchor); ; d = nextDate(s, plusDays(d, 1), anchor)) yield d;
}

/** Occurrence instants strictly after `afterMs`, oldest first (infinite unless the rule ends). */
function* instantsAfter(s: Schedule, afterMs: number, zone: IANAZone, anchorMs: number): Generator<number> {
  // Start a day early: a gap shift across midnight can move the previous local date's occurrence
  // past `after`; the extra candidate costs one comparison.
  const from = plusDays(wallDateIn(afterMs, zone), -1);
  for (const d of localDates(s, from, wallDateIn(anchorMs, zone), zone)) {
    const t = wallToInstant(d, s.at, zone);
    if (t > afterMs) yield t;
  }
}

/**
 * The first occurrence strictly after `after`, computed in timezone `tz`, or null when an rrule
 * with COUNT/UNTIL has no more occurrences. `anchor` (the template's creation instant) is where
 * `every:` counts from and the rrule DTSTART (its local date at the `at` time) unless the rule
 * names one. Throws DomainError('timezone_invalid') for an unknown zone.
 */
export function nextOccurrence(s: Schedule, after: Date, tz: string, anchor: Date): Date | null {
  const zone = zoneOf(tz);
  const first = instantsAfter(s, checkInstant(after, 'after'), zone, checkInstant(anchor, 'anchor')).next();
  return first.done ? null : new Date(first.value);
}

/**
 * Every occurrence in (fromExclusive, toInclusive], oldest first, at most `limit` of them: the
 * catch-up list after downtime, each missed occurrence exactly once.
 */
export function occurrencesBetween(
  s: Schedule,
  fromExclusive: Date,
  toInclusive: Date,
  tz: string,
  anchor: Date,
  limit = 1000,
): Date[] {
  const zone = zoneOf(tz);
  const toMs = checkInstant(toInclusive, 'toInclusive');
  const out: Date[] = [];
  if (limit <= 0) return out;
  for (const t of instantsAfter(s, checkInstant(fromExclusive, 'fromExclusive'), zone, checkInstant(anchor, 'anchor'))) {
    if (t > toMs) break;
    out.push(new Date(t));
    if (out.length >= limit) break;
  }
  return out;
}
