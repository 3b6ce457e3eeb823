import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetAlertsFor } from '../../domain/statistics/budget-alerts.js';
import { rowsOf } from '../../drizzle/store/rows.js';
import { createHarness, type Harness } from '../../test/harness.js';

const ann = { id: 'ann', name: 'Ann' };
const bob = { id: 'bob', name: 'Bob' };

const alerts = (texts: string[]) => ({
  at80: texts.filter((t) => t.includes('⚠️')).length,
  at100: texts.filter((t) => t.includes('🚨')).length,
});

describe('budgets', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-11-10T12:00:00Z' });
  });
  afterAll(() => h?.close());

  it('GIVEN /budget THEN it is confirmed with what was spent so far and listed with a progress bar', async () => {
    await h.say(ann, '/spend 20 #rent');
    expect(await h.say(ann, '/budget #rent 80')).toBe('Budget #rent: 80.00 EUR per month. Spent in November 2026: 20.00 EUR (25%).');
    expect(await h.say(ann, '/budget total 1000 weekly')).toContain('Budget total: 1,000.00 EUR per week.');
    const list = await h.say(ann, '/budgets');
    expect(list).toMatch(/total\s+░{10}\s+2%\s+20\.00 \/ 1,000\.00 EUR\s+per week/);
    expect(list).toMatch(/#rent\s+██░{8}\s+25%\s+20\.00 \/ 80\.00 EUR\s+per month/);
    expect(await h.say(ann, '/budget #rent off')).toBe('Removed the budget #rent.');
    expect(await h.say(ann, '/budget total off')).toBe('Removed the budget total.');
    expect(await h.say(ann, '/budgets')).toContain('No budgets yet');
    expect(await h.say(ann, '/budget #nothing off')).toContain('There is no budget for #nothing');
  });

  it('GIVEN records crossing 80% and 100% THEN each threshold alerts once in the period, and again next period', async () => {
    await h.say(ann, '/budget #food 100');
    const say = async (line: string) => (await h.replies(ann, line)).slice(1).map((r) => r.text);
    // Half of it by the 10th of 30 days: the early warning, once in the period (issue 18).
    expect(await say('/spend 50 #food')).toEqual(['📉 At this pace #food runs out on the 20th: 50.00 EUR of 100.00 EUR spent in November 2026 so far.']);
    expect(await say('/income 40 #food refund')).toEqual([]); // income never alerts
    expect(await say('/spend 35 #food')).toEqual(['⚠️ Budget #food is at 85%: 85.00 EUR of 100.00 EUR spent in November 2026.']);
    expect(await say('/spend 5 #food')).toEqual([]);
    expect(await say('/spend 20 #food')).toEqual(['🚨 Budget #food is used up: 110.00 EUR of 100.00 EUR spent in November 2026 (110%).']);
    expect(await say('/spend 1 #food')).toEqual([]);
    expect(await say('/spend 999 #other')).toEqual([]);
    // A record dated into next month counts there: a new period alerts anew (straight to 100%).
    h.clock.set('2026-12-02T12:00:00Z');
    expect(await say('/spend 120 #food')).toEqual(['🚨 Budget #food is used up: 120.00 EUR of 100.00 EUR spent in December 2026 (120%).']);
    h.clock.set('2026-11-10T12:00:00Z');
  });

  it('GIVEN a budget raised mid-period THEN its thresholds alert again against the new limit', async () => {
    await h.say(ann, '/budget #taxi 10');
    expect((await h.replies(ann, '/spend 9 #taxi')).map((r) => r.text)[1]).toContain('90%');
    await h.say(ann, '/budget #taxi 20');
    expect((await h.replies(ann, '/spend 8 #taxi')).map((r) => r.text)[1]).toContain('is at 85%');
  });

  it('GIVEN many records at once in a group THEN the chat gets exactly one alert per threshold', async () => {
    await h.say(ann, '/budget #party 100', 'group');
    const replies = await Promise.all(
      Array.from({ length: 24 }, (_, i) => h.replies(i % 2 ? ann : bob, '/spend 10 #party', 'group')),
    );
    const texts = replies.flatMap((rs) => rs.slice(1).map((r) => r.text));
    const counted = alerts(texts);
    expect(counted.at100).toBe(1);
    expect(counted.at80).toBeLessThanOrEqual(1);
    const rows = rowsOf<{ threshold: number }>(
      await h.database.db.execute(sql`select a.threshold from budget_alerts a join budgets b on b.id = a.budget_id
        join labels l on l.id = b.label_id where l.name = 'party' order by 1`),
    );
    // 0: the early warning (at this pace it runs out), claimed once like the thresholds.
    expect(rows.map((r) => r.threshold)).toEqual([0, 80, 100]);
  });

  it('GIVEN the same record checked twice (a worker retry) THEN the second check alerts nothing', async () => {
    const { store } = h.services;
    const book = await store.resolveChat({ platform: 'telegram', chatId: 'p-ann', kind: 'private', title: 'p-ann' }, h.services.defaults);
    await h.say(ann, '/budget #gym 10');
    const rec = await h.replies(ann, '/spend 12 #gym');
    expect(rec[1]?.text).toContain('used up');
    const seq = Number(/^#(\d+)/.exec(rec[0]!.text)![1]);
    const event = (await store.getEvent(book.id, seq))!;
    expect(event.labels).toEqual(['gym']);
    expect(await budgetAlertsFor(store, book, event)).toEqual([]);
  });

  it('GIVEN a weekly budget THEN its week starts on Monday in the book timezone', async () => {
    await h.say(ann, '/timezone America/Los_Angeles', 'weekly');
    await h.say(ann, '/budget #lunch 10 weekly', 'weekly');
    // Sunday 8 Nov 2026 23:30 in Los Angeles (Monday 07:30 UTC): still last week there.
    h.clock.set('2026-11-09T07:30:00Z');
    await h.say(ann, '/spend 9 #lunch', 'weekly');
    h.clock.set('2026-11-10T12:00:00Z');
    const rs = await h.replies(ann, '/spend 2 #lunch', 'weekly');
    expect(rs.slice(1)).toEqual([]);
    expect(await h.say(ann, '/budgets', 'weekly')).toMatch(/#lunch\s+██░{8}\s+20%\s+2\.00 \/ 10\.00 EUR/);
  });
});
