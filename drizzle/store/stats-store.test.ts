import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import type { LedgerStore, NewEvent } from '../../domain/ports.js';
import type { StatDim, StatRow } from '../../domain/statistics/ports.js';
import { rowsOf } from './rows.js';
import { statsUpkeep } from './stats-upkeep.js';
import { assertMinor } from '../../domain/money/money.js';

/** A deterministic pseudo-random sequence (tests must not flake). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const key = (r: Pick<StatRow, 'dim' | 'key' | 'kind' | 'currency' | 'minor' | 'count'>) =>
  `${r.dim}:${r.key}:${r.kind}:${r.currency}:${r.minor}:${r.count}`;

describe.each(ENGINES)('statistics store on $engine', ({ open }) => {
  let db!: Database;
  let store!: LedgerStore;
  let chat = 0;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  async function newBook(timezone: string, currency = 'EUR') {
    const book = await store.resolveChat(
      { platform: 'telegram', chatId: `stats-${++chat}`, kind: 'group', title: `Stats ${chat}` },
      { currency, timezone, language: 'en' },
    );
    const ann = await store.resolveUser({ platform: 'telegram', externalId: `ann-${chat}`, name: 'Ann' });
    const bob = await store.resolveUser({ platform: 'telegram', externalId: `bob-${chat}`, name: 'Bob' });
    await store.ensureMember(book.id, ann.id, false);
    await store.ensureMember(book.id, bob.id, false);
    const main = await store.createAccount(book.id, { name: 'Main', currency, openingMinor: 10000 });
    const usd = await store.createAccount(book.id, { name: 'Dollars', currency: 'USD', openingMinor: 0 });
    const rec = (e: Partial<NewEvent> & { at: string; minor: number }) =>
      store.record({
        bookId: book.id,
        kind: e.kind ?? 'expense',
        accountId: e.accountId ?? main.id,
        amountMinor: assertMinor(e.minor),
        currency: e.currency ?? currency,
        labels: e.labels ?? [],
        note: '',
        authorId: e.authorId === undefined ? ann.id : e.authorId,
        occurredAt: new Date(e.at),
        toAccountId: e.toAccountId,
        toAmountMinor: e.toAmountMinor,
        toCurrency: e.toCurrency,
      });
    return { book, ann, bob, main, usd, rec };
  }

  /** What the rollup must equal: the same aggregation straight from events. */
  async function truth(bookId: number, tz: string, from: string, to: string, dims: StatDim[]) {
    const res = await db.db.execute(sql`
      with ev as (
        select e.id, e.kind, e.currency, e.amount_minor, e.author_id from events e
        where e.book_id = ${bookId} and e.deleted_at is null and e.kind <> 'transfer'
          and (e.occurred_at at time zone ${tz})::date >= ${from}::date and (e.occurred_at at time zone ${tz})::date < ${to}::date)
      select 't' as dim, 0 as key, kind, currency, sum(amount_minor)::text as minor, count(*)::int as n from ev group by kind, currency
      union all
      select 'a', coalesce(author_id, 0), kind, currency, sum(amount_minor)::text, count(*)::int from ev group by 2, kind, currency
      union all
      select 'l', coalesce(el.label_id, 0), kind, currency, sum(amount_minor)::text, count(*)::int
      from ev left join event_labels el on el.event_id = ev.id group by 2, kind, currency`);
    return rowsOf<{ dim: StatDim; key: number; kind: 'expense' | 'income'; currency: string; minor: string; n: number }>(res)
      .filter((r) => dims.includes(r.dim))
      .map((r) => key({ ...r, key: Number(r.key), minor: Number(r.minor), count: Number(r.n) }))
      .sort();
  }

  const rollup = async (bookId: number, from: string, to: string, dims: StatDim[]) =>
    (await store.statTotals(bookId, from, to, dims)).map(key).sort();

  const expenseOf = async (bookId: number, from: string, to: string) =>
    (await store.statTotals(bookId, from, to, ['t'])).filter((r) => r.kind === 'expense').reduce((s, r) => s + r.minor, 0);

  const dirtyMarks = async (bookId: number) =>
    Number(rowsOf<{ n: string | number }>(await db.db.execute(sql`select count(*) as n from stat_dirty where book_id = ${bookId}`))[0]!.n);

  it('GIVEN books nobody reads statistics of WHEN the upkeep runs THEN their dirty marks are gone and statistics still equal the events', async () => {
    // A book that never had /stats: its marks are dropped (its first read rebuilds from events).
    const unread = await newBook('Europe/Berlin');
    for (let i = 0; i < 5; i++) await unread.rec({ at: `2026-05-0${i + 1}T10:00:00Z`, minor: 100 + i, labels: ['food'] });
    // A book with a rollup that keeps being written to: its marks are folded in.
    const read = await newBook('Asia/Kolkata');
    await read.rec({ at: '2026-05-01T10:00:00Z', minor: 7, labels: ['rent'] });
    await rollup(read.book.id, '2026-05-01', '2026-06-01', ['t']); // builds the rollup
    await read.rec({ at: '2026-05-02T20:00:00Z', minor: 11, labels: ['rent'] });
    await read.rec({ at: '2026-05-03T03:00:00Z', minor: 13, kind: 'income' });
    expect(await dirtyMarks(unread.book.id)).toBeGreaterThan(0);
    expect(await dirtyMarks(read.book.id)).toBeGreaterThan(0);

    const done = await statsUpkeep(db.db);
    expect(done.forgotten).toBeGreaterThanOrEqual(1);
    expect(done.refreshed).toBeGreaterThanOrEqual(1);
    expect(await dirtyMarks(unread.book.id)).toBe(0);
    expect(await dirtyMarks(read.book.id)).toBe(0);

    const dims: StatDim[] = ['t', 'l', 'a'];
    expect(await rollup(unread.book.id, '2026-05-01', '2026-06-01', dims)).toEqual(await truth(unread.book.id, 'Europe/Berlin', '2026-05-01', '2026-06-01', dims));
    expect(await rollup(read.book.id, '2026-05-01', '2026-06-01', dims)).toEqual(await truth(read.book.id, 'Asia/Kolkata', '2026-05-01', '2026-06-01', dims));
    expect(await expenseOf(read.book.id, '2026-05-01', '2026-06-01')).toBe(18);
  });

  it('GIVEN records a second either side of a local month end THEN each counts in its own local month', async () => {
    const { book, rec } = await newBook('Europe/Berlin');
    await rec({ at: '2026-03-31T21:59:59Z', minor: 100 }); // 23:59:59 CEST, 31 March
    await rec({ at: '2026-03-31T22:00:00Z', minor: 20 }); // 00:00 CEST, 1 April
    await rec({ at: '2026-02-28T22:59:59Z', minor: 3 }); // 23:59:59 CET, 28 February
    expect(await expenseOf(book.id, '2026-03-01', '2026-04-01')).toBe(100);
    expect(await expenseOf(book.id, '2026-04-01', '2026-05-01')).toBe(20);
    expect(await expenseOf(book.id, '2026-02-01', '2026-03-01')).toBe(3);
  });

  it('GIVEN the 23- and 25-hour days of DST changes THEN every record lands on its local day', async () => {
    const { book, rec } = await newBook('Europe/Berlin');
    // 29 March 2026 (clocks go 02:00 → 03:00): 00:00 CET = 23:00Z the day before, 23:59 CEST = 21:59Z.
    await rec({ at: '2026-03-28T23:00:00Z', minor: 1 });
    await rec({ at: '2026-03-29T21:59:00Z', minor: 2 });
    await rec({ at: '2026-03-29T22:00:00Z', minor: 4 }); // 30 March
    // 25 October 2026 (03:00 → 02:00): 00:00 CEST = 22:00Z the day before, 23:59 CET = 22:59Z.
    await rec({ at: '2026-10-24T22:00:00Z', minor: 8 });
    await rec({ at: '2026-10-25T00:30:00Z', minor: 16 }); // 02:30 CEST, the first of the two
    await rec({ at: '2026-10-25T01:30:00Z', minor: 32 }); // 02:30 CET, the second
    await rec({ at: '2026-10-25T22:59:00Z', minor: 64 });
    await rec({ at: '2026-10-25T23:00:00Z', minor: 128 }); // 26 October
    expect(await expenseOf(book.id, '2026-03-29', '2026-03-30')).toBe(3);
    expect(await expenseOf(book.id, '2026-03-30', '2026-03-31')).toBe(4);
    expect(await expenseOf(book.id, '2026-10-25', '2026-10-26')).toBe(8 + 16 + 32 + 64);
    expect(await expenseOf(book.id, '2026-10-26', '2026-10-27')).toBe(128);
  });

  it('GIVEN the same instants in books of other timezones THEN days are cut in each book’s own zone', async () => {
    const instants = ['2026-06-30T03:59:00Z', '2026-06-30T04:00:00Z', '2026-06-30T18:14:00Z', '2026-06-30T18:15:00Z'];
    const ny = await newBook('America/New_York'); // UTC−4 in summer
    const ktm = await newBook('Asia/Kathmandu'); // UTC+5:45
    for (const [i, at] of instants.entries()) {
      await ny.rec({ at, minor: 10 ** i });
      await ktm.rec({ at, minor: 10 ** i });
    }
    expect(await expenseOf(ny.book.id, '2026-06-29', '2026-06-30')).toBe(1);
    expect(await expenseOf(ny.book.id, '2026-06-30', '2026-07-01')).toBe(1110);
    expect(await expenseOf(ktm.book.id, '2026-06-30', '2026-07-01')).toBe(111);
    expect(await expenseOf(ktm.book.id, '2026-07-01', '2026-07-02')).toBe(1000);
  });

  it('GIVEN a rollup in one timezone WHEN the book moves to another THEN the days are cut anew', async () => {
    const { book, rec } = await newBook('UTC');
    await rec({ at: '2026-05-31T23:30:00Z', minor: 7 });
    expect(await expenseOf(book.id, '2026-05-01', '2026-06-01')).toBe(7);
    await store.updateBook(book.id, { timezone: 'Europe/Berlin' });
    expect(await expenseOf(book.id, '2026-05-01', '2026-06-01')).toBe(0);
    expect(await expenseOf(book.id, '2026-06-01', '2026-07-01')).toBe(7);
  });

  it('GIVEN a :30 offset zone WHEN records arrive on both sides of local midnight within one UTC hour THEN both days refresh', async () => {
    const { book, rec } = await newBook('Asia/Kolkata'); // UTC+5:30
    await rec({ at: '2026-01-01T00:00:00Z', minor: 1 });
    await expenseOf(book.id, '2026-01-01', '2026-01-02'); // builds the rollup
    await rec({ at: '2026-01-10T18:29:00Z', minor: 10 }); // 23:59 on the 10th
    await rec({ at: '2026-01-10T18:31:00Z', minor: 100 }); // 00:01 on the 11th
    expect(await expenseOf(book.id, '2026-01-10', '2026-01-11')).toBe(10);
    expect(await expenseOf(book.id, '2026-01-11', '2026-01-12')).toBe(100);
  });

  it('GIVEN many records, edits, deletions, label changes and a merge THEN the rollup always equals aggregating the events', async () => {
    const { book, ann, bob, main, usd, rec } = await newBook('America/Sao_Paulo');
    const random = lcg(42);
    const labels = ['food', 'rent', 'fun', 'Travel'];
    const base = Date.parse('2026-01-25T00:00:00Z');
    const seqs: number[] = [];
    for (let i = 0; i < 150; i++) {
      const usdRow = random() < 0.2;
      const r = await rec({
        at: new Date(base + Math.floor(random() * 70 * 86400_000)).toISOString(),
        minor: 1 + Math.floor(random() * 50000),
        kind: random() < 0.15 ? 'income' : 'expense',
        accountId: usdRow ? usd.id : main.id,
        currency: usdRow ? 'USD' : 'EUR',
        labels: labels.filter(() => random() < 0.35),
        authorId: random() < 0.1 ? null : random() < 0.5 ? ann.id : bob.id,
      });
      seqs.push(r.event.seq);
      if (i === 60) await rollup(book.id, '2026-01-01', '2026-05-01', ['t']); // rollup exists; the rest is incremental
    }
    await rec({ at: '2026-02-10T12:00:00Z', minor: 500, kind: 'transfer', toAccountId: usd.id, toAmountMinor: assertMinor(550), toCurrency: 'USD' });
    await store.editEvent(book.id, seqs[3]!, { amountMinor: 777 });
    await store.editEvent(book.id, seqs[4]!, { occurredAt: new Date('2026-03-31T23:30:00Z') });
    await store.editEvent(book.id, seqs[5]!, { labels: ['food', 'new'] });
    await store.setDeleted(book.id, seqs[6]!, true);
    const all = await store.listLabels(book.id);
    const id = (n: string) => all.find((l) => l.name.toLowerCase() === n.toLowerCase())!.id;
    await store.mergeLabels(book.id, id('fun'), id('food'));

    const dims: StatDim[] = ['t', 'l', 'a'];
    for (const [from, to] of [
      ['2026-01-01', '2026-05-01'],
      ['2026-02-01', '2026-03-01'],
      ['2026-03-31', '2026-04-01'],
      ['2026-02-14', '2026-02-21'],
      ['2026-01-20', '2026-04-10'],
      ['2025-12-31', '2026-03-01'],
    ] as const) {
      expect(await rollup(book.id, from, to, dims)).toEqual(await truth(book.id, 'America/Sao_Paulo', from, to, dims));
    }
  });

  it('GIVEN concurrent reads while records arrive THEN no read fails and the final totals are exact', async () => {
    const { book, rec } = await newBook('Europe/Berlin');
    await expenseOf(book.id, '2026-11-01', '2026-12-01');
    const writes = Array.from({ length: 20 }, (_, i) => rec({ at: `2026-11-${String(1 + i).padStart(2, '0')}T10:00:00Z`, minor: 100 }));
    const reads = Array.from({ length: 10 }, () => expenseOf(book.id, '2026-11-01', '2026-12-01'));
    await Promise.all([...writes, ...reads]);
    expect(await expenseOf(book.id, '2026-11-01', '2026-12-01')).toBe(2000);
  });

  it('GIVEN records per day THEN buckets by month and by day sum income and expenses per currency', async () => {
    const { book, rec, usd } = await newBook('Europe/Berlin');
    await rec({ at: '2026-01-15T12:00:00Z', minor: 100 });
    await rec({ at: '2026-01-31T23:30:00Z', minor: 5, kind: 'income' }); // 1 February in Berlin
    await rec({ at: '2026-02-02T12:00:00Z', minor: 7, accountId: usd.id, currency: 'USD' });
    const months = await store.statBuckets(book.id, '2026-01-01', '2027-01-01', 'month');
    expect(months).toEqual([
      { bucket: '2026-01', currency: 'EUR', incomeMinor: 0, expenseMinor: 100 },
      { bucket: '2026-02', currency: 'EUR', incomeMinor: 5, expenseMinor: 0 },
      { bucket: '2026-02', currency: 'USD', incomeMinor: 0, expenseMinor: 7 },
    ]);
    const days = await store.statBuckets(book.id, '2026-02-01', '2026-03-01', 'day');
    expect(days.map((d) => d.bucket)).toEqual(['2026-02-01', '2026-02-02']);
  });

  it('GIVEN expenses, incomes and transfers THEN balance buckets start from the balance before and end at the account balance', async () => {
    const { book, rec, main, usd } = await newBook('UTC');
    await rec({ at: '2025-12-20T12:00:00Z', minor: 1000 });
    await rec({ at: '2026-01-05T12:00:00Z', minor: 300, kind: 'income' });
    await rec({ at: '2026-02-05T12:00:00Z', minor: 2000, kind: 'transfer', toAccountId: usd.id, toAmountMinor: assertMinor(2200), toCurrency: 'USD' });
    const { opening, buckets } = await store.balanceBuckets(book.id, '2026-01-01', '2027-01-01', 'month');
    expect(opening.get(main.id)).toBe(10000 - 1000);
    expect(opening.get(usd.id)).toBe(0);
    const sum = (id: number) => buckets.filter((b) => b.accountId === id).reduce((s, b) => s + b.deltaMinor, opening.get(id)!);
    const accounts = await store.listAccounts(book.id);
    expect(sum(main.id)).toBe(accounts.find((a) => a.id === main.id)!.balanceMinor);
    expect(sum(usd.id)).toBe(2200);
  });

  it('GIVEN a two-amount transfer and a later /rate THEN the newest rate per currency is listed, in either direction', async () => {
    const { book, rec, main, usd } = await newBook('UTC');
    expect(await store.listRates(book.id, 'EUR')).toEqual([]);
    await rec({ at: '2026-03-01T12:00:00Z', minor: 9200, kind: 'transfer', toAccountId: usd.id, toAmountMinor: assertMinor(10000), toCurrency: 'USD' });
    expect(await store.listRates(book.id, 'EUR')).toMatchObject([{ currency: 'USD', perMinor: 10000, bookMinor: 9200, source: 'transfer' }]);
    await store.setRate(book.id, { currency: 'USD', perMinor: 100, bookMinor: 95, base: 'EUR', at: new Date('2026-03-02T00:00:00Z') });
    expect(await store.listRates(book.id, 'EUR')).toMatchObject([{ currency: 'USD', perMinor: 100, bookMinor: 95, source: 'rate' }]);
    await rec({ at: '2026-03-03T12:00:00Z', minor: 5000, accountId: usd.id, currency: 'USD', kind: 'transfer', toAccountId: main.id, toAmountMinor: assertMinor(4500), toCurrency: 'EUR' });
    expect(await store.listRates(book.id, 'EUR')).toMatchObject([{ currency: 'USD', perMinor: 5000, bookMinor: 4500 }]);
    // A rate given against another book currency is not used after /currency changed.
    await store.setRate(book.id, { currency: 'GBP', perMinor: 100, bookMinor: 117, base: 'EUR', at: new Date('2026-03-04T00:00:00Z') });
    expect((await store.listRates(book.id, 'CHF')).map((r) => r.currency)).toEqual([]);
  });
});
