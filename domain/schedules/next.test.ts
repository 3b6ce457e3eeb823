import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { nextOccurrence, occurrencesBetween, parseSchedule } from './schedule.js';

const ANCHOR = '2026-01-01T00:00:00Z';

function next(text: string, after: string, tz = 'UTC', anchor = ANCHOR): string | null {
  return nextOccurrence(parseSchedule(text), new Date(after), tz, new Date(anchor))?.toISOString() ?? null;
}

function between(text: string, from: string, to: string, tz = 'UTC', anchor = ANCHOR, limit?: number): string[] {
  return occurrencesBetween(parseSchedule(text), new Date(from), new Date(to), tz, new Date(anchor), limit).map((d) =>
    d.toISOString(),
  );
}

const z = (s: string): string => `${s}:00.000Z`;

describe('nextOccurrence: each form', () => {
  it('GIVEN daily THEN the next 09:00, strictly after `after`', () => {
    expect(next('daily', '2026-01-15T08:59:00Z')).toBe(z('2026-01-15T09:00'));
    expect(next('daily', '2026-01-15T09:00:00Z')).toBe(z('2026-01-16T09:00'));
    expect(next('daily at:23:45', '2026-12-31T23:50:00Z')).toBe(z('2027-01-01T23:45'));
  });

  it('GIVEN daily in Europe/Berlin THEN 09:00 local in winter (UTC+1) and summer (UTC+2)', () => {
    expect(next('daily', '2026-01-15T00:00:00Z', 'Europe/Berlin')).toBe(z('2026-01-15T08:00'));
    expect(next('daily', '2026-07-15T00:00:00Z', 'Europe/Berlin')).toBe(z('2026-07-15T07:00'));
  });

  it('GIVEN weekly:fri THEN the coming Friday, and a week later once it has fired', () => {
    // 2026-01-01 is a Thursday.
    expect(next('weekly:fri at:18:30', '2026-01-01T00:00:00Z')).toBe(z('2026-01-02T18:30'));
    expect(next('weekly:friday at:18:30', '2026-01-02T18:30:00Z')).toBe(z('2026-01-09T18:30'));
    expect(next('weekly:thu', '2026-01-01T08:00:00Z')).toBe(z('2026-01-01T09:00'));
    expect(next('weekly:thu', '2026-01-01T10:00:00Z')).toBe(z('2026-01-08T09:00'));
  });

  it('GIVEN monthly:15 THEN this month if still ahead, else next month', () => {
    expect(next('monthly:15', '2026-03-10T00:00:00Z')).toBe(z('2026-03-15T09:00'));
    expect(next('monthly:15', '2026-03-15T09:00:00Z')).toBe(z('2026-04-15T09:00'));
    expect(next('monthly:15', '2026-12-20T00:00:00Z')).toBe(z('2027-01-15T09:00'));
  });

  it('GIVEN yearly:03-08 THEN this year if still ahead, else next year', () => {
    expect(next('yearly:03-08', '2026-01-01T00:00:00Z')).toBe(z('2026-03-08T09:00'));
    expect(next('yearly:03-08', '2026-03-08T09:00:00Z')).toBe(z('2027-03-08T09:00'));
  });

  it('GIVEN an unknown timezone THEN timezone_invalid', () => {
    expect(() => next('daily', '2026-01-01T00:00:00Z', 'Mars/Olympus')).toThrow(DomainError);
    try {
      next('daily', '2026-01-01T00:00:00Z', 'Mars/Olympus');
    } catch (e) {
      expect((e as DomainError).code).toBe('timezone_invalid');
    }
  });
});

