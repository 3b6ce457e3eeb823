import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createHarness } from '../test/harness.js';
import { deliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { templateSweepStore } from '../drizzle/store/template-store.js';
import type { SweepStore } from '../domain/schedules/sweep.js';
import { fromWire, type OutboundMessage, type Outbox } from './notifier.js';
import { createTemplateSweep } from './template-sweep.js';
import { assertMinor } from '../domain/money/money.js';

const ann = { id: '1', name: 'Ann' };
const silent = pino({ level: 'silent' });

interface EventRow {
  seq: number;
  template_id: number | null;
  occurred_at: Date;
  amount_minor: string;
  kind: string;
}

/** A harness, a capturing outbox and a sweep on the harness's database and clock. */
async function setup(now: string, engine: 'postgres' | 'pglite' = 'postgres') {
  const h = await createHarness({ now, engine });
  const sent: OutboundMessage[] = [];
  const outbox: Outbox = { send: async (m) => void sent.push(m) };
  const sweepWith = (store: SweepStore, batchSize?: number) =>
    createTemplateSweep({
      sweepStore: store,
      ledger: h.services.store,
      delivery: deliveryStore(h.database.db),
      outbox,
      clock: h.clock,
      logger: silent,
      ...(batchSize ? { batchSize } : {}),
    });
  const sweep = sweepWith(templateSweepStore(h.database.db));
  const events = async (): Promise<EventRow[]> =>
    rowsOf<EventRow>(
      await h.database.db.execute(
        sql`select seq, template_id, occurred_at, amount_minor::text as amount_minor, kind from events order by book_id, seq`,
      ),
    ).map((r) => ({ ...r, occurred_at: new Date(r.occurred_at) }));
  const texts = () => sent.map((m) => fromWire(m.reply).text);
  return { h, sent, outbox, sweep, sweepWith, events, texts };
}

type Setup = Awaited<ReturnType<typeof setup>>;

describe('template sweep: the calendar through the template path (PostgreSQL, fixed clock)', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup('2026-11-24T12:00:00Z');
  });
  afterAll(async () => s?.h.close());
  beforeEach(async () => {
    await s.h.database.db.execute(sql`update templates set deleted_at = now() where deleted_at is null`);
    s.sent.length = 0;
  });

  it('GIVEN monthly:31 in November THEN it falls on the 30th, applies once, and moves to December 31', async () => {
    s.h.clock.set('2026-11-24T12:00:00Z');
    await s.h.say(ann, '/timezone Europe/Berlin');
    await s.h.say(ann, '/template add monthly:31 850 #rent');
    s.h.clock.set('2026-11-30T07:59:59Z'); // 08:59:59 in Berlin
    expect((await s.sweep()).applied).toBe(0);
    s.h.clock.set('2026-11-30T08:00:30Z');
    expect((await s.sweep()).applied).toBe(1);
    expect((await s.sweep()).applied).toBe(0);
    const [ev] = (await s.events()).filter((e) => e.template_id !== null);
    expect(ev!.occurred_at.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(await s.h.say(ann, '/templates')).toMatch(/2026-12-31 09:00\s+monthly:31/);
    expect(s.texts()[0]).toContain('Recorded from templates:\n#');
    expect(s.texts()[0]).toMatch(/2026-11-30 −850\.00 EUR #rent @Main \(T\d+\)/);
    expect(s.texts()[0]).toContain('Main: -850.00 EUR');
  });

  it('GIVEN yearly:02-29 made in 2026 THEN 2027 gets it on February 28', async () => {
    s.h.clock.set('2026-11-24T12:00:00Z');
    await s.h.say(ann, '/template add yearly:02-29 at:10:00 99 #insurance');
    expect(await s.h.say(ann, '/templates')).toMatch(/2027-02-28 10:00\s+yearly:02-29/);
    s.h.clock.set('2027-02-28T09:00:01Z');
    expect((await s.sweep()).applied).toBe(1);
    expect(await s.h.say(ann, '/templates')).toMatch(/2028-02-29 10:00\s+yearly:02-29/);
  });

  it('GIVEN daily at 02:30 in Berlin across both DST changes THEN each local day gets exactly one record', async () => {
    s.h.clock.set('2027-03-27T12:00:00Z');
    await s.h.say(ann, '/template add daily at:02:30 1 #dst');
    s.h.clock.set('2027-03-29T12:00:00Z'); // two days later: the 28th (spring gap) and the 29th
    expect((await s.sweep()).applied).toBe(2);
    let dst = (await s.events()).filter((e) => e.amount_minor === '100');
    // 02:30 does not exist on March 28: it fires at 03:30 CEST = 01:30 UTC.
    expect(dst.map((e) => e.occurred_at.toISOString())).toEqual(['2027-03-28T01:30:00.000Z', '2027-03-29T00:30:00.000Z']);

    await s.h.database.db.execute(sql`update templates set deleted_at = now() where deleted_at is null`);
    s.h.clock.set('2026-10-23T12:00:00Z');
    await s.h.say(ann, '/template add daily at:02:30 2 #dst');
    s.h.clock.set('2026-10-26T12:00:00Z');
    expect((await s.sweep()).applied).toBe(3);
    dst = (await s.events()).filter((e) => e.amount_minor === '200');
    // October 25 has 02:30 twice (CEST, then CET): it fires once, at the first.
    expect(dst.map((e) => e.occurred_at.toISOString())).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
    await s.h.say(ann, '/timezone UTC');
  });

  it('GIVEN daily at 02:30 in New York on the spring-forward day THEN it fires once at 03:30 EDT', async () => {
    s.h.clock.set('2026-03-07T12:00:00Z');
    await s.h.say(ann, '/timezone America/New_York');
    await s.h.say(ann, '/template add daily at:02:30 3 #ny');
    s.h.clock.set('2026-03-08T12:00:00Z');
    expect((await s.sweep()).applied).toBe(1);
    const ny = (await s.events()).filter((e) => e.amount_minor === '300');
    expect(ny.map((e) => e.occurred_at.toISOString())).toEqual(['2026-03-08T07:30:00.000Z']);
    await s.h.say(ann, '/timezone UTC');
  });

  it('GIVEN monthly:last in Pacific/Auckland THEN it fires on the local last day, the day before in UTC', async () => {
    s.h.clock.set('2026-11-24T12:00:00Z');
    await s.h.say(ann, '/timezone Pacific/Auckland');
    await s.h.say(ann, '/template add monthly:last at:08:00 4 #nz');
    expect(await s.h.say(ann, '/templates')).toMatch(/2026-11-30 08:00\s+monthly:last/);
    s.h.clock.set('2026-11-29T19:00:05Z'); // 08:00:05 on November 30 in Auckland (NZDT, +13)
    expect((await s.sweep()).applied).toBe(1);
    const nz = (await s.events()).filter((e) => e.amount_minor === '400');
    expect(nz.map((e) => e.occurred_at.toISOString())).toEqual(['2026-11-29T19:00:00.000Z']);
    expect(await s.h.say(ann, '/history #nz')).toContain('2026-11-30 −4.00 EUR #nz');
    expect(s.texts()[0]).toContain('2026-11-30 −4.00 EUR #nz');
    await s.h.say(ann, '/timezone UTC');
  });
});

