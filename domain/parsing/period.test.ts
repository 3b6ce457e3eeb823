import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { isPeriodToken, parsePeriod, periodOf, previousPeriod, type Period } from './period.js';

const at = (iso: string) => new Date(iso);
const span = (p: Period) => ({ start: p.start.toISOString(), end: p.end.toISOString(), label: p.label, unit: p.unit });

function periodError(text: string | undefined, now: Date, tz: string): DomainError {
  try {
    parsePeriod(text, now, tz);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('parsePeriod: the current month by default', () => {
  const now = at('2026-03-15T12:00:00Z');

  it.each([undefined, '', '   ', 'month', 'MONTH', 'this-month'])('GIVEN %j THEN this month', (text) => {
    expect(span(parsePeriod(text, now, 'UTC'))).toEqual({
      start: '2026-03-01T00:00:00.000Z',
      end: '2026-04-01T00:00:00.000Z',
      label: 'March 2026',
      unit: 'month',
    });
  });

  it('GIVEN a month with the spring DST change in Berlin THEN it runs from local midnight to local midnight', () => {
    expect(span(parsePeriod('month', now, 'Europe/Berlin'))).toEqual({
      start: '2026-02-28T23:00:00.000Z',
      end: '2026-03-31T22:00:00.000Z',
      label: 'March 2026',
      unit: 'month',
    });
  });

  it('GIVEN the autumn DST month in Berlin THEN the end is midnight in winter time', () => {
    const p = parsePeriod('month', at('2026-10-10T12:00:00Z'), 'Europe/Berlin');
    expect([p.start.toISOString(), p.end.toISOString()]).toEqual(['2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z']);
  });

  it('GIVEN the last evening of a month in New York, already the next month in UTC THEN it is still that month', () => {
    const p = parsePeriod(undefined, at('2026-05-01T02:00:00Z'), 'America/New_York');
    expect(span(p)).toEqual({
      start: '2026-04-01T04:00:00.000Z',
      end: '2026-05-01T04:00:00.000Z',
      label: 'April 2026',
      unit: 'month',
    });
  });

  it('GIVEN the first morning of a month in Auckland, still the previous month in UTC THEN it is the new month', () => {
    const p = parsePeriod('month', at('2026-01-31T20:00:00Z'), 'Pacific/Auckland');
    expect(p.label).toBe('February 2026');
    expect(p.start.toISOString()).toBe('2026-01-31T11:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-02-28T11:00:00.000Z');
  });
});

describe('parsePeriod: days', () => {
  it('GIVEN today on the spring DST day in New York THEN the day is 23 hours long', () => {
    const p = parsePeriod('today', at('2026-03-08T15:00:00Z'), 'America/New_York');
    expect(span(p)).toEqual({
      start: '2026-03-08T05:00:00.000Z',
      end: '2026-03-09T04:00:00.000Z',
      label: '2026-03-08',
      unit: 'day',
    });
  });

  it('GIVEN yesterday on the day after the autumn DST change in Berlin THEN it is the 25-hour day', () => {
    const p = parsePeriod('yesterday', at('2026-10-26T09:00:00Z'), 'Europe/Berlin');
    expect(span(p)).toEqual({
      start: '2026-10-24T22:00:00.000Z',
      end: '2026-10-25T23:00:00.000Z',
      label: '2026-10-25',
      unit: 'day',
    });
  });

  it('GIVEN yesterday on 1 March of a leap year THEN it is 29 February', () => {
    expect(parsePeriod('yesterday', at('2028-03-01T10:00:00Z'), 'UTC').label).toBe('2028-02-29');
  });

  it('GIVEN a single YYYY-MM-DD THEN that local day', () => {
    expect(span(parsePeriod('2026-11-16', at('2026-12-01T00:00:00Z'), 'Europe/Berlin'))).toEqual({
      start: '2026-11-15T23:00:00.000Z',
      end: '2026-11-16T23:00:00.000Z',
      label: '2026-11-16',
      unit: 'day',
    });
  });
});

describe('parsePeriod: weeks start on Monday', () => {
  it('GIVEN a Wednesday THEN the week runs Monday to Sunday', () => {
    expect(span(parsePeriod('week', at('2026-11-18T12:00:00Z'), 'Europe/Berlin'))).toEqual({
      start: '2026-11-15T23:00:00.000Z',
      end: '2026-11-22T23:00:00.000Z',
      label: '2026-11-16 – 2026-11-22',
      unit: 'week',
    });
  });

  it('GIVEN late Sunday UTC, already Monday in Auckland THEN the timezone picks the week', () => {
    const now = at('2026-11-22T22:30:00Z');
    expect(parsePeriod('week', now, 'UTC').label).toBe('2026-11-16 – 2026-11-22');
    expect(parsePeriod('week', now, 'Pacific/Auckland').label).toBe('2026-11-23 – 2026-11-29');
  });

  it('GIVEN a Monday just after midnight THEN it is already the new week', () => {
    expect(parsePeriod('week', at('2026-11-22T23:05:00Z'), 'Europe/Berlin').label).toBe('2026-11-23 – 2026-11-29');
  });

  it('GIVEN the week of the spring DST change THEN it is 167 hours long', () => {
    const p = parsePeriod('week', at('2026-03-25T12:00:00Z'), 'Europe/Berlin');
    expect([p.start.toISOString(), p.end.toISOString()]).toEqual(['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    expect((p.end.getTime() - p.start.getTime()) / 3_600_000).toBe(167);
  });

  it('GIVEN a week spanning New Year THEN it crosses years', () => {
    expect(parsePeriod('week', at('2026-12-31T12:00:00Z'), 'UTC').label).toBe('2026-12-28 – 2027-01-03');
  });

  it('GIVEN last-week on a Monday THEN the whole previous week', () => {
    expect(span(parsePeriod('last-week', at('2026-11-23T08:00:00Z'), 'UTC'))).toEqual({
      start: '2026-11-16T00:00:00.000Z',
      end: '2026-11-23T00:00:00.000Z',
      label: '2026-11-16 – 2026-11-22',
      unit: 'week',
    });
  });
});

describe('parsePeriod: months and years', () => {
  it('GIVEN last-month on 31 March THEN all of February', () => {
    expect(span(parsePeriod('last-month', at('2026-03-31T12:00:00Z'), 'UTC'))).toEqual({
      start: '2026-02-01T00:00:00.000Z',
      end: '2026-03-01T00:00:00.000Z',
      label: 'February 2026',
      unit: 'month',
    });
  });

  it('GIVEN last-month in January THEN December of the year before', () => {
    expect(parsePeriod('last-month', at('2026-01-10T12:00:00Z'), 'UTC').label).toBe('December 2025');
  });

  it.each([
    ['2024-02', 'February 2024', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2023-02', 'February 2023', '2023-02-01T00:00:00.000Z', '2023-03-01T00:00:00.000Z'],
    ['2025-12', 'December 2025', '2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['2025-7', 'July 2025', '2025-07-01T00:00:00.000Z', '2025-08-01T00:00:00.000Z'],
  ])('GIVEN %s THEN %s', (text, label, start, end) => {
    expect(span(parsePeriod(text, at('2026-06-01T00:00:00Z'), 'UTC'))).toEqual({ start, end, label, unit: 'month' });
  });

  it('GIVEN February of a leap year THEN it has 29 days', () => {
    const p = parsePeriod('2024-02', at('2026-06-01T00:00:00Z'), 'Europe/Berlin');
    expect((p.end.getTime() - p.start.getTime()) / 86_400_000).toBe(29);
  });

  it('GIVEN year in Auckland THEN it starts at local New Year in summer time', () => {
    expect(span(parsePeriod('year', at('2026-07-01T00:00:00Z'), 'Pacific/Auckland'))).toEqual({
      start: '2025-12-31T11:00:00.000Z',
      end: '2026-12-31T11:00:00.000Z',
      label: '2026',
      unit: 'year',
    });
  });

  it('GIVEN last-year and YYYY THEN whole calendar years', () => {
    const now = at('2026-07-01T00:00:00Z');
    expect(span(parsePeriod('last-year', now, 'UTC'))).toEqual({
      start: '2025-01-01T00:00:00.000Z',
      end: '2026-01-01T00:00:00.000Z',
      label: '2025',
      unit: 'year',
    });
    expect(span(parsePeriod('2024', now, 'America/New_York'))).toEqual({
      start: '2024-01-01T05:00:00.000Z',
      end: '2025-01-01T05:00:00.000Z',
      label: '2024',
      unit: 'year',
    });
  });
});

describe('parsePeriod: ranges', () => {
  it('GIVEN a range THEN both dates are included', () => {
    expect(span(parsePeriod('2026-11-01..2026-11-15', at('2026-12-01T00:00:00Z'), 'Europe/Berlin'))).toEqual({
      start: '2026-10-31T23:00:00.000Z',
      end: '2026-11-15T23:00:00.000Z',
      label: '2026-11-01 – 2026-11-15',
      unit: 'range',
    });
  });

  it('GIVEN a one-day range THEN it covers that day', () => {
    const p = parsePeriod('2026-03-29..2026-03-29', at('2026-12-01T00:00:00Z'), 'Europe/Berlin');
    expect((p.end.getTime() - p.start.getTime()) / 3_600_000).toBe(23);
    expect(p.label).toBe('2026-03-29 – 2026-03-29');
  });

  it('GIVEN a range over 29 February THEN the leap day counts', () => {
    const p = parsePeriod('2024-02-28..2024-03-01', at('2026-12-01T00:00:00Z'), 'UTC');
    expect((p.end.getTime() - p.start.getTime()) / 86_400_000).toBe(3);
  });
});

describe('parsePeriod: rejections', () => {
  it.each(['fortnight', 'last-decade', '20', '2025-13', '2025-00', '2025-02-30', '2025-02-29', '2025-02-30..2025-03-01', '2026-03-10..2026-03-01', '2025-01-01..', '2025-01-01...2025-01-31', '#food'])(
    'GIVEN %j THEN period_invalid names it',
    (text) => {
      const e = periodError(text, at('2026-06-01T00:00:00Z'), 'UTC');
      expect(e.code).toBe('period_invalid');
      expect(e.context).toEqual({ period: text });
    },
  );
});

describe('previousPeriod', () => {
  const tz = 'Europe/Berlin';
  const now = at('2026-03-31T12:00:00Z');

  it('GIVEN March THEN February, with its own length', () => {
    expect(span(previousPeriod(parsePeriod('month', now, tz), tz))).toEqual({
      start: '2026-01-31T23:00:00.000Z',
      end: '2026-02-28T23:00:00.000Z',
      label: 'February 2026',
      unit: 'month',
    });
  });

  it('GIVEN January THEN December of the previous year', () => {
    expect(previousPeriod(parsePeriod('2026-01', now, tz), tz).label).toBe('December 2025');
  });

  it('GIVEN a week after the DST change THEN the whole week before it', () => {
    const p = previousPeriod(parsePeriod('week', at('2026-04-01T12:00:00Z'), tz), tz);
    expect(span(p)).toEqual({
      start: '2026-03-22T23:00:00.000Z',
      end: '2026-03-29T22:00:00.000Z',
      label: '2026-03-23 – 2026-03-29',
      unit: 'week',
    });
  });

  it('GIVEN a day THEN the day before; GIVEN a year THEN the year before', () => {
    expect(previousPeriod(parsePeriod('today', now, tz), tz).label).toBe('2026-03-30');
    expect(previousPeriod(parsePeriod('2024-03-01', now, tz), tz).label).toBe('2024-02-29');
    expect(previousPeriod(parsePeriod('year', now, tz), tz).label).toBe('2025');
  });

  it('GIVEN a range THEN the same number of days just before it', () => {
    expect(span(previousPeriod(parsePeriod('2026-03-23..2026-04-05', now, tz), tz))).toEqual({
      start: '2026-03-08T23:00:00.000Z',
      end: '2026-03-22T23:00:00.000Z',
      label: '2026-03-09 – 2026-03-22',
      unit: 'range',
    });
  });

  it('GIVEN previousPeriod is applied twice THEN it keeps stepping back', () => {
    const p = parsePeriod('2026-03', now, 'UTC');
    expect(previousPeriod(previousPeriod(p, 'UTC'), 'UTC').label).toBe('January 2026');
  });
});

describe('periodOf', () => {
  it('GIVEN an instant THEN the week or month containing it in the timezone', () => {
    const instant = at('2026-02-28T23:30:00Z'); // Sunday 1 March 00:30 in Berlin
    expect(periodOf('month', instant, 'Europe/Berlin').label).toBe('March 2026');
    expect(periodOf('month', instant, 'UTC').label).toBe('February 2026');
    expect(span(periodOf('week', instant, 'Europe/Berlin'))).toEqual({
      start: '2026-02-22T23:00:00.000Z',
      end: '2026-03-01T23:00:00.000Z',
      label: '2026-02-23 – 2026-03-01',
      unit: 'week',
    });
  });

  it('GIVEN the instant is the start of a period THEN that period, not the one before', () => {
    const start = parsePeriod('2026-04', at('2026-06-01T00:00:00Z'), 'America/New_York').start;
    expect(periodOf('month', start, 'America/New_York').label).toBe('April 2026');
  });
});

describe('isPeriodToken', () => {
  it.each(['today', 'Yesterday', 'week', 'month', 'year', 'last-week', 'LAST-MONTH', 'last-year', '2026', '2026-03', '2026-03-05', '2026-03-01..2026-03-31', '2025-13'])(
    'GIVEN %s THEN true',
    (token) => {
      expect(isPeriodToken(token)).toBe(true);
    },
  );

  it.each(['10', '#food', '@cash', 'coffee', '31.12', '', 'members'])('GIVEN %j THEN false', (token) => {
    expect(isPeriodToken(token)).toBe(false);
  });
});

describe('parsePeriod: names of JavaScript object internals are no keywords', () => {
  it('GIVEN __proto__, constructor, toString or hasOwnProperty as the period THEN period_invalid, not a crash (found by the date property test)', () => {
    for (const word of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(periodError(word, at('2026-12-06T12:00:00Z'), 'UTC').code).toBe('period_invalid');
      expect(isPeriodToken(word)).toBe(false);
    }
  });
});
