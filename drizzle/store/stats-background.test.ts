import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import type { LedgerStore } from '../../domain/ports.js';
import type { StatDim } from '../../domain/statistics/ports.js';
import type { ImportRow } from '../../domain/ledger/import-rows.js';
import { assertMinor } from '../../domain/money/money.js';
import { rowsOf } from './rows.js';
import { drainStats, REFRESH_LOCK } from './stats-rollup.js';
import { writeEvents } from './event-writer.js';
import { statsUpkeep } from './stats-upkeep.js';

/**
 * Issue 19: no read of statistics waits on a rebuild of the rollup. A bulk write (an import
 * chunk, an API batch) folds its events into the rollup in the same statement, so a read right
 * after an import finds it current. A read whose period holds many changed days the rollup did
 * not take (a new timezone, a first read, a book without a rollup) is answered from the events;
 * the rollup is brought up to date by the upkeep in the background, a month per transaction.
 */
describe.each(ENGINES)('statistics without waiting for a rebuild on $engine', ({ engine, open }) => {
  let db!: Database;
  let store!: LedgerStore;
  let n = 0;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  const count = async (q: ReturnType<typeof sql>) => Number(rowsOf<{ n: string | number }>(await db.db.execute(q))[0]!.n);
  const marks = (bookId: number) => count(sql`select count(*) as n from stat_dirty where book_id = ${bookId}`);
  const rollupRows = (bookId: number) => count(sql`select count(*) as n from stat_days where book_id = ${bookId}`);

  async function newBook(timezone: string) {
    const e = (await store.enter(
      { platform: 'telegram', chatId: `bg-${++n}`, kind: 'group', title: `Bg ${n}` },
      { platform: 'telegram', externalId: `bg-user-${n}`, name: `Ann ${n}` },
      false,
      { currency: 'EUR', timezone, language: 'en' },
    ))!;
    await store.createAccount(e.book.id, { name: 'Main', currency: 'EUR', openingMinor: 0 });
    return { bookId: e.book.id, userId: e.user.id };
  }

  /** Import rows over `days` local days from 2025-01-01, two a day, labelled food or rent. */
  const rows = (tag: string, days: number): ImportRow[] =>
    Array.from({ length: days * 2 }, (_, i) => ({
      sourceKey: `${tag}-${i}`,
      kind: i % 7 === 0 ? 'income' : 'expense',
      account: 'Main',
      currency: 'EUR',
      amountMinor: assertMinor(100 + ((i * 37) % 900)),
      labels: [i % 2 ? 'food' : 'rent'],
      note: '',
      occurredAt: new Date(Date.parse('2025-01-01T10:00:00Z') + Math.floor(i / 2) * 86_400_000 + (i % 2) * 3_600_000 * 11),
    })) as ImportRow[];

  /** The rows written as an import writes them: the store's batch write, into the book's account. */
  async function importRows(bookId: number, userId: number, list: readonly ImportRow[]) {
    const [account] = await store.listAccounts(bookId);
    const r = await store.recordBatch(bookId, list.map((x) => ({ bookId, kind: x.kind, accountId: account!.id, amountMinor: x.amountMinor, currency: x.currency, labels: x.labels, note: x.note, authorId: userId, occurredAt: x.occurredAt, sourceKey: x.sourceKey })));
    return { created: r.items.filter((i) => i.outcome === 'created').length };
  }

  /** The figures straight from the events, by the book's local days. */
  async function truth(bookId: number, tz: string, from: string, to: string) {
    const res = await db.db.execute(sql`
      select e.kind, coalesce(l.name, '') as label, sum(e.amount_minor)::text as minor, count(*)::int as n
      from events e left join event_labels el on el.event_id = e.id left join labels l on l.id = el.label_id
      where e.book_id = ${bookId} and e.deleted_at is null and e.kind <> 'transfer'
        and (e.occurred_at at time zone ${tz})::date >= ${from}::date and (e.occurred_at at time zone ${tz})::date < ${to}::date
      group by 1, 2`);
    return rowsOf<{ kind: string; label: string; minor: string; n: number }>(res)
      .map((r) => `${r.kind}:${r.label}:${Number(r.minor)}:${Number(r.n)}`)
      .sort();
  }
  const read = async (bookId: number, from: string, to: string) => {
    const dims: StatDim[] = ['l'];
    return (await store.statTotals(bookId, from, to, dims)).map((r) => `${r.kind}:${r.name ?? ''}:${r.minor}:${r.count}`).sort();
  };

  it('GIVEN a book with statistics WHEN two years are imported at once THEN the import folds into the rollup and the reads right after are exact, with nothing left for the upkeep', async () => {
    const { bookId, userId } = await newBook('Europe/Berlin');
    await importRows(bookId, userId, rows('first', 3));
    await read(bookId, '2025-01-01', '2025-02-01');
    await statsUpkeep(db.db);
    expect(await marks(bookId)).toBe(0);
    const before = await rollupRows(bookId);

    const created = await importRows(bookId, userId, rows('bulk', 730));
    expect(created.created).toBe(1460);
    // The import's statements added their events to the rollup: no day is stale.
    expect(await marks(bookId)).toBe(0);
    expect(await rollupRows(bookId)).toBeGreaterThan(before);
    const rollupAfterImport = await rollupRows(bookId);
    for (const [from, to] of [
      ['2025-03-01', '2025-04-01'],
      ['2025-01-01', '2026-01-01'],
      ['2025-12-31', '2026-01-02'],
      ['2026-12-24', '2027-01-01'],
    ] as const)
      expect(await read(bookId, from, to)).toEqual(await truth(bookId, 'Europe/Berlin', from, to));
    // The reads found nothing to patch or rebuild.
    expect(await rollupRows(bookId)).toBe(rollupAfterImport);
    expect((await statsUpkeep(db.db)).refreshed).toBe(0);
  });

  it('GIVEN a new book WHEN years of history are imported THEN its rollup starts with the import and /stats right after equals the sums of the events in every dimension', async () => {
    const { bookId, userId } = await newBook('America/New_York');
    await store.createAccount(bookId, { name: 'Card', currency: 'EUR', openingMinor: 2_000 });
    await store.createAccount(bookId, { name: 'Dollars', currency: 'USD', openingMinor: 0 });
    const other = await store.resolveUser({ platform: 'telegram', externalId: `bg-other-${n}`, name: 'Bob' });
    // 2,500 rows over three years: expenses and incomes in two currencies, transfers (some across
    // currencies), no label, one label or two; imported by two authors in two imports.
    const history = Array.from({ length: 2500 }, (_, i) => {
      const occurredAt = new Date(Date.parse('2023-01-01T03:00:00Z') + i * 37_813_000);
      const base = { sourceKey: `hist-${i}`, note: `n${i}`, occurredAt, amountMinor: assertMinor(1 + ((i * 7919) % 250_000)) };
      if (i % 29 === 0)
        return i % 58 === 0
          ? { ...base, kind: 'transfer', account: 'Main', currency: 'EUR', toAccount: 'Dollars', toCurrency: 'USD', toAmountMinor: assertMinor(3 + i), labels: [] }
          : { ...base, kind: 'transfer', account: 'Main', currency: 'EUR', toAccount: 'Card', labels: [] };
      return {
        ...base,
        kind: i % 6 === 0 ? 'income' : 'expense',
        account: i % 5 === 0 ? 'Dollars' : 'Main',
        currency: i % 5 === 0 ? 'USD' : 'EUR',
        labels: i % 11 === 0 ? [] : i % 4 === 0 ? ['food', 'family'] : [['food', 'rent', 'fun'][i % 3]!],
      };
    });
    // Written as an import writes them: the store's batch write, 1,000 events per statement.
    const accounts = new Map((await store.listAccounts(bookId)).map((x) => [x.name, x.id]));
    const write = async (author: number, list: typeof history) => {
      for (let i = 0; i < list.length; i += 1000)
        await store.recordBatch(
          bookId,
          list.slice(i, i + 1000).map((x) => ({
            bookId, kind: x.kind as 'expense' | 'income' | 'transfer', accountId: accounts.get(x.account)!, amountMinor: x.amountMinor, currency: x.currency,
            toAccountId: 'toAccount' in x ? accounts.get(x.toAccount!) : undefined, toAmountMinor: 'toAmountMinor' in x ? x.toAmountMinor : undefined,
            toCurrency: 'toCurrency' in x ? x.toCurrency : undefined, labels: x.labels, note: x.note, authorId: author, occurredAt: x.occurredAt, sourceKey: x.sourceKey,
          })),
        );
    };
    await write(userId, history.slice(0, 1700));
    await write(other.id, history.slice(1700));
    expect(await marks(bookId)).toBe(0);
    expect(await rollupRows(bookId)).toBeGreaterThan(0);

    const dims: StatDim[] = ['t', 'l', 'a'];
    const eventsSay = async (from: string, to: string) =>
      rowsOf<{ dim: string; key: number; kind: string; currency: string; minor: string; n: number }>(
        await db.db.execute(sql`
          with e as (select * from events where book_id = ${bookId} and deleted_at is null and kind <> 'transfer'
            and (occurred_at at time zone 'America/New_York')::date >= ${from}::date and (occurred_at at time zone 'America/New_York')::date < ${to}::date)
          select 't' as dim, 0 as key, kind, currency, sum(amount_minor)::text as minor, count(*)::int as n from e group by kind, currency
          union all select 'a', coalesce(author_id, 0), kind, currency, sum(amount_minor)::text, count(*)::int from e group by 2, kind, currency
          union all select 'l', coalesce(el.label_id, 0), kind, currency, sum(amount_minor)::text, count(*)::int
            from e left join event_labels el on el.event_id = e.id group by 2, kind, currency`),
      )
        .map((r) => `${r.dim}:${r.key}:${r.kind}:${r.currency}:${Number(r.minor)}:${Number(r.n)}`)
        .sort();
    for (const [from, to] of [
      ['2023-01-01', '2026-01-01'],
      ['2024-02-01', '2024-03-01'],
      ['2024-02-13', '2024-05-02'],
      ['2025-12-31', '2026-01-01'],
    ] as const) {
      const totals = await store.statTotals(bookId, from, to, dims);
      expect(totals.map((r) => `${r.dim}:${r.key}:${r.kind}:${r.currency}:${r.minor}:${r.count}`).sort()).toEqual(await eventsSay(from, to));
    }
    // Balances by month from the rollup end where the accounts stand.
    const { opening, buckets } = await store.balanceBuckets(bookId, '2023-01-01', '2030-01-01', 'month');
    for (const account of await store.listAccounts(bookId)) {
      const moved = buckets.filter((b) => b.accountId === account.id).reduce((s, b) => s + b.deltaMinor, 0);
      expect((opening.get(account.id) ?? 0) + moved).toBe(account.balanceMinor);
    }
    expect(await marks(bookId)).toBe(0);
  });

  it('GIVEN events renumbered (only #N changes, as an import putting a file\'s numbers back) THEN no mark; a changed amount marks its hour', async () => {
    const { bookId, userId } = await newBook('Asia/Tokyo');
    await importRows(bookId, userId, rows('kept', 40));
    expect(await marks(bookId)).toBe(0);
    await db.db.execute(sql`update events set seq = seq + 500 where book_id = ${bookId}`);
    expect(await marks(bookId)).toBe(0);
    await db.db.execute(sql`update events set amount_minor = amount_minor + 1 where book_id = ${bookId} and seq = 501`);
    expect(await marks(bookId)).toBe(1);
    expect(await read(bookId, '2025-01-01', '2025-03-01')).toEqual(await truth(bookId, 'Asia/Tokyo', '2025-01-01', '2025-03-01'));
  });

  it('GIVEN one statement with two events in each of 40 books THEN the 32 largest are folded, the rest marked, and every book reads exact', async () => {
    const books = [];
    for (let i = 0; i < 40; i++) {
      const b = await newBook('Europe/Berlin');
      const [account] = await store.listAccounts(b.bookId);
      books.push({ ...b, accountId: account!.id });
    }
    await writeEvents(
      db.db,
      books.flatMap((b, i) =>
        [0, 1].map((j) => ({ bookId: b.bookId, kind: 'expense' as const, accountId: b.accountId, amountMinor: assertMinor(100 * i + j + 1), currency: 'EUR', labels: j ? ['food'] : [], note: '', authorId: b.userId, occurredAt: new Date(`2025-02-0${1 + j}T12:00:00Z`) })),
      ),
    );
    let folded = 0;
    for (const b of books) {
      if ((await marks(b.bookId)) === 0 && (await rollupRows(b.bookId)) > 0) folded++;
      expect(await read(b.bookId, '2025-02-01', '2025-03-01')).toEqual(await truth(b.bookId, 'Europe/Berlin', '2025-02-01', '2025-03-01'));
    }
    expect(folded).toBe(32);
  });

  it.skipIf(engine === 'pglite')('GIVEN a refresh of the book holding its lock WHEN an import arrives THEN the import does not wait: it marks its hours, and the figures stay exact', async () => {
    const { bookId, userId } = await newBook('Europe/Berlin');
    await importRows(bookId, userId, rows('locked-base', 5));
    // What patchSpan and drainStats hold while they re-aggregate days of the book.
    let release!: () => void;
    let locked!: () => void;
    const held = new Promise<void>((r) => (locked = r));
    const refresh = db.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${REFRESH_LOCK}, ${bookId})`);
      locked();
      await new Promise<void>((r) => (release = r));
    });
    await held;
    const created = await importRows(bookId, userId, rows('locked-more', 20));
    expect(created.created).toBe(40);
    release();
    await refresh;
    expect(await marks(bookId)).toBeGreaterThan(0);
    expect(await read(bookId, '2025-01-01', '2025-02-01')).toEqual(await truth(bookId, 'Europe/Berlin', '2025-01-01', '2025-02-01'));
  });

  it('GIVEN a few new records THEN the read patches just their days first and answers from the rollup', async () => {
    const { bookId, userId } = await newBook('Asia/Kolkata');
    await importRows(bookId, userId, rows('base', 60));
    await read(bookId, '2025-01-01', '2025-03-01');
    await statsUpkeep(db.db);
    const [account] = await store.listAccounts(bookId);
    for (const day of ['2025-01-05', '2025-01-06'])
      await store.record({ bookId, kind: 'expense', accountId: account!.id, amountMinor: assertMinor(5), currency: 'EUR', labels: ['food'], note: '', authorId: userId, occurredAt: new Date(`${day}T20:00:00Z`) });
    expect(await marks(bookId)).toBeGreaterThan(0);
    expect(await read(bookId, '2025-01-01', '2025-02-01')).toEqual(await truth(bookId, 'Asia/Kolkata', '2025-01-01', '2025-02-01'));
    // Those days were folded in by the read itself.
    expect(await marks(bookId)).toBe(0);
  });

  it('GIVEN the background drain running a few days per transaction THEN reads and records in between stay exact and no mark is left', async () => {
    const { bookId, userId } = await newBook('America/New_York');
    const [account] = await store.listAccounts(bookId);
    await store.record({ bookId, kind: 'expense', accountId: account!.id, amountMinor: assertMinor(9), currency: 'EUR', labels: [], note: '', authorId: userId, occurredAt: new Date('2025-01-02T12:00:00Z') });
    await importRows(bookId, userId, rows('drain', 120));
    // The import started the rollup in New York time; then the book moved to Chicago (/timezone),
    // so the rollup is cut in another zone.
    await store.updateBook(bookId, { timezone: 'America/Chicago' });
    await read(bookId, '2025-01-01', '2025-02-01'); // the first read: answered from the events, the rollup reset
    expect(await marks(bookId)).toBeGreaterThan(0);
    const drain = drainStats(db.db, bookId, { chunkDays: 3 });
    for (let i = 0; i < 5; i++) {
      await store.record({ bookId, kind: 'expense', accountId: account!.id, amountMinor: assertMinor(1 + i), currency: 'EUR', labels: ['rent'], note: '', authorId: userId, occurredAt: new Date(`2025-0${1 + i}-15T12:00:00Z`) });
      expect(await read(bookId, '2025-01-01', '2025-06-01')).toEqual(await truth(bookId, 'America/Chicago', '2025-01-01', '2025-06-01'));
    }
    await drain;
    await drainStats(db.db, bookId); // what the next upkeep does with marks written meanwhile
    expect(await marks(bookId)).toBe(0);
    expect(await read(bookId, '2025-01-01', '2025-06-01')).toEqual(await truth(bookId, 'America/Chicago', '2025-01-01', '2025-06-01'));
  });
});