describe('month ends and leap years', () => {
  it('GIVEN monthly:31 THEN 30-day months and February fire on their last day', () => {
    expect(between('monthly:31', '2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z')).toEqual([
      z('2026-01-31T09:00'),
      z('2026-02-28T09:00'),
      z('2026-03-31T09:00'),
      z('2026-04-30T09:00'),
      z('2026-05-31T09:00'),
      z('2026-06-30T09:00'),
    ]);
  });

  it('GIVEN monthly:30 THEN February fires on the 28th, or the 29th in a leap year', () => {
    expect(next('monthly:30', '2026-02-01T00:00:00Z')).toBe(z('2026-02-28T09:00'));
    expect(next('monthly:30', '2028-02-01T00:00:00Z')).toBe(z('2028-02-29T09:00'));
    expect(next('monthly:30', '2028-02-29T09:00:00Z')).toBe(z('2028-03-30T09:00'));
  });

  it('GIVEN monthly:last THEN the last day of each month, 29 in a leap February', () => {
    expect(between('monthly:last', '2028-01-15T00:00:00Z', '2028-05-01T00:00:00Z')).toEqual([
      z('2028-01-31T09:00'),
      z('2028-02-29T09:00'),
      z('2028-03-31T09:00'),
      z('2028-04-30T09:00'),
    ]);
    expect(next('monthly:last', '2026-02-01T00:00:00Z')).toBe(z('2026-02-28T09:00'));
  });

  it('GIVEN yearly:02-29 THEN Feb 28 in 2027 and Feb 29 in 2028', () => {
    expect(next('yearly:02-29', '2026-12-31T00:00:00Z')).toBe(z('2027-02-28T09:00'));
    expect(next('yearly:02-29', '2027-02-28T09:00:00Z')).toBe(z('2028-02-29T09:00'));
    expect(between('yearly:02-29', '2026-03-01T00:00:00Z', '2029-03-01T00:00:00Z')).toEqual([
      z('2027-02-28T09:00'),
      z('2028-02-29T09:00'),
      z('2029-02-28T09:00'),
    ]);
  });
});

describe('DST: a local time fires once per local date', () => {
  it('GIVEN daily at 02:30 over the Berlin spring gap (2026-03-29) THEN the missing 02:30 fires at 03:30 CEST', () => {
    expect(between('daily at:02:30', '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z', 'Europe/Berlin')).toEqual([
      z('2026-03-27T01:30'), // 02:30 CET
      z('2026-03-28T01:30'),
      z('2026-03-29T01:30'), // 02:30 does not exist: shifted by the 1 h gap to 03:30 CEST
      z('2026-03-30T00:30'), // 02:30 CEST
    ]);
  });

  it('GIVEN daily at 02:30 over the Berlin autumn overlap (2026-10-25) THEN only the first 02:30 fires', () => {
    expect(between('daily at:02:30', '2026-10-23T23:00:00Z', '2026-10-26T23:00:00Z', 'Europe/Berlin')).toEqual([
      z('2026-10-24T00:30'),
      z('2026-10-25T00:30'), // 02:30 CEST; the repeated 02:30 CET (01:30Z) must not fire
      z('2026-10-26T01:30'),
    ]);
    expect(next('daily at:02:30', '2026-10-25T00:30:00Z', 'Europe/Berlin')).toBe(z('2026-10-26T01:30'));
    expect(next('daily at:02:30', '2026-10-25T01:00:00Z', 'Europe/Berlin')).toBe(z('2026-10-26T01:30'));
  });

  it('GIVEN daily at 01:30 in Berlin THEN both change days are ordinary', () => {
    expect(next('daily at:01:30', '2026-03-28T12:00:00Z', 'Europe/Berlin')).toBe(z('2026-03-29T00:30'));
    expect(next('daily at:01:30', '2026-10-24T12:00:00Z', 'Europe/Berlin')).toBe(z('2026-10-24T23:30'));
  });

  it('GIVEN the New York spring gap (2026-03-08) THEN 02:30 fires at 03:30 EDT and 01:30 is unaffected', () => {
    expect(between('daily at:02:30', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z', 'America/New_York')).toEqual([
      z('2026-03-07T07:30'),
      z('2026-03-08T07:30'), // 03:30 EDT
      z('2026-03-09T06:30'),
    ]);
    expect(between('daily at:01:30', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z', 'America/New_York')).toEqual([
      z('2026-03-07T06:30'),
      z('2026-03-08T06:30'),
      z('2026-03-09T05:30'),
    ]);
  });

  it('GIVEN the New York autumn overlap (2026-11-01) THEN 01:30 fires once, at 01:30 EDT', () => {
    expect(between('daily at:01:30', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z', 'America/New_York')).toEqual([
      z('2026-10-31T05:30'),
      z('2026-11-01T05:30'), // not again at 06:30Z (01:30 EST)
      z('2026-11-02T06:30'),
    ]);
    expect(next('daily at:01:30', '2026-11-01T05:30:00Z', 'America/New_York')).toBe(z('2026-11-02T06:30'));
    expect(between('daily at:02:30', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z', 'America/New_York')).toEqual([
      z('2026-10-31T06:30'),
      z('2026-11-01T07:30'),
      z('2026-11-02T07:30'),
    ]);
  });

  it('GIVEN Pacific/Auckland THEN a morning occurrence falls on the previous UTC date, at +13 in summer and +12 in winter', () => {
    expect(next('daily at:08:00', '2026-01-14T00:00:00Z', 'Pacific/Auckland')).toBe(z('2026-01-14T19:00'));
    expect(next('daily at:08:00', '2026-06-14T00:00:00Z', 'Pacific/Auckland')).toBe(z('2026-06-14T20:00'));
    // New Year's Day in Auckland is still the previous year in UTC.
    expect(next('monthly:1', '2025-12-01T00:00:00Z', 'Pacific/Auckland')).toBe(z('2025-12-31T20:00'));
  });

  it('GIVEN Auckland DST ends (2026-04-05 03:00 → 02:00) THEN 02:30 fires once, at NZDT', () => {
    expect(between('daily at:02:30', '2026-04-03T12:00:00Z', '2026-04-06T12:00:00Z', 'Pacific/Auckland')).toEqual([
      z('2026-04-03T13:30'),
      z('2026-04-04T13:30'),
      z('2026-04-05T14:30'),
    ]);
  });

  it('GIVEN Auckland DST starts (2026-09-27 02:00 → 03:00) THEN 02:30 fires at 03:30 NZDT', () => {
    expect(between('daily at:02:30', '2026-09-25T12:00:00Z', '2026-09-28T12:00:00Z', 'Pacific/Auckland')).toEqual([
      z('2026-09-25T14:30'),
      z('2026-09-26T14:30'),
      z('2026-09-27T13:30'),
    ]);
  });
});

