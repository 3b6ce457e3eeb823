import { DomainError } from '../errors.js';
import {
  RruleSyntaxError,
  assertRruleFires,
  describeRrule,
  monthName,
  ordinal,
  parseRrule,
  type WallTime,
} from './rrule.js';

export type { WallTime } from './rrule.js';

/** ISO weekday: 1 = Monday … 7 = Sunday (luxon's numbering). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/**
 * When a template fires, as plain JSON. `at` is the book-local time of day. Days a month lacks
 * fall on its last day (`monthly` 31, `yearly` 02-29); `every` and `rrule` count from the
 * template's anchor (creation instant); `rule` is canonical RRULE text (see formatRrule).
 */
export type Schedule =
  | { readonly kind: 'daily'; readonly at: WallTime }
  | { readonly kind: 'weekly'; readonly weekday: IsoWeekday; readonly at: WallTime }
  | { readonly kind: 'monthly'; readonly day: number | 'last'; readonly at: WallTime }
  | { readonly kind: 'yearly'; readonly month: number; readonly day: number; readonly at: WallTime }
  | { readonly kind: 'every'; readonly count: number; readonly unit: EveryUnit; readonly at: WallTime }
  | { readonly kind: 'rrule'; readonly rule: string; readonly at: WallTime };

export type EveryUnit = 'day' | 'week' | 'month';

export const DEFAULT_AT: WallTime = { hour: 9, minute: 0 };
export const MAX_EVERY = 366;

const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const UNIT_LETTER: Record<EveryUnit, string> = { day: 'd', week: 'w', month: 'm' };
const UNIT_OF_LETTER: Record<string, EveryUnit> = { d: 'day', w: 'week', m: 'month' };

const AT_TOKEN = /^at:/i;

function invalid(text: string, reason: string): never {
  throw new DomainError('schedule_invalid', { schedule: text.trim(), reason });
}

/** Days in `month` of a leap year: the most a yearly date may name (02-29 is allowed). */
const maxDayOf = (month: number): number => new Date(Date.UTC(2000, month, 0)).getUTCDate();

function parseAt(token: string, text: string): WallTime {
  const m = /^at:(\d{1,2}):(\d{2})$/i.exec(token);
  if (!m) return invalid(text, 'time');
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (hour > 23 || minute > 59) invalid(text, 'time');
  return { hour, minute };
}

function parseWeekday(name: string): IsoWeekday | undefined {
  // Full names and any prefix of at least three letters: mon, tues, thurs, wednes…
  if (name.length < 3) return undefined;
  const i = WEEKDAY_NAMES.findIndex((w) => w.startsWith(name));
  return i < 0 ? undefined : ((i + 1) as IsoWeekday);
}

/**
 * Reads schedule text such as `monthly:last at:18:30`, `weekly:fri`, `every:2w`,
 * `rrule:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1`. The `at:HH:MM` token may come before or after.
 * Throws DomainError('schedule_invalid', { schedule, reason }).
 */
