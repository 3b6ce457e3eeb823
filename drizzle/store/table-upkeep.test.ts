import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMinor } from '../../domain/money/money.js';
import { ENGINES } from '../../test/databases.js';
import type { Database } from '../db.js';
import { createStore } from './index.js';
import { rowsOf } from './rows.js';
import { tableUpkeep } from './table-upkeep.js';

/**
 * Embedded PGlite has no autovacuum: the minute sweep runs `tableUpkeep`, which vacuums and
 * analyses the tables autovacuum would, with its thresholds. The same function on PostgreSQL.
 */
describe.each(ENGINES)('table upkeep on $engine', ({ open }) => {
  let db: Database;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => db?.close());

  const stats = async (table: string) => {
    // A backend reports its counts at most once a second (PGlite too, before its next statement).
    await new Promise((r) => setTimeout(r, 1_100));
    await db.db.execute(sql`select 1`);
    await db.db.execute(sql`select pg_stat_clear_snapshot()`);
    const [r] = rowsOf<{ dead: number; analysed: boolean }>(
      await db.db.execute(sql`select n_dead_tup::int as dead, (last_analyze is not null or last_autoanalyze is not null) as analysed from pg_stat_user_tables where relname = ${table}`),
    );
    return r!;
  };

  it('GIVEN 400 records and 1,000 forgotten update ids THEN a run analyses the events and vacuums the deleted rows; the next run has nothing to do', async () => {
    const store = createStore(db.db);
    const book = await store.resolveChat({ platform: 'console', chatId: 'upkeep', kind: 'private', title: 'upkeep' }, { currency: 'EUR', timezone: 'UTC', language: 'en' });
    const user = await store.resolveUser({ platform: 'console', externalId: 'upkeep', name: 'Ann' });
    const cash = await store.createAccount(book.id, { name: 'Cash', currency: 'EUR', openingMinor: 0 });
    for (let i = 0; i < 400; i++)
      await store.record({ bookId: book.id, kind: 'expense', accountId: cash.id, amountMinor: assertMinor(100 + i), currency: 'EUR', labels: ['food'], note: `n${i}`, authorId: user.id, occurredAt: new Date() });
    // A week of update ids forgotten by the housekeeping: 1,000 deleted rows.
    await db.db.execute(sql`insert into processed_updates (key) select 'k' || g from generate_series(1, 1000) g`);
    await db.db.execute(sql`delete from processed_updates`);
    expect((await stats('events')).analysed).toBe(false);
    expect((await stats('processed_updates')).dead).toBeGreaterThan(500);
    const first = await tableUpkeep(db.db);
    expect(first.vacuumed).toContain('processed_updates');
    expect([...first.vacuumed, ...first.analysed]).toContain('events');
    expect(await stats('events')).toMatchObject({ analysed: true });
    expect((await stats('processed_updates')).dead).toBe(0);
    expect(await tableUpkeep(db.db)).toEqual({ vacuumed: [], analysed: [] });
    // The ledger is as it was.
    const [{ n, balance }] = rowsOf<{ n: number; balance: string }>(
      await db.db.execute(sql`select (select count(*)::int from events where book_id = ${book.id}) as n, (select balance_minor::text from accounts where id = ${cash.id}) as balance`),
    ) as [{ n: number; balance: string }];
    expect(n).toBe(400);
    expect(Number(balance)).toBe(-(400 * 100 + (399 * 400) / 2));
  });
});
