import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestRunStore } from '../drizzle/store/digest-store.js';
import { LOCAL_RELAY } from '../drizzle/store/notice-outbox-store.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { createHarness, type Harness } from '../test/harness.js';
import { createDigestSweep, type DigestSweep } from './digest-sweep.js';
import type { OutboundMessage } from './notifier.js';

const ann = { id: 'ann', name: 'Ann' };
const ivan = { id: 'ivan', name: 'Иван', locale: 'ru' };

/** What a chat was sent, as kept in the notice outbox (the relay moves it on; see the e2e test). */
async function kept(h: Harness, chatId: string): Promise<{ key: string; message: OutboundMessage }[]> {
  const rows = rowsOf<{ key: string; message: unknown }>(
    await h.database.db.execute(sql`select key, message from notice_outbox where chat_id = ${chatId} order by id`),
  );
  return rows.map((r) => ({ key: r.key, message: (typeof r.message === 'string' ? JSON.parse(r.message) : r.message) as OutboundMessage }));
}

/** A worker's digest sweep: its own store objects, as a separate process would have. */
function worker(h: Harness, logs: object[] = []): DigestSweep {
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  return createDigestSweep({ runs: digestRunStore(h.database.db, LOCAL_RELAY), ledger: h.services.store, clock: h.clock, logger, batchSize: 2 });
}