describe('every:N counts from the anchor', () => {
  it('GIVEN every:2w created on a Wednesday THEN every other Wednesday', () => {
    const anchor = '2026-01-07T10:00:00Z'; // Wednesday, after that day's 09:00
    expect(between('every:2w', anchor, '2026-02-20T00:00:00Z', 'UTC', anchor)).toEqual([
      z('2026-01-21T09:00'),
      z('2026-02-04T09:00'),
      z('2026-02-18T09:00'),
    ]);
  });

  it("GIVEN an anchor just after midnight in Berlin THEN the anchor's Berlin date counts, not its UTC date", () => {
    const anchor = '2026-01-06T23:30:00Z'; // Wed 00:30 in Berlin, still Tuesday in UTC
    expect(next('every:1w', anchor, 'Europe/Berlin', anchor)).toBe(z('2026-01-07T08:00'));
    expect(next('every:1w', anchor, 'UTC', anchor)).toBe(z('2026-01-13T09:00'));
  });

  it('GIVEN every:1m from Jan 31 THEN each month clamps but the 31st comes back', () => {
    const anchor = '2026-01-31T08:00:00Z';
    expect(between('every:1m', anchor, '2026-06-01T00:00:00Z', 'UTC', anchor)).toEqual([
      z('2026-01-31T09:00'),
      z('2026-02-28T09:00'),
      z('2026-03-31T09:00'),
      z('2026-04-30T09:00'),
      z('2026-05-31T09:00'),
    ]);
    expect(next('every:1m', '2028-02-01T00:00:00Z', 'UTC', '2028-01-31T08:00:00Z')).toBe(z('2028-02-29T09:00'));
  });

  it('GIVEN every:2m from Dec 31 THEN Feb 28, Apr 30, Jun 30, Aug 31', () => {
    const anchor = '2025-12-31T12:00:00Z'; // that day's 09:00 has passed
    expect(between('every:2m', anchor, '2026-09-01T00:00:00Z', 'UTC', anchor)).toEqual([
      z('2026-02-28T09:00'),
      z('2026-04-30T09:00'),
      z('2026-06-30T09:00'),
      z('2026-08-31T09:00'),
    ]);
  });

  it('GIVEN every:12m from Feb 29 THEN Feb 28 in common years and Feb 29 again in 2028', () => {
    const anchor = '2024-02-29T00:00:00Z';
    expect(between('every:12m', anchor, '2028-03-01T00:00:00Z', 'UTC', anchor)).toEqual([
      z('2024-02-29T09:00'),
      z('2025-02-28T09:00'),
      z('2026-02-28T09:00'),
      z('2027-02-28T09:00'),
      z('2028-02-29T09:00'),
    ]);
  });

  it('GIVEN every:1m from Feb 28 THEN the 28th of each month (the anchor day, not "last day")', () => {
    const anchor = '2026-02-28T00:00:00Z';
    expect(between('every:1m', anchor, '2026-05-01T00:00:00Z', 'UTC', anchor)).toEqual([
      z('2026-02-28T09:00'),
      z('2026-03-28T09:00'),
      z('2026-04-28T09:00'),
    ]);
  });

  it('GIVEN every:10d from Jan 31 THEN day counting runs through February', () => {
    const anchor = '2026-01-31T00:00:00Z';
    expect(between('every:10d', anchor, '2026-03-05T00:00:00Z', 'UTC', anchor)).toEqual([
      z('2026-01-31T09:00'),
      z('2026-02-10T09:00'),
      z('2026-02-20T09:00'),
      z('2026-03-02T09:00'),
    ]);
  });

  it('GIVEN every:2w across the Berlin spring change THEN 09:00 local on both sides', () => {
    const anchor = '2026-03-18T00:00:00Z';
    expect(between('every:2w', anchor, '2026-04-16T00:00:00Z', 'Europe/Berlin', anchor)).toEqual([
      z('2026-03-18T08:00'),
      z('2026-04-01T07:00'),
      z('2026-04-15T07:00'),
    ]);
  });

  it('GIVEN `after` long after the anchor THEN the series keeps its phase', () => {
    expect(next('every:3d', '2027-01-01T00:00:00Z', 'UTC', '2026-01-01T00:00:00Z')).toBe(z('2027-01-02T09:00'));
  });
});

