import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { periodOf } from '../parsing/period.js';
import { minDaysFor, periodDays, projectRunOut } from './pace.js';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Kiritimati', 'America/Sao_Paulo'];

describe('budget pace projection', () => {
  it('GIVEN 240 of 300 spent by the 10th of a 30-day month THEN it runs out on the 13th', () => {
    const period = periodOf('month', new Date('2026-11-10T12:00:00Z'), 'Europe/Berlin');
    const r = projectRunOut({ spentMinor: 24_000, limitMinor: 30_000, period, now: new Date('2026-11-10T12:00:00Z'), tz: 'Europe/Berlin' });
    expect(r?.dayOfMonth).toBe(13);
    expect(r?.day.toISOString()).toBe('2026-11-12T23:00:00.000Z');
  });

  it('GIVEN a slow pace, a first day, a used-up budget or a time outside the period THEN nothing is projected', () => {
    const tz = 'UTC';
    const period = periodOf('month', new Date('2026-11-10T12:00:00Z'), tz);
    const base = { limitMinor: 30_000, period, tz };
    expect(projectRunOut({ ...base, spentMinor: 5_000, now: new Date('2026-11-10T12:00:00Z') })).toBeUndefined();
    expect(projectRunOut({ ...base, spentMinor: 29_000, now: new Date('2026-11-02T12:00:00Z') })).toBeUndefined();
    expect(projectRunOut({ ...base, spentMinor: 30_000, now: new Date('2026-11-20T12:00:00Z') })).toBeUndefined();
    expect(projectRunOut({ ...base, spentMinor: 29_000, now: new Date('2026-12-01T00:00:00Z') })).toBeUndefined();
  });

  it('GIVEN the month with the March change in Berlin THEN days are counted as local days', () => {
    const tz = 'Europe/Berlin';
    const period = periodOf('month', new Date('2026-03-15T12:00:00Z'), tz);
    expect(periodDays(period, tz)).toBe(31);
    // 30 of 31 days elapsed by the evening of the 30th (after the change); 295 of 300: the limit comes on the 31st.
    const r = projectRunOut({ spentMinor: 29_500, limitMinor: 30_000, period, now: new Date("2026-03-30T20:00:00Z"), tz });
    expect(r?.dayOfMonth).toBe(31);
    expect(DateTime.fromJSDate(r!.day, { zone: tz }).toISO()).toBe('2026-03-31T00:00:00.000+02:00');
  });

  const case_ = fc.record({
    unit: fc.constantFrom('week' as const, 'month' as const),
    tz: fc.constantFrom(...ZONES),
    now: fc.date({ min: new Date('1995-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }),
    limit: fc.integer({ min: 1, max: 1_000_000_000 }),
    spentShare: fc.double({ min: 0, max: 1.2, noNaN: true }),
  });

  it('PROPERTY: a projection falls within the period, after today, exactly when the pace reaches the limit before the end', () => {
    fc.assert(
      fc.property(case_, ({ unit, tz, now, limit, spentShare }) => {
        const period = periodOf(unit, now, tz);
        const spent = Math.floor(limit * spentShare);
        const r = projectRunOut({ spentMinor: spent, limitMinor: limit, period, now, tz });
        const days = periodDays(period, tz);
        expect(days).toBe(unit === 'week' ? 7 : DateTime.fromJSDate(period.start, { zone: tz }).daysInMonth);
        const today = DateTime.fromJSDate(now, { zone: tz }).startOf('day');
        const elapsed = Math.round(today.diff(DateTime.fromJSDate(period.start, { zone: tz }), 'days').days) + 1;
        const expected = spent > 0 && spent < limit && elapsed >= minDaysFor(days) && BigInt(spent) * BigInt(days) >= BigInt(limit) * BigInt(elapsed);
        expect(r !== undefined).toBe(expected);
        if (r) {
          const day = DateTime.fromJSDate(r.day, { zone: tz });
          expect(day.toMillis()).toBe(day.startOf('day').toMillis());
          expect(r.day.getTime()).toBeGreaterThan(today.toMillis());
          expect(r.day.getTime()).toBeLessThan(period.end.getTime());
          expect(r.dayOfMonth).toBe(day.day);
          // At the pace, the limit is reached that day and not the day before.
          const k = Math.round(day.diff(DateTime.fromJSDate(period.start, { zone: tz }), 'days').days) + 1;
          expect(BigInt(spent) * BigInt(k) >= BigInt(limit) * BigInt(elapsed)).toBe(true);
          expect(BigInt(spent) * BigInt(k - 1) < BigInt(limit) * BigInt(elapsed)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('PROPERTY: spending more never makes the budget last longer', () => {
    fc.assert(
      fc.property(case_, fc.integer({ min: 1, max: 1_000_000 }), ({ unit, tz, now, limit, spentShare }, more) => {
        const period = periodOf(unit, now, tz);
        const spent = Math.floor(limit * Math.min(spentShare, 0.99));
        const a = projectRunOut({ spentMinor: spent, limitMinor: limit, period, now, tz });
        const b = projectRunOut({ spentMinor: spent + more, limitMinor: limit, period, now, tz });
        if (a && spent + more < limit) expect(b && b.day.getTime() <= a.day.getTime()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
