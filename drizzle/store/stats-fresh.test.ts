import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/databases.js';
import { storeOn } from '../../test/store-on.js';
import type { Database } from '../db.js';
import type { LedgerStore } from '../../domain/ports.js';
import type { StatDim, StatRow } from '../../domain/statistics/ports.js';
import { assertMinor } from '../../domain/money/money.js';
import { rowsOf } from './rows.js';
import { REFRESH_LOCK, drainStats } from './stats-rollup.js';

const text = (rows: StatRow[]) => rows.map((r) => `${r.dim}:${r.name ?? r.key}:${r.kind}:${r.currency}:${r.minor}:${r.count}`).sort();

/**
 * The read of the record path (budget alerts): `statTotals(…, { readOnly: true })` answers from
 * the rollup as it stands and the events of its dirty days, writing nothing and waiting for no
 * one, with the same figures as the read that patches the rollup first.
 */
describe.each(ENGINES)('read-only statistics on $engine', ({ engine, open }) => {
  let db!: Database;
  let store!: LedgerStore;
  let n = 0;
  storeOn(open, (d, s) => ((db = d), (store = s)));

  const marks = async (bookId: number) =>
    Number(rowsOf<{ n: string | number }>(await db.db.execute(sql`select count(*) as n from stat_dirty where book_id = ${bookId}`))[0]!.n);

  async function newBook(timezone: string) {
    const e = (await store.enter(
      { platform: 'telegram', chatId: `fresh-${++n}`, kind: 'group', title: `Fresh ${n}` },
      { platform: 'telegram', externalId: `fresh-user-${n}`, name: `Ann ${n}` },
      false,
      { currency: 'EUR', timezone, language: 'en' },
    ))!;
    const main = await store.createAccount(e.book.id, { name: 'Main', currency: 'EUR', openingMinor: 0 });
    const rec = (at: string, minor: number, labels: string[], kind: 'expense' | 'income' = 'expense', currency = 'EUR') =>
      store.record({
        bookId: e.book.id,
        kind,
        accountId: main.id,
        amountMinor: assertMinor(minor),
        currency,
        labels,
        note: '',
        authorId: e.user.id,
        occurredAt: new Date(at),
      });
    return { bookId: e.book.id, rec };
  }

  const SPANS = [
    ['2026-01-01', '2026-05-01'], // whole months, some with dirty days
    ['2026-02-01', '2026-03-01'], // one whole month with dirty days
    ['2026-03-01', '2026-04-01'], // one whole month without
    ['2026-02-14', '2026-02-21'], // days only
    ['2026-01-20', '2026-04-10'], // partial months either side
    ['2026-03-31', '2026-04-01'], // the day a record moved to
  ] as const;
  const DIMS: StatDim[] = ['t', 'l', 'a'];

  it('GIVEN a built rollup and then records, an edit across months, a deletion and a label merge WHEN read read-only THEN the figures equal the patched read and no mark was taken', async () => {
    const { bookId, rec } = await newBook('Asia/Kolkata'); // +5:30: an hour's mark touches two local days
    const seqs: number[] = [];
    for (let i = 0; i < 60; i++) {
      const day = 1 + ((i * 7) % 110);
      const at = new Date(Date.parse('2026-01-01T00:00:00Z') + day * 86_400_000 + ((i * 5) % 24) * 3_600_000 + 1_800_000).toISOString();
      seqs.push((await rec(at, 100 + i * 13, i % 3 === 0 ? ['food'] : i % 3 === 1 ? ['rent', 'fun'] : [], i % 5 === 0 ? 'income' : 'expense', i % 4 === 0 ? 'USD' : 'EUR')).event.seq);
    }
    await store.statTotals(bookId, '2026-01-01', '2026-06-01', ['t']); // the rollup starts
    await drainStats(db.db, bookId); // and the upkeep builds it
    expect(await marks(bookId)).toBe(0);

    await rec('2026-02-10T18:29:00Z', 7, ['food']); // 23:59 on the 10th
    await rec('2026-02-10T18:31:00Z', 11, ['fun']); // 00:01 on the 11th, same UTC hour
    await rec('2026-04-05T09:00:00Z', 13, ['rent'], 'income');
    await store.editEvent(bookId, seqs[3]!, { amountMinor: assertMinor(777) });
    await store.editEvent(bookId, seqs[4]!, { occurredAt: new Date('2026-03-31T12:00:00Z') });
    await store.editEvent(bookId, seqs[5]!, { labels: ['food', 'new'] });
    await store.setDeleted(bookId, seqs[6]!, true);
    const labels = await store.listLabels(bookId);
    const id = (name: string) => labels.find((l) => l.name === name)!.id;
    await store.mergeLabels(bookId, id('fun'), id('food'));
    const dirty = await marks(bookId);
    expect(dirty).toBeGreaterThan(0);

    const readOnly = new Map<string, string[]>();
    for (const [from, to] of SPANS) readOnly.set(`${from} ${to}`, text(await store.statTotals(bookId, from, to, DIMS, { readOnly: true })));
    expect(await marks(bookId)).toBe(dirty);
    for (const [from, to] of SPANS) expect(readOnly.get(`${from} ${to}`), `${from}…${to}`).toEqual(text(await store.statTotals(bookId, from, to, DIMS)));
    expect(await marks(bookId)).toBeLessThan(dirty);
  });

  it('GIVEN a book whose rollup was never built WHEN read read-only THEN the figures are exact and the next reads build on it', async () => {
    const { bookId, rec } = await newBook('Europe/Berlin');
    await rec('2026-03-31T21:59:59Z', 100, ['food']); // 23:59:59 CEST, 31 March
    await rec('2026-03-31T22:00:00Z', 20, ['food']); // 1 April
    const march = await store.statTotals(bookId, '2026-03-01', '2026-04-01', ['t', 'l'], { readOnly: true });
    expect(march.filter((r) => r.dim === 'l').map((r) => [r.name, r.minor])).toEqual([['food', 100]]);
    expect(text(await store.statTotals(bookId, '2026-04-01', '2026-05-01', ['t'], { readOnly: true }))).toEqual(['t:0:expense:EUR:20:1']);
  });

  it.runIf(engine === 'postgres')(
    'GIVEN the book’s rollup being patched (its refresh lock held) WHEN a record is read read-only THEN the read answers at once, with the record',
    async () => {
      const { bookId, rec } = await newBook('UTC');
      await rec('2026-11-02T10:00:00Z', 40, ['food']);
      await store.statTotals(bookId, '2026-11-01', '2026-12-01', ['t']); // built
      await rec('2026-11-03T10:00:00Z', 2, ['food']);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = db.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${REFRESH_LOCK}, ${bookId})`);
        locked();
        await held;
      });
      try {
        await isLocked;
        const read = store.statTotals(bookId, '2026-11-01', '2026-12-01', ['l'], { readOnly: true });
        const answer = await Promise.race([read, new Promise<'waited'>((r) => setTimeout(() => r('waited'), 3000))]);
        expect(answer === 'waited' ? answer : answer.map((r) => [r.name, r.minor])).toEqual([['food', 42]]);
      } finally {
        release();
        await holder;
      }
    },
  );
});
