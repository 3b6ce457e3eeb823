import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparedPglite, type PreparedPglite } from './pglite-statements.js';

/** The prepared client against PGlite's own `query`, on the same in-memory database. */
describe('PGlite statements kept prepared', () => {
  let pg: PGlite;
  let client: PreparedPglite;
  beforeAll(async () => {
    pg = await PGlite.create('memory://');
    client = preparedPglite(pg, { max: 3 });
    await pg.exec(`create table t (id int primary key, note text, at timestamptz, doc jsonb, big bigint, tags text[])`);
  });
  afterAll(() => pg.close());

  const prepared = async () => (await pg.query<{ n: number }>(`select count(*)::int as n from pg_prepared_statements`)).rows[0]!.n;

  it('GIVEN one statement used again and again THEN each answer equals PGlite’s own, from the second use on through one prepared statement', async () => {
    const insert = `insert into t (id, note, at, doc, big, tags) values ($1, $2, $3, $4, $5, $6) returning *`;
    const rows = [
      [1, 'coffee', new Date('2026-12-06T10:00:00Z'), JSON.stringify({ a: 1 }), 9007199254740991n, ['x', 'y']],
      [2, null, null, null, null, null],
      [3, 'tea, "quoted"', '2026-12-06 11:00:00+00', JSON.stringify([1, 'two']), '42', []],
    ];
    for (const r of rows) {
      const mine = await client.transaction(async (tx) => {
        const res = await tx.query(insert, r);
        await tx.rollback();
        return res;
      });
      const theirs = await pg.transaction(async (tx) => {
        const res = await tx.query(insert, r);
        await tx.rollback();
        return res;
      });
      expect(mine.rows).toEqual(theirs.rows);
      expect(mine.fields).toEqual(theirs.fields);
      expect(mine.affectedRows).toBe(theirs.affectedRows);
    }
    for (const r of rows) await client.query(insert, r);
    const select = `select * from t where id = any($1::int[]) order by id`;
    for (let i = 0; i < 3; i++) expect((await client.query(select, [[1, 3]])).rows).toEqual((await pg.query(select, [[1, 3]])).rows);
    expect((await client.query(select, [[1]], { rowMode: 'array' })).rows).toEqual((await pg.query(select, [[1]], { rowMode: 'array' })).rows);
    expect(client.prepared).toBeGreaterThan(0);
  });

  it('GIVEN a prepared insert that breaks a constraint THEN the error is PostgreSQL’s, named with its query, and the transaction rolls back', async () => {
    const insert = `insert into t (id, note) values ($1, $2)`;
    await client.query(insert, [10, 'a']);
    await client.query(insert, [11, 'b']); // prepared from here on
    const err = await client.query(insert, [10, 'again']).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23505', query: insert, params: [10, 'again'] });
    await expect(
      client.transaction(async (tx) => {
        await tx.query(insert, [12, 'in the transaction']);
        await tx.query(insert, [10, 'clash']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await client.query(`select count(*)::int as n from t where id = $1`, [12])).rows).toEqual([{ n: 0 }]);
    // The statement still works after the failures.
    await client.query(insert, [13, 'c']);
    expect((await pg.query(`select note from t where id = 13`)).rows).toEqual([{ note: 'c' }]);
  });

  it('GIVEN a query outside a transaction while one is open THEN it waits for it and never runs inside it', async () => {
    const insert = `insert into t (id, note) values ($1, $2)`;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = client.transaction(async (t) => {
      await t.query(insert, [20, 'rolled back']);
      await held;
      await t.rollback();
    });
    await new Promise((r) => setTimeout(r, 20));
    const outside = client.query(insert, [21, 'kept']);
    release();
    await tx;
    await outside;
    expect((await pg.query(`select id from t where id in (20, 21) order by id`)).rows).toEqual([{ id: 21 }]);
  });

  it('GIVEN more statements than it keeps THEN the least recently used are closed and every answer stays right', async () => {
    for (let round = 0; round < 3; round++)
      for (let k = 0; k < 6; k++) expect((await client.query(`select $1::int + ${k} as v`, [round])).rows).toEqual([{ v: round + k }]);
    expect(client.prepared).toBeLessThanOrEqual(3);
    expect(await prepared()).toBeLessThanOrEqual(4); // the closes of the last eviction go with the next call
  });

  it('GIVEN a table changed under a prepared `select *` THEN the next call outside a transaction answers with the new columns', async () => {
    const select = `select * from t where id = $1`;
    await client.query(select, [1]);
    await client.query(select, [1]);
    await pg.exec(`alter table t add column extra int default 7`);
    expect((await client.query<{ extra: number }>(select, [1])).rows[0]!.extra).toBe(7);
  });
});
