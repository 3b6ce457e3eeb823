import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import type { LedgerStore } from '../../domain/ports.js';
import type { StatDim } from '../../domain/statistics/ports.js';
import { assertMinor } from '../../domain/money/money.js';
import { systemClock } from '../../domain/clock.js';
import { importCsv } from '../../domain/ledger/csv-import.js';
import { rowsOf } from './rows.js';
import { aggregate, REFRESH_LOCK, rollupState } from './stats-rollup.js';
import { statsUpkeep } from './stats-upkeep.js';

/**
 * Issue 19, migration 0021: a book that already had a few events (a coffee recorded in chat) and
 * no rollup yet starts its rollup with its first bulk import, from all its events, so the first
 * `/stats` after the import reads the rollup instead of the events.
 */
describe.each(ENGINES)('a rollup started by an import on $engine', ({ engine, open }) => {
  let db!: Database;
  let store!: LedgerStore;
  let n = 0;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  const count = async (q: ReturnType<typeof sql>) => Number(rowsOf<{ n: string | number }>(await db.db.execute(q))[0]!.n);
  const marks = (bookId: number) => count(sql`select count(*) as n from stat_dirty where book_id = ${bookId}`);
  const rollupRows = (bookId: number) => count(sql`select count(*) as n from stat_days where book_id = ${bookId}`);
  const builtIn = async (bookId: number) =>
    rowsOf<{ tz: string }>(await db.db.execute(sql`select timezone as tz from stat_books where book_id = ${bookId}`))[0]?.tz ?? null;

  async function newBook(timezone: string) {
    const e = (await store.enter(
      { platform: 'telegram', chatId: `start-${++n}`, kind: 'group', title: `Start ${n}` },
      { platform: 'telegram', externalId: `start-user-${n}`, name: `Ann ${n}` },
      false,
      { currency: 'EUR', timezone, language: 'en' },
    ))!;
    const main = await store.createAccount(e.book.id, { name: 'Main', currency: 'EUR', openingMinor: 1_000 });
    const card = await store.createAccount(e.book.id, { name: 'Card', currency: 'EUR', openingMinor: 0 });
    return { book: e.book, bookId: e.book.id, userId: e.user.id, main: main.id, card: card.id };
  }

  /**
   * The rollup as it stands against the rollup rebuilt from every event of the book now
   * (`aggregate()` for the day rows, their sums per month for the month rows): equal when the
   * rollup holds exactly the events, in the book's zone.
   */
  async function rollupVsEvents(bookId: number, tz: string) {
    const stored = rowsOf<{ r: string }>(
      await db.db.execute(sql`select concat_ws(':', dim, day::text, key, kind, currency, amount_minor::text, count::text) as r
        from stat_days where book_id = ${bookId}`),
    ).map((x) => x.r);
    const rebuilt = rowsOf<{ r: string }>(
      await db.db.execute(sql`
        with d as (${aggregate(bookId, tz, sql`true`)})
        select concat_ws(':', dim, day::text, key, kind, currency, amount_minor::text, count::text) as r from d
        union all
        select concat_ws(':', upper(dim), date_trunc('month', day)::date::text, key, kind, currency, sum(amount_minor)::text, sum(count)::text)
        from d group by upper(dim), date_trunc('month', day), key, kind, currency`),
    ).map((x) => x.r);
    return { stored: stored.sort(), rebuilt: rebuilt.sort() };
  }

  /** What the statistics read decides on (`rollupState`): a rollup cut in the book's zone with no dirty day reads the rollup only. */
  async function readsRollup(bookId: number, from: string, to: string) {
    const s = await rollupState(db.db, bookId, from, to);
    return s.tz !== null && s.built === s.tz && s.spanDays === 0;
  }

  /** The figures straight from the events, by the book's local days (totals, labels, authors). */
  async function truth(bookId: number, tz: string, from: string, to: string) {
    const res = await db.db.execute(sql`
      with e as (select * from events where book_id = ${bookId} and deleted_at is null and kind <> 'transfer'
        and (occurred_at at time zone ${tz})::date >= ${from}::date and (occurred_at at time zone ${tz})::date < ${to}::date)
      select 't' as dim, '' as name, kind, currency, sum(amount_minor)::text as minor, count(*)::int as n from e group by kind, currency
      union all select 'a', coalesce(u.name, ''), kind, currency, sum(amount_minor)::text, count(*)::int
        from e left join users u on u.id = e.author_id group by 2, kind, currency
      union all select 'l', coalesce(l.name, ''), kind, currency, sum(amount_minor)::text, count(*)::int
        from e left join event_labels el on el.event_id = e.id left join labels l on l.id = el.label_id group by 2, kind, currency`);
    return rowsOf<{ dim: string; name: string; kind: string; currency: string; minor: string; n: number }>(res)
      .map((r) => `${r.dim}:${r.name}:${r.kind}:${r.currency}:${Number(r.minor)}:${Number(r.n)}`)
      .sort();
  }
  const DIMS: StatDim[] = ['t', 'l', 'a'];
  const read = async (bookId: number, from: string, to: string) =>
    (await store.statTotals(bookId, from, to, DIMS)).map((r) => `${r.dim}:${r.name ?? ''}:${r.kind}:${r.currency}:${r.minor}:${r.count}`).sort();

  it('GIVEN a Tokyo book with a few chat records WHEN thousands of rows are imported (/import) THEN its rollup is current right after, and /stats reads it with the figures of the events', async () => {
    const tz = 'Asia/Tokyo';
    const b = await newBook(tz);
    const rec = (at: string, minor: number, labels: string[], kind: 'expense' | 'income' = 'expense') =>
      store.record({ bookId: b.bookId, kind, accountId: b.main, amountMinor: assertMinor(minor), currency: 'EUR', labels, note: '', authorId: b.userId, occurredAt: new Date(at) });
    await rec('2025-03-31T14:59:00Z', 450, ['coffee']); // 23:59 on 31 March in Tokyo
    await rec('2025-03-31T15:01:00Z', 380, ['coffee', 'treat']); // 00:01 on 1 April
    await rec('2025-06-10T03:00:00Z', 250_000, [], 'income');
    expect(await marks(b.bookId)).toBeGreaterThan(0);
    expect(await builtIn(b.bookId)).toBeNull();

    // 3,000 rows over two years, a label each (the coffee's among them), every 9th an income.
    const labels = ['coffee', 'rent', 'food', 'fun', 'travel'];
    const lines = ['date,type,amount,currency,account,labels,note'];
    for (let i = 0; i < 3000; i++) {
      const day = new Date(Date.parse('2024-07-01T00:00:00Z') + Math.floor(i / 4) * 86_400_000).toISOString().slice(0, 10);
      const minor = 100 + ((i * 7919) % 20_000);
      lines.push(`${day},${i % 9 === 0 ? 'income' : 'expense'},${(minor / 100).toFixed(2)},EUR,Main,${labels[i % labels.length]},row ${i}`);
    }
    const actor = { store, clock: systemClock, book: b.book, userId: b.userId, role: 'owner' as const };
    const imported = await importCsv(actor, Buffer.from(lines.join('\r\n') + '\r\n'));
    expect(imported.ok && imported.created).toBe(3000);

    // Right after the import: the rollup is cut in Tokyo time, holds every event (the chat
    // records too), and no day is left stale, so each read below takes the rollup.
    expect(await builtIn(b.bookId)).toBe(tz);
    expect(await marks(b.bookId)).toBe(0);
    const { stored, rebuilt } = await rollupVsEvents(b.bookId, tz);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored).toEqual(rebuilt);
    const spans = [
      ['2025-01-01', '2026-01-01'],
      ['2025-03-01', '2025-04-01'],
      ['2025-03-31', '2025-04-01'], // the coffee of 23:59 in Tokyo
      ['2025-04-01', '2025-04-02'], // the one of 00:01
      ['2024-07-01', '2026-07-01'],
    ] as const;
    const rows = await rollupRows(b.bookId);
    for (const [from, to] of spans) {
      expect(await readsRollup(b.bookId, from, to), `${from}…${to}`).toBe(true);
      expect(await read(b.bookId, from, to), `${from}…${to}`).toEqual(await truth(b.bookId, tz, from, to));
    }
    // Balances by month from the rollup end where the account stands.
    const { opening, buckets } = await store.balanceBuckets(b.bookId, '2024-01-01', '2027-01-01', 'month');
    const main = (await store.listAccounts(b.bookId)).find((a) => a.id === b.main)!;
    expect((opening.get(b.main) ?? 0) + buckets.filter((x) => x.accountId === b.main).reduce((s, x) => s + x.deltaMinor, 0)).toBe(main.balanceMinor);
    // The reads found nothing to patch, and the upkeep nothing to do.
    expect(await rollupRows(b.bookId)).toBe(rows);
    expect((await statsUpkeep(db.db)).refreshed).toBe(0);
  });

  const ZONES = ['UTC', 'Asia/Tokyo', 'America/New_York', 'Asia/Kolkata'] as const;
  const LABELS = ['food', 'rent', 'fun'];
  type Ev = { kind: string; minor: number; minute: number; labels: string[]; card: boolean };
  const event: fc.Arbitrary<Ev> = fc.record({
    kind: fc.constantFrom('expense', 'expense', 'income', 'transfer'),
    minor: fc.integer({ min: 1, max: 10_000_000 }),
    // Minutes from 2025-12-30 00:00 UTC, about two weeks: local midnights, a month and a year end.
    minute: fc.integer({ min: 0, max: 20_000 }),
    labels: fc.subarray(LABELS),
    card: fc.boolean(),
  });

  it('GIVEN random small books (earlier records, some deleted, then a batch) THEN the rollup the batch starts equals the sums of the events', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ZONES),
        fc.array(event, { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.array(event, { minLength: 2, maxLength: 25 }),
        async (tz, earlier, deletions, batch) => {
          const b = await newBook(tz);
          const toEvent = (e: Ev) => ({
            bookId: b.bookId,
            kind: e.kind as 'expense' | 'income' | 'transfer',
            accountId: e.card ? b.card : b.main,
            toAccountId: e.kind === 'transfer' ? (e.card ? b.main : b.card) : undefined,
            amountMinor: assertMinor(e.minor),
            currency: 'EUR',
            labels: e.kind === 'transfer' ? [] : e.labels,
            note: '',
            authorId: b.userId,
            occurredAt: new Date(Date.parse('2025-12-30T00:00:00Z') + e.minute * 60_000),
          });
          const seqs: number[] = [];
          for (const e of earlier) seqs.push((await store.record(toEvent(e))).event.seq);
          for (const i of new Set(deletions.filter(() => seqs.length > 0).map((d) => d % seqs.length))) await store.setDeleted(b.bookId, seqs[i]!, true);
          await store.recordBatch(b.bookId, batch.map(toEvent));
          expect(await builtIn(b.bookId)).toBe(tz);
          expect(await marks(b.bookId)).toBe(0);
          const { stored, rebuilt } = await rollupVsEvents(b.bookId, tz);
          expect(stored).toEqual(rebuilt);
        },
      ),
      { numRuns: engine === 'pglite' ? 12 : 25 },
    );
  });

  it('GIVEN a book with more than 10,000 events and no rollup WHEN a batch arrives THEN it marks its hours as before, and the read is exact', async () => {
    const tz = 'Europe/Berlin';
    const b = await newBook(tz);
    // 10,001 events in one statement (their rollup starts with them), then the rollup dropped:
    // a book whose history came before there was a rollup.
    await db.db.execute(sql`
      insert into events (book_id, seq, kind, account_id, amount_minor, currency, note, author_id, occurred_at)
      select ${b.bookId}::int, i, 'expense', ${b.main}::int, 100 + i % 50, 'EUR', '', ${b.userId}::int, timestamptz '2025-01-01 10:00Z' + i * interval '1 hour'
      from generate_series(1, 10001) i`);
    await db.db.execute(sql`update books set last_seq = 10001 where id = ${b.bookId}`);
    await db.db.execute(sql`delete from stat_books where book_id = ${b.bookId}`);
    await db.db.execute(sql`delete from stat_days where book_id = ${b.bookId}`);
    await db.db.execute(sql`delete from stat_dirty where book_id = ${b.bookId}`);
    await store.recordBatch(
      b.bookId,
      [1, 2, 3].map((i) => ({ bookId: b.bookId, kind: 'expense' as const, accountId: b.main, amountMinor: assertMinor(i), currency: 'EUR', labels: ['food'], note: '', authorId: b.userId, occurredAt: new Date(`2025-03-0${i}T12:00:00Z`) })),
    );
    expect(await builtIn(b.bookId)).toBeNull();
    expect(await marks(b.bookId)).toBe(3);
    expect(await read(b.bookId, '2025-03-01', '2025-04-01')).toEqual(await truth(b.bookId, tz, '2025-03-01', '2025-04-01'));
  });

  it.runIf(engine === 'postgres')(
    'GIVEN a book with a chat record whose refresh lock is held WHEN an import arrives THEN the import does not wait: it marks its hours, and the figures stay exact',
    async () => {
      const tz = 'Asia/Tokyo';
      const b = await newBook(tz);
      await store.record({ bookId: b.bookId, kind: 'expense', accountId: b.main, amountMinor: assertMinor(450), currency: 'EUR', labels: ['coffee'], note: '', authorId: b.userId, occurredAt: new Date('2025-05-01T01:00:00Z') });
      let release!: () => void;
      let locked!: () => void;
      const held = new Promise<void>((r) => (locked = r));
      // What a first read's reset, a patch or the upkeep hold while they work on the book.
      const refresh = db.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${REFRESH_LOCK}, ${b.bookId})`);
        locked();
        await new Promise<void>((r) => (release = r));
      });
      await held;
      try {
        await store.recordBatch(
          b.bookId,
          Array.from({ length: 40 }, (_, i) => ({ bookId: b.bookId, kind: 'expense' as const, accountId: b.main, amountMinor: assertMinor(10 + i), currency: 'EUR', labels: i % 2 ? ['coffee'] : [], note: '', authorId: b.userId, occurredAt: new Date(Date.parse('2025-05-01T00:00:00Z') + i * 7_200_000) })),
        );
      } finally {
        release();
        await refresh;
      }
      expect(await builtIn(b.bookId)).toBeNull();
      expect(await marks(b.bookId)).toBeGreaterThan(0);
      expect(await read(b.bookId, '2025-05-01', '2025-06-01')).toEqual(await truth(b.bookId, tz, '2025-05-01', '2025-06-01'));
    },
  );

  it.runIf(engine === 'postgres')(
    'GIVEN another transaction writing an event of the book, not yet committed, WHEN an import starts the rollup THEN that event keeps its mark and the figures after its commit are exact',
    async () => {
      const tz = 'America/New_York';
      const b = await newBook(tz);
      await store.record({ bookId: b.bookId, kind: 'expense', accountId: b.main, amountMinor: assertMinor(450), currency: 'EUR', labels: ['coffee'], note: '', authorId: b.userId, occurredAt: new Date('2025-05-01T13:00:00Z') });
      let commit!: () => void;
      let written!: () => void;
      const inserted = new Promise<void>((r) => (written = r));
      // An event written outside the writer's #N counter (it does not wait on the book's row).
      const other = db.db.transaction(async (tx) => {
        await tx.execute(sql`insert into events (book_id, seq, kind, account_id, amount_minor, currency, note, author_id, occurred_at)
          values (${b.bookId}, 900, 'expense', ${b.main}, 700, 'EUR', '', ${b.userId}, '2025-05-03T15:00:00Z')`);
        written();
        await new Promise<void>((r) => (commit = r));
      });
      await inserted;
      try {
        await store.recordBatch(
          b.bookId,
          Array.from({ length: 30 }, (_, i) => ({ bookId: b.bookId, kind: 'expense' as const, accountId: b.main, amountMinor: assertMinor(10 + i), currency: 'EUR', labels: i % 2 ? ['coffee'] : [], note: '', authorId: b.userId, occurredAt: new Date(Date.parse('2025-05-01T00:00:00Z') + i * 7_200_000) })),
        );
        expect(await builtIn(b.bookId)).toBe(tz);
        expect(await marks(b.bookId)).toBe(0);
      } finally {
        commit();
        await other;
      }
      expect(await marks(b.bookId)).toBe(1);
      expect(await read(b.bookId, '2025-05-01', '2025-06-01')).toEqual(await truth(b.bookId, tz, '2025-05-01', '2025-06-01'));
      // The coffee, 28 of the imported events (the first two fall on 30 April in New York) and
      // the late one: 450 + (12 + … + 39) + 700.
      expect(await read(b.bookId, '2025-05-01', '2025-06-01')).toContain('t::expense:EUR:1864:30');
    },
  );
});