export function parseSchedule(text: string): Schedule {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const atTokens = tokens.filter((t) => AT_TOKEN.test(t));
  const bodies = tokens.filter((t) => !AT_TOKEN.test(t));
  if (bodies.length !== 1 || atTokens.length > 1) invalid(text, bodies.length === 0 ? 'empty' : 'syntax');
  const body = bodies[0]!;
  const explicitAt = atTokens[0] === undefined ? undefined : parseAt(atTokens[0], text);
  const at = explicitAt ?? DEFAULT_AT;
  const lower = body.toLowerCase();

  if (lower === 'daily') return { kind: 'daily', at };

  let m = /^weekly:([a-z]+)$/.exec(lower);
  if (m) {
    const weekday = parseWeekday(m[1]!) ?? invalid(text, 'weekday');
    return { kind: 'weekly', weekday, at };
  }
  if (lower.startsWith('weekly:')) invalid(text, 'weekday');

  m = /^monthly:(\d{1,2}|last)$/.exec(lower);
  if (m) {
    if (m[1] === 'last') return { kind: 'monthly', day: 'last', at };
    const day = Number(m[1]);
    if (day < 1 || day > 31) invalid(text, 'month_day');
    return { kind: 'monthly', day, at };
  }
  if (lower.startsWith('monthly:')) invalid(text, 'month_day');

  m = /^yearly:(\d{1,2})-(\d{1,2})$/.exec(lower);
  if (m) {
    const month = Number(m[1]);
    const day = Number(m[2]);
    if (month < 1 || month > 12 || day < 1 || day > maxDayOf(month)) invalid(text, 'date');
    return { kind: 'yearly', month, day, at };
  }
  if (lower.startsWith('yearly:')) invalid(text, 'date');

  m = /^every:(\d{1,3})([dwm])$/.exec(lower);
  if (m) {
    const count = Number(m[1]);
    if (count < 1 || count > MAX_EVERY) invalid(text, 'every');
    return { kind: 'every', count, unit: UNIT_OF_LETTER[m[2]!]!, at };
  }
  if (lower.startsWith('every:')) invalid(text, 'every');

  if (lower.startsWith('rrule:')) {
    try {
      const parsed = parseRrule(body.slice('rrule:'.length));
      const dt = parsed.dtstartTime;
      if (dt && explicitAt && (dt.hour !== explicitAt.hour || dt.minute !== explicitAt.minute)) {
        invalid(text, 'rrule_dtstart_time');
      }
      // A DTSTART time stands in for `at:`; the canonical rule keeps only its date.
      const ruleAt = explicitAt ?? dt ?? DEFAULT_AT;
      assertRruleFires(parsed.parts, ruleAt);
      return { kind: 'rrule', rule: parsed.canonical, at: ruleAt };
    } catch (e) {
      if (e instanceof RruleSyntaxError) invalid(text, e.reason);
      throw e;
    }
  }
  return invalid(text, 'unknown');
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `HH:MM`, zero-padded. */
export const formatWallTime = (t: WallTime): string => `${pad2(t.hour)}:${pad2(t.minute)}`;

/** Canonical text that parseSchedule reads back to an equal Schedule, e.g. `monthly:last at:09:00`. */
export function formatSchedule(s: Schedule): string {
  return `${formatBody(s)} at:${formatWallTime(s.at)}`;
}

function formatBody(s: Schedule): string {
  switch (s.kind) {
    case 'daily':
      return 'daily';
    case 'weekly':
      return `weekly:${WEEKDAY_NAMES[s.weekday - 1]!.slice(0, 3)}`;
    case 'monthly':
      return `monthly:${s.day}`;
    case 'yearly':
      return `yearly:${pad2(s.month)}-${pad2(s.day)}`;
    case 'every':
      return `every:${s.count}${UNIT_LETTER[s.unit]}`;
    case 'rrule':
      return `rrule:${s.rule}`;
  }
}

const capitalize = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);

/** Short English, e.g. "every month on the last day at 09:00". */
export function describeSchedule(s: Schedule): string {
  return `${describeBody(s)} at ${formatWallTime(s.at)}`;
}

function describeBody(s: Schedule): string {
  switch (s.kind) {
    case 'daily':
      return 'every day';
    case 'weekly':
      return `every ${capitalize(WEEKDAY_NAMES[s.weekday - 1]!)}`;
    case 'monthly':
      if (s.day === 'last') return 'every month on the last day';
      return s.day > 28
        ? `every month on the ${ordinal(s.day)} (or the last day of shorter months)`
        : `every month on the ${ordinal(s.day)}`;
    case 'yearly':
      return s.month === 2 && s.day === 29
        ? 'every year on February 29 (February 28 in other years)'
        : `every year on ${monthName(s.month)} ${s.day}`;
    case 'every':
      return s.count === 1 ? `every ${s.unit}` : `every ${s.count} ${s.unit}s`;
    case 'rrule':
      return describeRrule(parseRrule(s.rule).parts);
  }
}

/**
 * For `/template add <schedule> [at:HH:MM] <record>`: takes the schedule token and an optional
 * `at:HH:MM` token (just before or just after it) off the front and returns the record text.
 * Throws DomainError('schedule_invalid') when the front is not a schedule.
 */
export function splitSchedule(args: string): { schedule: Schedule; rest: string } {
  let remaining = args.trim();
  const taken: string[] = [];
  const take = (): string | undefined => {
    const m = /^(\S+)\s*/.exec(remaining);
    if (!m) return undefined;
    remaining = remaining.slice(m[0].length);
    taken.push(m[1]!);
    return m[1];
  };
  const peek = (): string | undefined => /^\S+/.exec(remaining)?.[0];

  const first = take();
  if (first === undefined) invalid('', 'empty');
  if (AT_TOKEN.test(first)) {
    if (take() === undefined) invalid(first, 'empty');
  } else if (AT_TOKEN.test(peek() ?? '')) {
    take();
  }
  // A second time of day would otherwise be silently kept as record text.
  if (AT_TOKEN.test(peek() ?? '')) invalid(`${taken.join(' ')} ${peek()}`, 'syntax');
  return { schedule: parseSchedule(taken.join(' ')), rest: remaining.trim() };
}
