import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDatabase } from '../test/databases.js';
import { openPostgres, type Database } from './db.js';

/**
 * A transaction whose statements wait while the connection describes a statement new to it
 * (drizzle/postgres-mends.mjs, mend 2): once it may send again, the waiting statements go out
 * together, not one answer after another (twenty chats signing up in one inbox batch were twenty
 * round trips in a row).
 */
describe('statements of one transaction queued behind a new statement', () => {
  let empty: Awaited<ReturnType<typeof emptyDatabase>>;
  let database: Database;
  /** For each statement carrying the marker as it is sent: how many of them were answered then. */
  let answeredAtSend: number[] = [];
  let answered = 0;
  const marker = 'pipelined_probe';

  beforeAll(async () => {
    empty = await emptyDatabase();
    // One connection, so every statement of the test meets it (and its statement cache).
    database = await openPostgres(empty.url, { max: 1, debug: (_c, q) => void (q.includes(marker) && answeredAtSend.push(answered)) });
  });
  afterAll(async () => {
    await database?.close();
    await empty?.drop();
  });

  it('GIVEN twenty statements asked at once in a transaction, the first new to the connection, THEN all are sent before any is answered', async () => {
    for (const round of [1, 2]) {
      answeredAtSend = [];
      answered = 0;
      const results = await database.db.transaction(async (tx) =>
        Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            // A text new to the connection each round: the first of them is described first.
            tx.execute(sql`select ${i}::int + ${round}::int as n, ${sql.raw(`'${marker}_${round}'`)} as m`).then((r) => {
              answered++;
              return (r as unknown as { n: number }[])[0]!.n;
            }),
          ),
        ),
      );
      // Every answer belongs to its own statement, in order.
      expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i + round));
      expect(answeredAtSend).toHaveLength(20);
      // Unmended, statement k was sent only after statement k − 1 was answered (up to 18 answered).
      expect(Math.max(...answeredAtSend)).toBe(0);
    }
  });

  it('GIVEN a statement that fails among them THEN the transaction rolls back and the others are not kept', async () => {
    await database.db.execute(sql`create table if not exists pipelined_probe_t (n int primary key)`);
    const attempt = database.db.transaction(async (tx) =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) => tx.execute(sql`insert into pipelined_probe_t (n) values (${i === 6 ? 3 : i}::int)`)),
      ),
    );
    await expect(attempt).rejects.toMatchObject({ cause: { code: '23505' } }); // unique violation
    const [{ n }] = (await database.db.execute(sql`select count(*)::int as n from pipelined_probe_t`)) as unknown as [{ n: number }];
    expect(n).toBe(0);
  });
});
