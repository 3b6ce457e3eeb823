import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, parseDateToken } from './dates.js';
import { DomainError } from '../errors.js';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();

function dateError(token: string, now: Date, tz: string): DomainError {
  try {
    parseDateToken(token, now, tz);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`expected ${token} to be refused`);
}

describe('parseDateToken: relative words', () => {
  const now = at('2026-03-29T10:00:00Z'); // Berlin switched to summer time at 01:00Z that day

  it('GIVEN today THEN it is exactly now', () => {
    expect(iso(parseDateToken('today', now, 'Europe/Berlin'))).toBe('2026-03-29T10:00:00.000Z');
  });

  it('GIVEN yesterday across a DST change THEN it keeps the local time of day, 23 hours earlier', () => {
    // 12:00 CEST on the 29th → 12:00 CET on the 28th
    expect(iso(parseDateToken('yesterday', now, 'Europe/Berlin'))).toBe('2026-03-28T11:00:00.000Z');
  });

  it('GIVEN yesterday in UTC THEN it is 24 hours earlier', () => {
    expect(iso(parseDateToken('yesterday', now, 'UTC'))).toBe('2026-03-28T10:00:00.000Z');
  });

  it('GIVEN yesterday just after local midnight THEN it is the previous local day, not the UTC one', () => {
    const d = parseDateToken('yesterday', at('2026-01-01T23:30:00Z'), 'Pacific/Auckland');
    // 2 January 12:30 NZDT → 1 January 12:30 NZDT
    expect(iso(d)).toBe('2025-12-31T23:30:00.000Z');
    expect(formatDate(d!, 'Pacific/Auckland')).toBe('2026-01-01');
  });

  it.each(['Today', 'TODAY', 'сегодня'])('GIVEN %s THEN it reads as today', (word) => {
    expect(iso(parseDateToken(word, now, 'UTC'))).toBe(iso(now));
  });

  it.each(['Yesterday', 'вчера'])('GIVEN %s THEN it reads as yesterday', (word) => {
    expect(iso(parseDateToken(word, now, 'UTC'))).toBe('2026-03-28T10:00:00.000Z');
  });
});

describe('parseDateToken: explicit dates land at local midday', () => {
  const now = at('2026-06-15T08:00:00Z');

  it.each([
    ['2025-03-07', 'UTC', '2025-03-07T12:00:00.000Z'],
    ['2025-3-7', 'UTC', '2025-03-07T12:00:00.000Z'],
    ['2026-03-29', 'Europe/Berlin', '2026-03-29T10:00:00.000Z'],
    ['2026-10-25', 'Europe/Berlin', '2026-10-25T11:00:00.000Z'],
    ['2026-03-08', 'America/New_York', '2026-03-08T16:00:00.000Z'],
    ['2026-04-05', 'Pacific/Auckland', '2026-04-05T00:00:00.000Z'],
    ['2024-02-29', 'UTC', '2024-02-29T12:00:00.000Z'],
    ['07.03.2025', 'UTC', '2025-03-07T12:00:00.000Z'],
    ['7.3.2025', 'UTC', '2025-03-07T12:00:00.000Z'],
    ['07/03/2025', 'UTC', '2025-03-07T12:00:00.000Z'],
    ['07.03.25', 'UTC', '2025-03-07T12:00:00.000Z'],
    ['29.02.2024', 'Europe/Berlin', '2024-02-29T11:00:00.000Z'],
  ])('GIVEN %s in %s THEN it is %s', (token, tz, expected) => {
    const d = parseDateToken(token, now, tz);
    expect(iso(d)).toBe(expected);
    expect(formatDateTime(d!, tz)).toMatch(/ 12:00$/);
  });

  it.each(['2025-13-01', '2025-00-10', '2025-02-29', '2025-04-31', '2025-01-32', '31.02.2025', '29.02.2025', '31.13.2025', '00.01.2025', '31/04/2025'])(
    'GIVEN the impossible date %s THEN date_invalid names it',
    (token) => {
      const e = dateError(token, now, 'UTC');
      expect(e.code).toBe('date_invalid');
      expect(e.context).toEqual({ date: token });
    },
  );
});

