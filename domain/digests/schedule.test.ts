import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { lastRun, nextRun, parseDigestArgs, parseRemindArgs, type DigestSetting } from './schedule.js';
import { dueDecision } from './digest.js';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo'];
const at = (iso: string) => new Date(iso);
const local = (d: Date, tz: string) => DateTime.fromJSDate(d, { zone: tz }).toFormat("ccc yyyy-LL-dd HH:mm ZZ");

describe('digest schedule', () => {
  it('GIVEN /digest and /remind arguments THEN they read as settings or are refused', () => {
    expect(parseDigestArgs('')).toEqual({ action: 'show' });
    expect(parseDigestArgs('weekly')).toEqual({ action: 'set', setting: { every: 'weekly', atMinute: 540 } });
    expect(parseDigestArgs('Monthly 08:30')).toEqual({ action: 'set', setting: { every: 'monthly', atMinute: 510 } });
    expect(parseDigestArgs('off')).toEqual({ action: 'off' });
    for (const bad of ['daily', 'weekly 25:00', 'weekly 9', 'weekly 08:30 extra', 'off now']) expect(() => parseDigestArgs(bad)).toThrow('digest_invalid');
    expect(parseRemindArgs('daily 21:00')).toEqual({ action: 'set', setting: { every: 'daily', atMinute: 1260 } });
    expect(parseRemindArgs('7:05')).toEqual({ action: 'set', setting: { every: 'daily', atMinute: 425 } });
    for (const bad of ['daily', 'weekly 21:00', '21', 'daily 21:60']) expect(() => parseRemindArgs(bad)).toThrow('remind_invalid');
  });

  it('GIVEN a weekly digest at 09:00 in Berlin THEN runs are Mondays 09:00 local on both sides of the March change', () => {
    const s: DigestSetting = { every: 'weekly', atMinute: 540 };
    // Sunday 29 March 2026 is the change to summer time in Berlin.
    const first = nextRun(s, 'Europe/Berlin', at('2026-03-20T12:00:00Z'));
    const second = nextRun(s, 'Europe/Berlin', first);
    const third = nextRun(s, 'Europe/Berlin', second);
    expect([first, second, third].map((d) => local(d, 'Europe/Berlin'))).toEqual([
      'Mon 2026-03-23 09:00 +01:00',
      'Mon 2026-03-30 09:00 +02:00',
      'Mon 2026-04-06 09:00 +02:00',
    ]);
    expect(first.toISOString()).toBe('2026-03-23T08:00:00.000Z');
    expect(second.toISOString()).toBe('2026-03-30T07:00:00.000Z');
  });

  it('GIVEN a reminder inside the spring-forward gap THEN it runs once that day, just after the gap, and at its time after', () => {
    const s: DigestSetting = { every: 'daily', atMinute: 2 * 60 + 30 };
    const runs = [nextRun(s, 'America/New_York', at('2026-03-07T12:00:00Z'))];
    for (let i = 0; i < 3; i++) runs.push(nextRun(s, 'America/New_York', runs[runs.length - 1]!));
    expect(runs.map((d) => local(d, 'America/New_York'))).toEqual([
      'Sun 2026-03-08 03:30 -04:00',
      'Mon 2026-03-09 02:30 -04:00',
      'Tue 2026-03-10 02:30 -04:00',
      'Wed 2026-03-11 02:30 -04:00',
    ]);
  });

  it('GIVEN a monthly digest in New York THEN it runs on the 1st at its time across the November change', () => {
    const s: DigestSetting = { every: 'monthly', atMinute: 9 * 60 };
    const oct = nextRun(s, 'America/New_York', at('2026-09-15T00:00:00Z'));
    const nov = nextRun(s, 'America/New_York', oct);
    const dec = nextRun(s, 'America/New_York', nov);
    expect([oct, nov, dec].map((d) => local(d, 'America/New_York'))).toEqual([
      'Thu 2026-10-01 09:00 -04:00',
      'Sun 2026-11-01 09:00 -05:00',
      'Tue 2026-12-01 09:00 -05:00',
    ]);
  });

  const setting = fc.record({ every: fc.constantFrom('weekly' as const, 'monthly' as const, 'daily' as const), atMinute: fc.integer({ min: 0, max: 1439 }) });
  const instant = fc.date({ min: at('1990-01-01T00:00:00Z'), max: at('2099-12-31T00:00:00Z'), noInvalidDate: true });

  it('PROPERTY: next and last runs bracket any instant, land on the right local day, and no run lies between them', () => {
    fc.assert(
      fc.property(setting, fc.constantFrom(...ZONES), instant, (s, tz, t) => {
        const next = nextRun(s, tz, t);
        const last = lastRun(s, tz, t);
        expect(next.getTime()).toBeGreaterThan(t.getTime());
        expect(last.getTime()).toBeLessThanOrEqual(t.getTime());
        // Consecutive: the run after `last` is `next` unless `t` is itself a run.
        expect(nextRun(s, tz, last).getTime()).toBe(last.getTime() === t.getTime() ? next.getTime() : next.getTime());
        for (const run of [next, last]) {
          const d = DateTime.fromJSDate(run, { zone: tz });
          if (s.every === 'weekly') expect(d.weekday).toBe(1);
          if (s.every === 'monthly') expect(d.day).toBe(1);
          // On its local time, or moved forward by a DST gap (at most an hour: Lord Howe's is 30 minutes).
          const minute = d.hour * 60 + d.minute;
          expect(minute === s.atMinute || (minute > s.atMinute && minute - s.atMinute <= 60)).toBe(true);
        }
        const gapDays = (next.getTime() - last.getTime()) / 86_400_000;
        const max = s.every === 'daily' ? 1.1 : s.every === 'weekly' ? 7.1 : 31.1;
        const min = s.every === 'daily' ? 0.9 : s.every === 'weekly' ? 6.9 : 27.9;
        expect(gapDays).toBeLessThanOrEqual(max);
        expect(gapDays).toBeGreaterThanOrEqual(min);
      }),
      { numRuns: 400 },
    );
  });

  it('PROPERTY: a due setting handled at any moment after its runs sends each run at most once', () => {
    fc.assert(
      fc.property(setting, fc.constantFrom(...ZONES), instant, fc.array(fc.integer({ min: 1, max: 40 * 24 * 60 }), { minLength: 1, maxLength: 12 }), (s, tz, start, gaps) => {
        // A sweep at arbitrary moments (minutes apart, workers down for days in between).
        let lastRunAt: Date | null = null;
        let now = start;
        const sent: number[] = [];
        let nextAt = nextRun(s, tz, start);
        for (const g of gaps) {
          now = new Date(now.getTime() + g * 60_000);
          if (nextAt.getTime() > now.getTime()) continue;
          const d = dueDecision(s, 'digest', tz, now, { lastRunAt, setAt: start });
          if (d.send) sent.push(d.run.getTime());
          lastRunAt = d.run;
          nextAt = d.nextAt;
          expect(nextAt.getTime()).toBeGreaterThan(now.getTime());
        }
        expect(new Set(sent).size).toBe(sent.length);
        expect([...sent].sort((a, b) => a - b)).toEqual(sent);
        for (const r of sent) expect(r).toBeGreaterThan(start.getTime());
      }),
      { numRuns: 300 },
    );
  });
});