describe('template sweep: exactly once, catch-up, pause, failures (PostgreSQL)', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup('2026-11-24T12:00:00Z');
  });
  afterAll(async () => s?.h.close());
  beforeEach(async () => {
    await s.h.database.db.execute(sql`update templates set deleted_at = now() where deleted_at is null`);
    s.sent.length = 0;
  });

  it('GIVEN three days without workers THEN the missed occurrences are applied once each, oldest first, and the chat is told', async () => {
    s.h.clock.set('2026-11-24T12:00:00Z');
    await s.h.say(ann, '/template add daily at:08:00 5 #lunch');
    s.h.clock.set('2026-11-27T09:00:00Z'); // 25th, 26th, 27th were due
    const summary = await s.sweep();
    expect(summary.applied).toBe(3);
    const lunch = (await s.events()).filter((e) => e.amount_minor === '500');
    expect(lunch.map((e) => e.occurred_at.toISOString())).toEqual([
      '2026-11-25T08:00:00.000Z',
      '2026-11-26T08:00:00.000Z',
      '2026-11-27T08:00:00.000Z',
    ]);
    expect(lunch.map((e) => e.seq)).toEqual([...lunch.map((e) => e.seq)].sort((a, b) => a - b));
    expect(s.sent).toHaveLength(1);
    expect(s.sent[0]!.platform).toBe('telegram');
    expect(s.sent[0]!.chatId).toBe('p-1');
    expect(s.texts()[0]).toContain('including 3 missed while I was offline');
    expect((await s.sweep()).applied).toBe(0);
    expect(await s.h.say(ann, '/templates')).toMatch(/2026-11-28 08:00/);
  });

  it('GIVEN a paused template THEN nothing is applied; resumed, it starts from the next occurrence without catching up', async () => {
    s.h.clock.set('2026-11-24T12:00:00Z');
    const id = /Template (\d+)/.exec(await s.h.say(ann, '/template add daily at:10:00 6 #paused'))![1];
    await s.h.say(ann, `/template pause ${id}`);
    s.h.clock.set('2026-11-26T12:00:00Z');
    expect((await s.sweep()).applied).toBe(0);
    await s.h.say(ann, `/template resume ${id}`);
    expect((await s.sweep()).applied).toBe(0);
    s.h.clock.set('2026-11-27T10:00:01Z');
    expect((await s.sweep()).applied).toBe(1);
    const rows = (await s.events()).filter((e) => e.amount_minor === '600');
    expect(rows.map((e) => e.occurred_at.toISOString())).toEqual(['2026-11-27T10:00:00.000Z']);
  });

  it('GIVEN two sweeps running at once on many due templates THEN every occurrence is recorded exactly once', async () => {
    s.h.clock.set('2026-11-24T12:00:00Z');
    // Ten books (groups) with 40 templates each, all due at the same minute.
    for (let g = 0; g < 10; g++) await s.h.say(ann, `/template add daily at:13:00 1.25 #many note ${g}`, `g-${g}`);
    await s.h.database.db.execute(sql`
      insert into templates (book_id, kind, schedule, schedule_text, record, author_id, notify_platform, notify_chat_id, anchor_at, next_due_at)
      select t.book_id, t.kind, t.schedule, t.schedule_text, t.record, t.author_id, t.notify_platform, t.notify_chat_id, t.anchor_at, t.next_due_at
      from templates t, generate_series(1, 39) where t.deleted_at is null and t.record like '1.25 %'`);
    s.h.clock.set('2026-11-24T13:00:10Z');
    const a = s.sweepWith(templateSweepStore(s.h.database.db), 7);
    const b = s.sweepWith(templateSweepStore(s.h.database.db), 11);
    const [ra, rb] = await Promise.all([a(), b()]);
    expect(ra.applied + rb.applied).toBe(400);
    expect(ra.applied).toBeGreaterThan(0);
    expect(rb.applied).toBeGreaterThan(0);
    const [check] = rowsOf<{ n: number; distinct_keys: number; gaps: number }>(
      await s.h.database.db.execute(sql`
        select count(*)::int as n, count(distinct (template_id, occurrence_at))::int as distinct_keys,
          (select count(*)::int from (select book_id, max(seq) - count(*) as gap from events group by book_id) g where gap <> 0) as gaps
        from events where amount_minor = 125`),
    );
    expect(check).toEqual({ n: 400, distinct_keys: 400, gaps: 0 });
    // Balances moved by exactly the recorded amounts.
    expect(await s.h.say(ann, '/accounts', 'g-3')).toContain('-50.00 EUR');
    expect((await Promise.all([a(), b()])).map((r) => r.applied)).toEqual([0, 0]);
  });

  it('GIVEN a sweep that dies in the middle of a batch THEN nothing of that batch is kept and the next sweep applies it once', async () => {
    s.h.clock.set('2026-11-24T12:00:00Z');
    for (let i = 0; i < 6; i++) await s.h.say(ann, `/template add daily at:14:00 7 #crash n${i}`);
    s.h.clock.set('2026-11-24T14:00:05Z');
    const real = templateSweepStore(s.h.database.db);
    const death = new AbortController();
    let batches = 0;
    // The process "dies" in its second batch: events written, schedules not yet moved, no commit.
    const dying: SweepStore = {
      withDueBatch: (now, limit, exclude, fn) =>
        real.withDueBatch(now, limit, exclude, (b) =>
          fn({
            ...b,
            advance: async (u) => {
              if (++batches === 2) {
                death.abort();
                throw new Error('connection lost');
              }
              return b.advance(u);
            },
          }),
        ),
    };
    const first = await s.sweepWith(dying, 2)({ signal: death.signal });
    expect(first.applied).toBe(2);
    expect((await s.events()).filter((e) => e.amount_minor === '700')).toHaveLength(2);
    const summary = await s.sweep();
    expect(summary.applied).toBe(4);
    const all = (await s.events()).filter((e) => e.amount_minor === '700');
    expect(all).toHaveLength(6);
    expect(new Set(all.map((e) => e.template_id)).size).toBe(6);
  });

  it('GIVEN one template that breaks its batch for an unexpected reason THEN the others still apply and it stays due', async () => {
    s.h.clock.set('2026-11-24T12:00:00Z');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(Number(/Template (\d+)/.exec(await s.h.say(ann, `/template add daily at:14:30 11 #poison n${i}`))![1]));
    const poison = ids[2]!;
    s.h.clock.set('2026-11-24T14:30:05Z');
    const real = templateSweepStore(s.h.database.db);
    const breaking: SweepStore = {
      withDueBatch: (now, limit, exclude, fn) =>
        real.withDueBatch(now, limit, exclude, (b) =>
          fn({
            ...b,
            recordAll: async (events) => {
              if (events.some((e) => e.templateId === poison)) throw new Error('value out of range');
              return b.recordAll(events);
            },
          }),
        ),
    };
    const summary = await s.sweepWith(breaking, 10)();
    expect(summary.applied).toBe(4);
    const rows = (await s.events()).filter((e) => e.amount_minor === '1100');
    expect(rows.map((e) => e.template_id).sort()).toEqual(ids.filter((id) => id !== poison).sort());
    // Not paused, not advanced: the next sweep (with the fault gone) applies it.
    expect((await s.sweep()).applied).toBe(1);
  });

  it('GIVEN an occurrence recorded already (a replayed job) THEN the sweep counts it as a duplicate and records nothing', async () => {
    s.h.clock.set('2026-11-24T12:00:00Z');
    const id = Number(/Template (\d+)/.exec(await s.h.say(ann, '/template add daily at:15:00 8 #dup'))![1]);
    const book = (await s.h.database.db.execute(sql`select book_id from templates where id = ${id}`)) as unknown as [{ book_id: number }];
    const [acc] = await s.h.services.store.listAccounts(book[0].book_id);
    await s.h.services.store.record({
      bookId: book[0].book_id,
      kind: 'expense',
      accountId: acc!.id,
      amountMinor: assertMinor(800),
      currency: 'EUR',
      labels: ['dup'],
      note: '',
      authorId: null,
      occurredAt: new Date('2026-11-24T15:00:00Z'),
      templateId: id,
      occurrenceAt: new Date('2026-11-24T15:00:00Z'),
    });
    s.h.clock.set('2026-11-24T15:00:30Z');
    const summary = await s.sweep();
    expect(summary).toMatchObject({ applied: 0, duplicates: 1 });
    expect((await s.events()).filter((e) => e.amount_minor === '800')).toHaveLength(1);
    expect(await s.h.say(ann, '/templates')).toMatch(/2026-11-25 15:00\s+daily at:15:00\s+8 #dup/);
  });

  it('GIVEN a template whose account was deleted THEN it is paused, the chat is told why, and the others still apply', async () => {
    s.h.clock.set('2026-11-24T12:00:00Z');
    await s.h.say(ann, '/account add Card');
    const bad = /Template (\d+)/.exec(await s.h.say(ann, '/template add daily at:16:00 9 @Card #gone'))![1];
    await s.h.say(ann, '/template add daily at:16:00 10 #fine');
    await s.h.say(ann, '/account delete Card');
    s.h.clock.set('2026-11-24T16:00:30Z');
    const summary = await s.sweep();
    expect(summary).toMatchObject({ applied: 1, failed: 1 });
    const failure = s.texts().find((t) => t.includes('could not be recorded'));
    expect(failure).toContain(`Template ${bad} (9 @Card #gone) could not be recorded and is paused: There is no account “Card”`);
    expect(failure).toContain(`/template resume ${bad}`);
    expect(await s.h.say(ann, '/templates')).toMatch(new RegExp(`${bad}\\s+paused`));
    expect((await s.sweep()).failed).toBe(0);
  });

  it('GIVEN a budget and a template expense that crosses it THEN the budget alert goes to the template chat', async () => {
    s.h.clock.set('2026-11-24T12:00:00Z');
    await s.h.say(ann, '/budget #gym 30');
    await s.h.say(ann, '/template add daily at:17:00 25 #gym');
    s.h.clock.set('2026-11-24T17:00:30Z');
    await s.sweep();
    const alerts = s.texts().filter((t) => /gym/i.test(t) && /80%|budget/i.test(t) && !t.startsWith('Recorded'));
    expect(alerts).toHaveLength(1);
    expect(s.sent.every((m) => m.chatId === 'p-1')).toBe(true);
  });
});

describe('template sweep on embedded PGlite (REDIS_URL and DATABASE_URL unset)', () => {
  it('GIVEN a template due THEN the sweep applies it once and notifies', async () => {
    const s = await setup('2026-11-24T12:00:00Z', 'pglite');
    try {
      await s.h.say(ann, '/template add daily at:13:00 2.50 #tea');
      s.h.clock.set('2026-11-26T13:00:01Z');
      expect((await s.sweep()).applied).toBe(3);
      expect((await s.sweep()).applied).toBe(0);
      expect(s.texts()[0]).toContain('including 2 missed');
    } finally {
      await s.h.close();
    }
  });
});
