import { DateTime } from 'luxon';
import { DomainError } from '../errors.js';
import { tokenize } from '../parsing/tokenize.js';

/** How often a chat hears from COIN on its own: the digest weekly or monthly, the reminder daily. */
export type DigestEvery = 'weekly' | 'monthly' | 'daily';
export type DigestKind = 'digest' | 'reminder';

/** One scheduled message of a chat: how often, and when in the book's local day. */
export interface DigestSetting {
  every: DigestEvery;
  /** Minutes after local midnight (09:00 → 540). */
  atMinute: number;
}

/** 09:00: when the digest goes out unless the chat says otherwise. */
export const DEFAULT_DIGEST_MINUTE = 9 * 60;

const TIME = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/;

/** `21:00`, `8:30`, `08.30` → minutes after midnight; undefined for anything else. */
export function parseTimeOfDay(text: string): number | undefined {
  const m = TIME.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Minutes after midnight as `HH:MM`. */
export const timeOfDay = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** What `/digest` and `/remind` were asked: show the setting, change it, or turn it off. */
export type DigestCommand = { action: 'show' } | { action: 'off' } | { action: 'set'; setting: DigestSetting };

const OFF = new Set(['off', 'stop', 'none', 'выкл']);

/**
 * Reads `/digest [weekly|monthly|off] [HH:MM]`: no argument shows the setting; the time defaults
 * to 09:00.
 *
 * @throws DomainError `digest_invalid` for anything else.
 */
export function parseDigestArgs(args: string): DigestCommand {
  const words = tokenize(args).map((w) => w.toLowerCase());
  if (words.length === 0) return { action: 'show' };
  const [every, time, ...rest] = words;
  if (words.length === 1 && OFF.has(every!)) return { action: 'off' };
  if ((every !== 'weekly' && every !== 'monthly') || rest.length > 0) throw new DomainError('digest_invalid', {});
  const atMinute = time === undefined ? DEFAULT_DIGEST_MINUTE : parseTimeOfDay(time);
  if (atMinute === undefined) throw new DomainError('digest_invalid', {});
  return { action: 'set', setting: { every, atMinute } };
}

/**
 * Reads `/remind [daily HH:MM|HH:MM|off]`: no argument shows the setting.
 *
 * @throws DomainError `remind_invalid` for anything else (a time is required).
 */
export function parseRemindArgs(args: string): DigestCommand {
  const words = tokenize(args).map((w) => w.toLowerCase());
  if (words.length === 0) return { action: 'show' };
  if (words.length === 1 && OFF.has(words[0]!)) return { action: 'off' };
  const rest = words[0] === 'daily' ? words.slice(1) : words;
  const atMinute = rest.length === 1 ? parseTimeOfDay(rest[0]!) : undefined;
  if (atMinute === undefined) throw new DomainError('remind_invalid', {});
  return { action: 'set', setting: { every: 'daily', atMinute } };
}

/** The local day a run of `every` falls on, for the local day `day` or the first one before it. */
function runDay(every: DigestEvery, day: DateTime): DateTime {
  if (every === 'weekly') return day.startOf('week'); // Monday (ISO week)
  if (every === 'monthly') return day.startOf('month');
  return day.startOf('day');
}

const step = (every: DigestEvery) => (every === 'weekly' ? { weeks: 1 } : every === 'monthly' ? { months: 1 } : { days: 1 });

/**
 * The run on local day `day` at the setting's time in `tz`. A time that does not exist that day
 * (the spring-forward gap) moves forward by the gap, as clocks do (02:30 → 03:30); a time that
 * happens twice (autumn) is the first of the two.
 */
function runOn(day: DateTime, atMinute: number, tz: string): DateTime {
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Math.floor(atMinute / 60), minute: atMinute % 60 }, { zone: tz });
}

/** The latest run of `s` at or before `at` (book time zone `tz`). */
export function lastRun(s: DigestSetting, tz: string, at: Date): Date {
  const local = DateTime.fromJSDate(at, { zone: tz });
  let day = runDay(s.every, local);
  let run = runOn(day, s.atMinute, tz);
  // At most two steps back: the run of this day/week/month may still be ahead.
  while (run.toMillis() > at.getTime()) {
    day = runDay(s.every, day.minus(step(s.every)));
    run = runOn(day, s.atMinute, tz);
  }
  return run.toJSDate();
}

/** The first run of `s` strictly after `after` (book time zone `tz`). */
export function nextRun(s: DigestSetting, tz: string, after: Date): Date {
  const local = DateTime.fromJSDate(after, { zone: tz });
  let day = runDay(s.every, local);
  let run = runOn(day, s.atMinute, tz);
  while (run.toMillis() <= after.getTime()) {
    day = runDay(s.every, day.plus(step(s.every)));
    run = runOn(day, s.atMinute, tz);
  }
  return run.toJSDate();
}
