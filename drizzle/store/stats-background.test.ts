import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/databases.js';
import type { Database } from '../db.js';
import type { LedgerStore } from '../../domain/ports.js';
import type { StatDim } from '../../domain/statistics/ports.js';
import type { ImportRow } from '../../domain/ledger/import-rows.js';
import { assertMinor } from '../../domain/money/money.js';
import { createStore } from './index.js';
import { rowsOf } from './rows.js';
import { drainStats } from './stats-rollup.js';
import { statsUpkeep } from './stats-upkeep.js';

/**
 * Issue 19: no read of statistics waits on a rebuild of the rollup. A read whose period holds
 * many changed days (a bulk import, a new timezone, a first read) is answered from the events;
 * the rollup is brought up to date by the upkeep in the background, a month per transaction.
 */
describe.each(ENGINES)('statistics without waiting for a rebuild on $engine', ({ open }) => {
  let db: Database;
  let store: LedgerStore;
  let n = 0;
  beforeAll(async () => {
    db = await open();
    store = createStore(db.db);
  });
  afterAll(async () => db?.close());

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

  it('GIVEN a book with statistics WHEN two years are imported at once THEN the next reads are exact without rebuilding, and the upkeep then brings the rollup up to date', async () => {
    const { bookId, userId } = await newBook('Europe/Berlin');
    await importRows(bookId, userId, rows('first', 3));
    await read(bookId, '2025-01-01', '2025-02-01');
    await statsUpkeep(db.db);
    expect(await marks(bookId)).toBe(0);
    const before = await rollupRows(bookId);

    const created = await importRows(bookId, userId, rows('bulk', 730));
    expect(created.created).toBe(1460);
    for (const [from, to] of [
      ['2025-03-01', '2025-04-01'],
      ['2025-01-01', '2026-01-01'],
      ['2026-12-24', '2027-01-01'],
    ] as const)
      expect(await read(bookId, from, to)).toEqual(await truth(bookId, 'Europe/Berlin', from, to));
    // Nothing was rebuilt for those reads: the rollup is as it was, its marks wait for the upkeep.
    expect(await rollupRows(bookId)).toBe(before);
    expect(await marks(bookId)).toBeGreaterThan(300);

    await statsUpkeep(db.db);
    expect(await marks(bookId)).toBe(0);
    expect(await rollupRows(bookId)).toBeGreaterThan(before);
    for (const [from, to] of [
      ['2025-01-01', '2026-01-01'],
      ['2025-12-31', '2026-01-02'],
    ] as const)
      expect(await read(bookId, from, to)).toEqual(await truth(bookId, 'Europe/Berlin', from, to));
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
    await importRows(bookId, userId, rows('drain', 120));
    await read(bookId, '2025-01-01', '2025-02-01'); // the first read: answered from the events, the rollup reset
    const [account] = await store.listAccounts(bookId);
    const drain = drainStats(db.db, bookId, { chunkDays: 3 });
    for (let i = 0; i < 5; i++) {
      await store.record({ bookId, kind: 'expense', accountId: account!.id, amountMinor: assertMinor(1 + i), currency: 'EUR', labels: ['rent'], note: '', authorId: userId, occurredAt: new Date(`2025-0${1 + i}-15T12:00:00Z`) });
      expect(await read(bookId, '2025-01-01', '2025-06-01')).toEqual(await truth(bookId, 'America/New_York', '2025-01-01', '2025-06-01'));
    }
    await drain;
    await drainStats(db.db, bookId); // what the next upkeep does with marks written meanwhile
    expect(await marks(bookId)).toBe(0);
    expect(await read(bookId, '2025-01-01', '2025-06-01')).toEqual(await truth(bookId, 'America/New_York', '2025-01-01', '2025-06-01'));
  });
});
