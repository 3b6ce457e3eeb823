import { describe, expect, it } from 'vitest';
import { describeSchedule, formatSchedule, parseSchedule, splitSchedule, type Schedule } from './schedule.js';
import { domainError as rejection } from '../../test/domain-error.js';

const nine = { hour: 9, minute: 0 };


describe('parseSchedule', () => {
  it.each<[string, Schedule]>([
    ['daily', { kind: 'daily', at: nine }],
    ['weekly:mon', { kind: 'weekly', weekday: 1, at: nine }],
    ['weekly:sunday', { kind: 'weekly', weekday: 7, at: nine }],
    ['weekly:Thurs', { kind: 'weekly', weekday: 4, at: nine }],
    ['monthly:1', { kind: 'monthly', day: 1, at: nine }],
    ['monthly:31', { kind: 'monthly', day: 31, at: nine }],
    ['monthly:last', { kind: 'monthly', day: 'last', at: nine }],
    ['yearly:02-29', { kind: 'yearly', month: 2, day: 29, at: nine }],
    ['yearly:12-31', { kind: 'yearly', month: 12, day: 31, at: nine }],
    ['every:1d', { kind: 'every', count: 1, unit: 'day', at: nine }],
    ['every:2w', { kind: 'every', count: 2, unit: 'week', at: nine }],
    ['every:366m', { kind: 'every', count: 366, unit: 'month', at: nine }],
    ['rrule:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1', { kind: 'rrule', rule: 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1', at: nine }],
  ])('GIVEN %s THEN it reads as the matching schedule at 09:00 by default', (text, expected) => {
    expect(parseSchedule(text)).toEqual(expected);
  });

  it('GIVEN at:HH:MM before or after the schedule THEN that is the time of day', () => {
    expect(parseSchedule('monthly:last at:18:30')).toEqual({ kind: 'monthly', day: 'last', at: { hour: 18, minute: 30 } });
    expect(parseSchedule('at:07:05 daily')).toEqual({ kind: 'daily', at: { hour: 7, minute: 5 } });
    expect(parseSchedule('  daily   at:7:05 ')).toEqual({ kind: 'daily', at: { hour: 7, minute: 5 } });
    expect(parseSchedule('daily at:00:00').at).toEqual({ hour: 0, minute: 0 });
    expect(parseSchedule('daily at:23:59').at).toEqual({ hour: 23, minute: 59 });
  });

  it('GIVEN upper-case input THEN it is read the same', () => {
    expect(parseSchedule('WEEKLY:FRI AT:10:00')).toEqual({ kind: 'weekly', weekday: 5, at: { hour: 10, minute: 0 } });
    expect(parseSchedule('Monthly:LAST')).toEqual({ kind: 'monthly', day: 'last', at: nine });
  });

  it.each([
    'weekly:xyz',
    'weekly:mo',
    'weekly:',
    'weekly',
    'monthly:32',
    'monthly:0',
    'monthly:first',
    'monthly:-1',
    'yearly:13-01',
    'yearly:00-10',
    'yearly:02-30',
    'yearly:04-31',
    'yearly:2026-02-01',
    'every:0d',
    'every:367d',
    'every:2y',
    'every:d',
    'daily at:25:00',
    'daily at:24:00',
    'daily at:12:60',
    'daily at:noon',
    'at:09:00',
    'daily at:09:00 at:10:00',
    'daily weekly:mon',
    'garbage',
    'hourly',
    '',
    '   ',
  ])('GIVEN %j THEN schedule_invalid naming the text', (text) => {
    const e = rejection(() => parseSchedule(text));
    expect(e.code).toBe('schedule_invalid');
    expect(e.context.schedule).toBe(text.trim());
  });
});

describe('parseSchedule rrule:', () => {
  it('GIVEN lower case, an RRULE: prefix and shuffled parts THEN the rule is stored canonically', () => {
    expect(parseSchedule('rrule:bysetpos=1;byday=mo;freq=monthly')).toEqual(
      parseSchedule('rrule:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1'),
    );
    expect(parseSchedule('rrule:RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;')).toMatchObject({ kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO' });
    expect(parseSchedule('rrule:FREQ=MONTHLY;BYDAY=+1MO,-01FR')).toMatchObject({ kind: 'rrule', rule: 'FREQ=MONTHLY;BYDAY=1MO,-1FR' });
  });

  it('GIVEN a DTSTART with a time THEN the time becomes `at` and the rule keeps the date', () => {
    expect(parseSchedule('rrule:DTSTART=20260105T083000;FREQ=WEEKLY;INTERVAL=2')).toEqual({
      kind: 'rrule',
      rule: 'DTSTART=20260105;FREQ=WEEKLY;INTERVAL=2',
      at: { hour: 8, minute: 30 },
    });
    expect(parseSchedule('rrule:DTSTART=20260105T083000;FREQ=WEEKLY at:08:30').at).toEqual({ hour: 8, minute: 30 });
  });

  it.each([
    ['rrule:FREQ=HOURLY', 'rrule_too_frequent'],
    ['rrule:FREQ=MINUTELY;INTERVAL=1440', 'rrule_too_frequent'],
    ['rrule:FREQ=SECONDLY', 'rrule_too_frequent'],
    ['rrule:FREQ=DAILY;BYHOUR=9,10,11', 'rrule_time_part'],
    ['rrule:FREQ=DAILY;BYMINUTE=0,30', 'rrule_time_part'],
    ['rrule:', 'rrule_empty'],
    ['rrule:BYDAY=MO', 'rrule_freq_missing'],
    ['rrule:FREQ=FORTNIGHTLY', 'rrule_freq_invalid'],
    ['rrule:FREQ=DAILY;COUNT=0', 'rrule_count'],
    ['rrule:FREQ=DAILY;COUNT=abc', 'rrule_count'],
    ['rrule:FREQ=DAILY;COUNT=-3', 'rrule_count'],
    ['rrule:FREQ=DAILY;COUNT=5;UNTIL=20261231', 'rrule_count_and_until'],
    ['rrule:FREQ=DAILY;UNTIL=20261399', 'rrule_until'],
    ['rrule:FREQ=DAILY;UNTIL=tomorrow', 'rrule_until'],
    ['rrule:FREQ=DAILY;INTERVAL=0', 'rrule_interval'],
    ['rrule:FREQ=WEEKLY;BYDAY=XX', 'rrule_byday'],
    ['rrule:FREQ=WEEKLY;BYDAY=1MO', 'rrule_byday'],
    ['rrule:FREQ=MONTHLY;BYDAY=6MO', 'rrule_byday'],
    ['rrule:FREQ=MONTHLY;BYMONTHDAY=0', 'rrule_bymonthday'],
    ['rrule:FREQ=MONTHLY;BYMONTHDAY=32', 'rrule_bymonthday'],
    ['rrule:FREQ=YEARLY;BYMONTH=13', 'rrule_bymonth'],
    ['rrule:FREQ=MONTHLY;BYSETPOS=1', 'rrule_bysetpos'],
    ['rrule:FREQ=DAILY;BYDAY=MO,TU;BYSETPOS=1', 'rrule_bysetpos'],
    ['rrule:FREQ=MONTHLY;BYWEEKNO=1', 'rrule_byweekno'],
    ['rrule:FREQ=MONTHLY;BYDAY=MO;TZID=Europe/Berlin', 'rrule_unsupported_part'],
    ['rrule:FREQ=DAILY;X-NAME=rent', 'rrule_unsupported_part'],
    ['rrule:FREQ=DAILY;FREQ=WEEKLY', 'rrule_syntax'],
    ['rrule:FREQ', 'rrule_syntax'],
    ['rrule:FREQ=DAILY;DTSTART=20260105T083000Z', 'rrule_dtstart'],
    ['rrule:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', 'rrule_never'],
    ['rrule:FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31', 'rrule_never'],
    ['rrule:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6', 'rrule_never'],
    ['rrule:FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=3', 'rrule_never'],
    ['rrule:DTSTART=20260105;FREQ=DAILY;UNTIL=20251231', 'rrule_never'],
    ['rrule:DTSTART=20260105T083000;FREQ=WEEKLY at:09:00', 'rrule_dtstart_time'],
  ])('GIVEN %s THEN schedule_invalid (%s)', (text, reason) => {
    const e = rejection(() => parseSchedule(text));
    expect(e.code).toBe('schedule_invalid');
    expect(e.context).toEqual({ schedule: text, reason });
  });

  it('GIVEN a rule that fires only on leap days THEN it is accepted', () => {
    expect(parseSchedule('rrule:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29')).toMatchObject({ kind: 'rrule', rule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29' });
  });

  it('GIVEN a rule that only some INTERVAL phases can satisfy THEN it is accepted (the anchor decides)', () => {
    expect(parseSchedule('rrule:FREQ=DAILY;INTERVAL=7;BYDAY=MO')).toMatchObject({ kind: 'rrule', rule: 'FREQ=DAILY;INTERVAL=7;BYDAY=MO' });
  });
});

describe('formatSchedule', () => {
  it.each([
    ['daily', 'daily at:09:00'],
    ['weekly:Friday at:18:30', 'weekly:fri at:18:30'],
    ['monthly:last', 'monthly:last at:09:00'],
    ['at:7:05 monthly:05', 'monthly:5 at:07:05'],
    ['yearly:2-9', 'yearly:02-09 at:09:00'],
    ['every:02w', 'every:2w at:09:00'],
    ['rrule:byday=mo;freq=monthly;bysetpos=1 at:08:00', 'rrule:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1 at:08:00'],
    ['rrule:FREQ=DAILY;UNTIL=20261231T225959Z', 'rrule:FREQ=DAILY;UNTIL=20261231T225959Z at:09:00'],
  ])('GIVEN %s THEN the canonical text is %s', (text, canonical) => {
    expect(formatSchedule(parseSchedule(text))).toBe(canonical);
  });

  it.each([
    'daily at:00:00',
    'weekly:sun at:23:59',
    'monthly:31',
    'monthly:last at:12:00',
    'yearly:02-29',
    'every:366d',
    'every:1m at:06:15',
    'rrule:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 at:17:00',
    'rrule:DTSTART=20260105T083000;FREQ=WEEKLY;INTERVAL=2;COUNT=10;WKST=SU',
    'rrule:FREQ=YEARLY;BYWEEKNO=1,-1;BYDAY=MO',
    'rrule:FREQ=YEARLY;BYYEARDAY=1,100,-1',
    'rrule:FREQ=MONTHLY;BYMONTHDAY=1,15,-1;UNTIL=20271231',
  ])('GIVEN %s THEN parse(format(s)) gives s back, also through JSON', (text) => {
    const s = parseSchedule(text);
    expect(parseSchedule(formatSchedule(s))).toEqual(s);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(formatSchedule(parseSchedule(formatSchedule(s)))).toBe(formatSchedule(s));
  });
});

describe('describeSchedule', () => {
  it.each([
    ['daily', 'every day at 09:00'],
    ['weekly:tue at:07:30', 'every Tuesday at 07:30'],
    ['monthly:1', 'every month on the 1st at 09:00'],
    ['monthly:22', 'every month on the 22nd at 09:00'],
    ['monthly:31', 'every month on the 31st (or the last day of shorter months) at 09:00'],
    ['monthly:last', 'every month on the last day at 09:00'],
    ['yearly:03-08', 'every year on March 8 at 09:00'],
    ['yearly:02-29', 'every year on February 29 (February 28 in other years) at 09:00'],
    ['every:1d', 'every day at 09:00'],
    ['every:3w', 'every 3 weeks at 09:00'],
    ['every:2m', 'every 2 months at 09:00'],
    ['rrule:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1', 'every month on the first Monday at 09:00'],
    ['rrule:FREQ=MONTHLY;BYDAY=-1FR at:18:00', 'every month on the last Friday at 18:00'],
    ['rrule:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', 'every month on the last weekday at 09:00'],
    ['rrule:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH', 'every 2 weeks on Monday and Thursday at 09:00'],
    ['rrule:FREQ=MONTHLY;BYMONTHDAY=1,15', 'every month on the 1st and the 15th at 09:00'],
    ['rrule:FREQ=MONTHLY;BYMONTHDAY=-2', 'every month on the second-to-last day at 09:00'],
    ['rrule:FREQ=YEARLY;BYMONTH=3,9;BYDAY=1SU', 'every year in March and September on the first Sunday at 09:00'],
    ['rrule:FREQ=DAILY;COUNT=3', 'every day 3 times at 09:00'],
    ['rrule:DTSTART=20260105;FREQ=WEEKLY;UNTIL=20261231', 'every week starting 2026-01-05 until 2026-12-31 at 09:00'],
  ])('GIVEN %s THEN it reads "%s"', (text, english) => {
    expect(describeSchedule(parseSchedule(text))).toBe(english);
  });
});

describe('splitSchedule', () => {
  it('GIVEN a schedule then a record THEN the record text is the rest', () => {
    expect(splitSchedule('monthly:1 1200 #rent flat')).toEqual({
      schedule: { kind: 'monthly', day: 1, at: nine },
      rest: '1200 #rent flat',
    });
  });

  it('GIVEN at:HH:MM right after or before the schedule THEN it is taken with it', () => {
    const expected = { schedule: { kind: 'monthly', day: 1, at: { hour: 8, minute: 0 } }, rest: '1200 #rent' };
    expect(splitSchedule('monthly:1 at:08:00 1200 #rent')).toEqual(expected);
    expect(splitSchedule('at:08:00 monthly:1 1200 #rent')).toEqual(expected);
  });

  it('GIVEN an rrule schedule THEN the whole rule is one token', () => {
    expect(splitSchedule('rrule:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1 at:07:00 45 #gym  @card')).toEqual({
      schedule: { kind: 'rrule', rule: 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1', at: { hour: 7, minute: 0 } },
      rest: '45 #gym  @card',
    });
  });

  it('GIVEN only a schedule THEN the rest is empty', () => {
    expect(splitSchedule('  daily  ')).toEqual({ schedule: { kind: 'daily', at: nine }, rest: '' });
  });

  it.each([
    ['4.50 coffee', '4.50'],
    ['coffee daily', 'coffee'],
    ['daily at:25:00 5 coffee', 'daily at:25:00'],
    ['at:08:00 daily at:09:00 5 coffee', 'at:08:00 daily at:09:00'],
    ['monthly:1 at:08:00 at:09:00 5', 'monthly:1 at:08:00 at:09:00'],
    ['at:08:00', 'at:08:00'],
    ['', ''],
  ])('GIVEN %j THEN schedule_invalid naming %j', (args, named) => {
    const e = rejection(() => splitSchedule(args));
    expect(e.code).toBe('schedule_invalid');
    expect(e.context.schedule).toBe(named);
  });
});