describe('parseDateToken: DD.MM takes the latest such date not after today', () => {
  it('GIVEN 2 January THEN 31.12 is last year and 02.01 is today', () => {
    const now = at('2026-01-02T10:00:00Z');
    expect(iso(parseDateToken('31.12', now, 'UTC'))).toBe('2025-12-31T12:00:00.000Z');
    expect(iso(parseDateToken('02.01', now, 'UTC'))).toBe('2026-01-02T12:00:00.000Z');
    expect(iso(parseDateToken('2.01', now, 'UTC'))).toBe('2026-01-02T12:00:00.000Z');
    expect(iso(parseDateToken('03.01', now, 'UTC'))).toBe('2025-01-03T12:00:00.000Z');
  });

  it('GIVEN New Year has come in Berlin but not in UTC THEN the year follows the book timezone', () => {
    const now = at('2025-12-31T23:30:00Z');
    expect(iso(parseDateToken('01.01', now, 'Europe/Berlin'))).toBe('2026-01-01T11:00:00.000Z');
    expect(iso(parseDateToken('01.01', now, 'UTC'))).toBe('2025-01-01T12:00:00.000Z');
    expect(iso(parseDateToken('31.12', now, 'America/New_York'))).toBe('2025-12-31T17:00:00.000Z');
  });

  it('GIVEN 29.02 outside a leap year THEN it is the last leap day that has passed', () => {
    expect(iso(parseDateToken('29.02', at('2026-03-01T12:00:00Z'), 'UTC'))).toBe('2024-02-29T12:00:00.000Z');
    expect(iso(parseDateToken('29.02', at('2028-02-28T12:00:00Z'), 'UTC'))).toBe('2024-02-29T12:00:00.000Z');
    expect(iso(parseDateToken('29.02', at('2028-03-01T12:00:00Z'), 'UTC'))).toBe('2028-02-29T12:00:00.000Z');
  });

  it.each(['30.02', '31.02', '31.04', '31.06', '31.09', '31.11'])('GIVEN %s THEN date_invalid', (token) => {
    expect(dateError(token, at('2026-06-15T08:00:00Z'), 'UTC').code).toBe('date_invalid');
  });
});

describe('parseDateToken: words that are not dates', () => {
  it.each(['coffee', '12', '0.5', '1.5', '5.3', '12.50', '32.01', '00.05', '12.13', '2025', '2025-01', '1/2', '#food', '@cash', '', '2025-01-01T10:00'])(
    'GIVEN %j THEN undefined',
    (token) => {
      expect(parseDateToken(token, at('2026-06-15T08:00:00Z'), 'UTC')).toBeUndefined();
    },
  );
});

describe('formatDate and formatDateTime', () => {
  const instant = at('2025-12-31T23:30:00Z');

  it.each([
    ['UTC', '2025-12-31', '2025-12-31 23:30'],
    ['Europe/Berlin', '2026-01-01', '2026-01-01 00:30'],
    ['America/New_York', '2025-12-31', '2025-12-31 18:30'],
    ['Pacific/Auckland', '2026-01-01', '2026-01-01 12:30'],
  ])('GIVEN %s THEN the local date and time', (tz, date, dateTime) => {
    expect(formatDate(instant, tz)).toBe(date);
    expect(formatDateTime(instant, tz)).toBe(dateTime);
  });

  it('GIVEN a parsed explicit date THEN formatting gives the same date back', () => {
    for (const tz of ['Pacific/Auckland', 'America/New_York', 'Europe/Berlin', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      expect(formatDate(parseDateToken('2026-03-29', at('2026-06-01T00:00:00Z'), tz)!, tz)).toBe('2026-03-29');
    }
  });
});