describe('rrule:', () => {
  it('GIVEN the first Monday of the month at 08:00 in Auckland THEN Sunday evening UTC, following the NZ offset', () => {
    expect(
      between('rrule:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1 at:08:00', ANCHOR, '2026-06-01T00:00:00Z', 'Pacific/Auckland'),
    ).toEqual([
      z('2026-01-04T19:00'), // Mon Jan 5, NZDT
      z('2026-02-01T19:00'),
      z('2026-03-01T19:00'),
      z('2026-04-05T20:00'), // Mon Apr 6, NZST from Apr 5
      z('2026-05-03T20:00'),
      z('2026-05-31T20:00'),
    ]);
  });

  it('GIVEN the last weekday of the month in New York THEN 17:00 local, EST then EDT', () => {
    const rule = 'rrule:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 at:17:00';
    expect(between(rule, ANCHOR, '2026-04-01T00:00:00Z', 'America/New_York')).toEqual([
      z('2026-01-30T22:00'), // Fri; Jan 31 is a Saturday
      z('2026-02-27T22:00'),
      z('2026-03-31T21:00'),
    ]);
  });

  it('GIVEN the second-to-last Friday via BYDAY=-2FR in Berlin THEN it follows CET/CEST', () => {
    expect(between('rrule:FREQ=MONTHLY;BYDAY=-2FR', ANCHOR, '2026-05-01T00:00:00Z', 'Europe/Berlin')).toEqual([
      z('2026-01-23T08:00'),
      z('2026-02-20T08:00'),
      z('2026-03-20T08:00'),
      z('2026-04-17T07:00'),
    ]);
  });

  it('GIVEN no DTSTART THEN the anchor date is DTSTART (every other Wednesday from a Wednesday)', () => {
    const anchor = '2026-01-07T10:00:00Z';
    expect(between('rrule:FREQ=WEEKLY;INTERVAL=2', anchor, '2026-02-10T00:00:00Z', 'UTC', anchor)).toEqual([
      z('2026-01-21T09:00'),
      z('2026-02-04T09:00'),
    ]);
  });

  it('GIVEN a DTSTART in the rule THEN it overrides the anchor', () => {
    const rule = 'rrule:DTSTART=20260105;FREQ=WEEKLY;INTERVAL=2 at:08:30';
    expect(between(rule, '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z', 'UTC', '2026-02-01T00:00:00Z')).toEqual([
      z('2026-02-02T08:30'),
      z('2026-02-16T08:30'),
    ]);
  });

  it('GIVEN COUNT=3 THEN three occurrences and then none', () => {
    expect(between('rrule:FREQ=DAILY;COUNT=3', ANCHOR, '2026-12-31T00:00:00Z')).toEqual([
      z('2026-01-01T09:00'),
      z('2026-01-02T09:00'),
      z('2026-01-03T09:00'),
    ]);
    expect(next('rrule:FREQ=DAILY;COUNT=3', '2026-01-03T09:00:00Z')).toBeNull();
  });

  it('GIVEN a date-only UNTIL THEN that whole day is included', () => {
    expect(between('rrule:FREQ=WEEKLY;UNTIL=20260115', ANCHOR, '2026-12-31T00:00:00Z')).toEqual([
      z('2026-01-01T09:00'),
      z('2026-01-08T09:00'),
      z('2026-01-15T09:00'),
    ]);
    expect(next('rrule:FREQ=WEEKLY;UNTIL=20260115', '2026-01-15T09:00:00Z')).toBeNull();
  });

  it('GIVEN a UTC UNTIL THEN it is compared as an instant in the book zone', () => {
    const upTo = (until: string) => between(`rrule:FREQ=DAILY;UNTIL=${until}`, ANCHOR, '2026-12-31T00:00:00Z', 'Europe/Berlin');
    expect(upTo('20260103T080000Z')).toEqual([z('2026-01-01T08:00'), z('2026-01-02T08:00'), z('2026-01-03T08:00')]);
    expect(upTo('20260103T075959Z')).toEqual([z('2026-01-01T08:00'), z('2026-01-02T08:00')]);
  });

  it('GIVEN BYMONTHDAY=31 THEN rrule follows RFC 5545 and skips shorter months (unlike monthly:31)', () => {
    expect(between('rrule:FREQ=MONTHLY;BYMONTHDAY=31', ANCHOR, '2026-07-01T00:00:00Z')).toEqual([
      z('2026-01-31T09:00'),
      z('2026-03-31T09:00'),
      z('2026-05-31T09:00'),
    ]);
  });

  it('GIVEN the last day of February via BYMONTHDAY=-1 THEN Feb 28, then Feb 29 in 2028', () => {
    expect(between('rrule:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1', ANCHOR, '2029-01-01T00:00:00Z')).toEqual([
      z('2026-02-28T09:00'),
      z('2027-02-28T09:00'),
      z('2028-02-29T09:00'),
    ]);
  });

  it('GIVEN a rule that fires once in decades (Feb 29 on a Monday) THEN the next one is still found', () => {
    expect(next('rrule:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO', ANCHOR)).toBe(z('2044-02-29T09:00'));
  });

  it('GIVEN a range longer than the search window THEN every occurrence in it', () => {
    const got = between('rrule:FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=1', ANCHOR, '2070-01-01T00:00:00Z');
    expect(got).toHaveLength(2069 - 2026 + 1);
    expect(got.at(-1)).toBe(z('2069-06-01T09:00'));
  });

  it('GIVEN every 7th day on Mondays THEN it depends on the anchor weekday, and answers at once when it never fires', () => {
    const rule = 'rrule:FREQ=DAILY;INTERVAL=7;BYDAY=MO';
    expect(between(rule, '2026-01-05T00:00:00Z', '2026-01-20T00:00:00Z', 'UTC', '2026-01-05T00:00:00Z')).toEqual([
      z('2026-01-05T09:00'),
      z('2026-01-12T09:00'),
      z('2026-01-19T09:00'),
    ]);
    const started = performance.now();
    expect(next(rule, '2026-01-07T00:00:00Z', 'UTC', '2026-01-07T00:00:00Z')).toBeNull(); // a Wednesday
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('GIVEN a schedule revived from JSON THEN it computes the same occurrences', () => {
    const s = parseSchedule('rrule:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1 at:08:00');
    const revived = JSON.parse(JSON.stringify(s)) as typeof s;
    const after = new Date('2026-03-03T00:00:00Z');
    expect(nextOccurrence(revived, after, 'Pacific/Auckland', new Date(ANCHOR))).toEqual(
      nextOccurrence(s, after, 'Pacific/Auckland', new Date(ANCHOR)),
    );
  });

  it('GIVEN the host process runs in another timezone THEN results do not change', () => {
    const compute = () => [
      ...between('rrule:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1', ANCHOR, '2026-12-31T00:00:00Z', 'Europe/Berlin'),
      ...between('daily at:02:30', '2026-10-23T23:00:00Z', '2026-10-26T23:00:00Z', 'Europe/Berlin'),
    ];
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const inUtc = compute();
      process.env.TZ = 'America/Los_Angeles';
      expect(compute()).toEqual(inUtc);
      process.env.TZ = 'Asia/Kathmandu';
      expect(compute()).toEqual(inUtc);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('occurrencesBetween: catch-up after downtime', () => {
  it('GIVEN three months of downtime THEN each missed Monday once, oldest first, across the DST change', () => {
    const mondays = [
      ...['02-02', '02-09', '02-16', '02-23', '03-02', '03-09', '03-16', '03-23'].map((d) => z(`2026-${d}T08:00`)),
      ...['03-30', '04-06', '04-13', '04-20', '04-27'].map((d) => z(`2026-${d}T07:00`)),
    ];
    expect(between('weekly:mon', '2026-02-01T00:00:00Z', '2026-05-01T00:00:00Z', 'Europe/Berlin')).toEqual(mondays);
  });

  it('GIVEN daily at 02:30 in Berlin from September to December THEN 91 occurrences, one per local date', () => {
    const got = occurrencesBetween(
      parseSchedule('daily at:02:30'),
      new Date('2026-09-01T00:00:00Z'),
      new Date('2026-12-01T00:00:00Z'),
      'Europe/Berlin',
      new Date(ANCHOR),
    );
    expect(got).toHaveLength(30 + 31 + 30);
    const localDates = got.map((d) => d.toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' }));
    expect(new Set(localDates).size).toBe(got.length);
    expect(localDates[0]).toBe('2026-09-01');
    expect(localDates.at(-1)).toBe('2026-11-30');
    for (let i = 1; i < got.length; i++) expect(got[i]!.getTime()).toBeGreaterThan(got[i - 1]!.getTime());
  });

  it('GIVEN occurrences exactly at the bounds THEN `from` is excluded and `to` included', () => {
    expect(between('daily', '2026-01-01T09:00:00Z', '2026-01-03T09:00:00Z')).toEqual([
      z('2026-01-02T09:00'),
      z('2026-01-03T09:00'),
    ]);
  });

  it('GIVEN a limit THEN only the oldest that many', () => {
    expect(between('daily', ANCHOR, '2027-01-01T00:00:00Z', 'UTC', ANCHOR, 2)).toEqual([
      z('2026-01-01T09:00'),
      z('2026-01-02T09:00'),
    ]);
    expect(between('daily', ANCHOR, '2036-01-01T00:00:00Z')).toHaveLength(1000);
  });

  it('GIVEN an empty or reversed range THEN nothing', () => {
    expect(between('daily', '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')).toEqual([]);
    expect(between('daily', '2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z')).toEqual([]);
  });

  it('GIVEN any form THEN occurrencesBetween agrees with chaining nextOccurrence', () => {
    for (const text of ['monthly:31 at:02:30', 'every:5d at:01:30', 'rrule:FREQ=WEEKLY;BYDAY=SU,WE at:02:30']) {
      const s = parseSchedule(text);
      const chained: Date[] = [];
      let cursor: Date | null = new Date('2026-02-15T00:00:00Z');
      const end = new Date('2026-11-15T00:00:00Z');
      while ((cursor = nextOccurrence(s, cursor, 'Europe/Berlin', new Date(ANCHOR))) && cursor <= end) chained.push(cursor);
      expect(occurrencesBetween(s, new Date('2026-02-15T00:00:00Z'), end, 'Europe/Berlin', new Date(ANCHOR))).toEqual(
        chained,
      );
    }
  });
});