describe.each([{ engine: 'postgres' as const }, { engine: 'pglite' as const }])('digests and reminders on the minute sweep ($engine)', ({ engine }) => {
  let h: Harness;
  beforeAll(async () => {
    // Thursday 19 March 2026, Berlin; summer time starts Sunday 29 March.
    h = await createHarness({ engine, now: '2026-03-19T10:00:00Z' });
    await h.say(ann, '/timezone Europe/Berlin');
  });
  afterAll(() => h?.close());

  it('GIVEN /digest and /remind THEN the settings are shown, changed and refused as typed', async () => {
    expect(await h.say(ann, '/digest')).toContain('No digest in this chat');
    expect(await h.say(ann, '/digest weekly')).toBe(
      'Digest: every Monday at 09:00 (Europe/Berlin) — last week’s totals, top labels, the change and budgets at risk. Next: Mon 23 Mar 09:00. /digest off stops it.',
    );
    expect(await h.say(ann, '/digest daily')).toContain('Write /digest weekly, /digest monthly');
    expect(await h.say(ann, '/digest')).toContain('every Monday at 09:00');
    expect(await h.say(ann, '/remind daily 21:00')).toContain('Reminder: daily at 21:00 (Europe/Berlin), only on days when nothing was recorded. Next: Thu 19 Mar 21:00.');
    expect(await h.say(ann, '/remind', 'flat')).toContain('only in a private chat');
    expect(await h.say(ivan, '/digest monthly 08:30')).toContain('Сводка: 1-го числа каждого месяца в 08:30 (UTC)');
    expect(await h.say(ivan, '/digest off')).toBe('Сводка отключена.');
    expect(await h.say(ivan, '/digest')).toContain('Сводки в этом чате нет');
  });

  it('GIVEN the week ends THEN two workers sweeping at once and a restarted one send exactly one digest, with its figures and chart', async () => {
    h.clock.set('2026-03-19T11:00:00Z');
    await h.say(ann, '/spend 40 #food');
    await h.say(ann, '/spend 25 #taxi');
    await h.say(ann, '/income 100 salary');
    await h.say(ann, '/budget #food 100');
    // Monday 23 March 09:00 in Berlin is 08:00 UTC. A minute before: nothing is due.
    h.clock.set('2026-03-23T07:59:00Z');
    expect((await worker(h)()).sent).toBe(0);
    h.clock.set('2026-03-23T08:00:20Z');
    const [a, b] = await Promise.all([worker(h)(), worker(h)()]);
    expect(a.sent + b.sent).toBe(1);
    // A restart: new processes, same minute and later ones.
    expect((await worker(h)()).sent).toBe(0);
    h.clock.set('2026-03-23T08:05:00Z');
    expect((await worker(h)()).sent).toBe(0);
    const digests = (await kept(h, 'p-ann')).filter((k) => k.key.startsWith('digest-'));
    expect(digests).toHaveLength(1);
    const text = digests[0]!.message.reply.text;
    expect(text).toContain('🗓 p-ann: the week 2026-03-16 – 2026-03-22');
    expect(text).toContain('Spent 65.00 EUR · earned 100.00 EUR · net +35.00 EUR · 3 records');
    expect(text).toContain('Top labels: #food 40.00 EUR, #taxi 25.00 EUR');
    expect(text).toContain('Nothing spent in 2026-03-09 – 2026-03-15 to compare with.');
    expect(digests[0]!.message.reply.chart?.spec).toMatchObject({ kind: 'pie', currency: 'EUR', slices: [{ label: '#food', minor: 4000 }, { label: '#taxi', minor: 2500 }] });
    expect(digests[0]!.key).toBe(`digest-telegram-p-ann-${Date.parse('2026-03-23T08:00:00Z')}`);
  });

  it('GIVEN the clocks changed on Sunday THEN the next digest comes at 09:00 summer time (07:00 UTC) and compares with the week before', async () => {
    h.clock.set('2026-03-25T09:00:00Z');
    await h.say(ann, '/spend 80 #food');
    h.clock.set('2026-03-30T06:59:30Z');
    expect((await worker(h)()).sent).toBe(0);
    h.clock.set('2026-03-30T07:00:10Z');
    const [a, b] = await Promise.all([worker(h)(), worker(h)()]);
    expect(a.sent + b.sent).toBe(1);
    const digests = (await kept(h, 'p-ann')).filter((k) => k.key.startsWith('digest-'));
    expect(digests).toHaveLength(2);
    const text = digests[1]!.message.reply.text;
    expect(text).toContain('the week 2026-03-23 – 2026-03-29');
    expect(text).toContain('Spending up 23% on 2026-03-16 – 2026-03-22 (65.00 EUR).');
    // 120 of 100 spent in March, which is still under way: listed at risk.
    expect(text).toContain('Budgets at risk:');
    expect(text).toContain('#food: 120% of 100.00 EUR (March 2026)');
  });

  it('GIVEN a reminder at 21:00 THEN it nudges on a day with no record, in summer time after the change, and stays quiet on a day with one', async () => {
    // Monday 30 March, the day after the change: 21:00 in Berlin is 19:00 UTC; nothing recorded that day.
    h.clock.set('2026-03-30T18:59:30Z');
    const before = (await kept(h, 'p-ann')).filter((k) => k.key.startsWith('reminder-')).length;
    expect((await worker(h)()).sent).toBe(0);
    h.clock.set('2026-03-30T19:00:30Z');
    expect((await worker(h)()).sent).toBe(1);
    let reminders = (await kept(h, 'p-ann')).filter((k) => k.key.startsWith('reminder-'));
    expect(reminders.length).toBe(before + 1);
    expect(reminders.at(-1)!.message.reply.text).toBe('✏️ Nothing recorded in p-ann today. Spent something? Just type it, e.g. 4.50 coffee. (/remind off stops these.)');
    expect(reminders.at(-1)!.key).toBe(`reminder-telegram-p-ann-${Date.parse('2026-03-30T19:00:00Z')}`);
    // Tuesday 31 March: a record at lunch, so no nudge at 21:00 (two workers sweeping).
    h.clock.set('2026-03-31T10:00:00Z');
    await h.say(ann, '4.50 coffee');
    h.clock.set('2026-03-31T19:00:30Z');
    const [a, b] = await Promise.all([worker(h)(), worker(h)()]);
    expect(a.sent + b.sent).toBe(0);
    expect(a.skipped + b.skipped).toBe(1);
    reminders = (await kept(h, 'p-ann')).filter((k) => k.key.startsWith('reminder-'));
    expect(reminders.length).toBe(before + 1);
  });

  it('GIVEN a worker down for two weeks THEN one digest is sent for the latest week, not a backlog, and a late reminder is dropped', async () => {
    h.clock.set('2026-04-15T12:00:00Z');
    const before = (await kept(h, 'p-ann')).length;
    const s = await worker(h)();
    expect(s.sent).toBe(1);
    const added = (await kept(h, 'p-ann')).slice(before);
    expect(added.map((k) => k.key)).toEqual([`digest-telegram-p-ann-${Date.parse('2026-04-13T07:00:00Z')}`]);
    expect(added[0]!.message.reply.text).toContain('the week 2026-04-06 – 2026-04-12');
    expect(await h.say(ann, '/digest')).toContain('Next: Mon 20 Apr 09:00');
  });

  it('GIVEN a chat marked blocked THEN its digest and reminder are turned off, logged, and nothing is kept for it', async () => {
    await h.database.db.execute(sql`update chats set blocked_at = now() where chat_id = 'p-ann'`);
    h.clock.set('2026-04-20T07:00:30Z');
    const before = (await kept(h, 'p-ann')).length;
    const logs: { msg?: string; kind?: string }[] = [];
    const s = await worker(h, logs)();
    expect(s.off).toBe(2);
    expect((await kept(h, 'p-ann')).length).toBe(before);
    expect(logs.filter((l) => l.msg?.includes('turned off')).map((l) => l.kind).sort()).toEqual(['digest', 'reminder']);
    const rows = rowsOf<{ n: number }>(await h.database.db.execute(sql`select count(*)::int as n from digest_settings where chat_id = 'p-ann'`));
    expect(rows[0]!.n).toBe(0);
  });
});
