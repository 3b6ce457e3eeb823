import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../drizzle/store/rows.js';
import { ANN, createApiKit, type ApiKit } from '../../../test/api-kit.js';

/**
 * The Idempotency-Key lives on the event row itself (`events.source_key`, unique per book), written
 * by the one statement that records: a crash can never keep the key without the event or the event
 * without the key, and a retry sent while the first request is still in flight waits for it on
 * the unique index and answers with the same event (200), never a second one.
 */
describe('API Idempotency-Key: retries in flight (real PostgreSQL)', () => {
  let k: ApiKit;
  let book: number;
  let token: string;
  beforeAll(async () => {
    k = await createApiKit();
    await k.h.say(ANN, '/start');
    book = await k.bookId(`p-${ANN.id}`);
    token = await k.tokenFor(ANN);
  });
  afterAll(async () => k?.close());

  it('GIVEN eight requests with one key at the same moment THEN one event is recorded, one 201 and seven 200 with that same event', async () => {
    const send = () =>
      k.req('POST', `/books/${book}/events`, { token, json: { amount: '9.99', labels: ['taxi'] }, headers: { 'Idempotency-Key': 'client-retry-1' } });
    const answers = await Promise.all(Array.from({ length: 8 }, send));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.event.seq)).size).toBe(1);
    const [n] = rowsOf<{ n: number; balance: string }>(
      await k.h.database.db.execute(sql`
        select (select count(*)::int from events where book_id = ${book}) as n,
               (select balance_minor::text from accounts where book_id = ${book} limit 1) as balance`),
    );
    expect(n).toEqual({ n: 1, balance: '-999' });
  });

  it('GIVEN different keys at the same moment THEN each is recorded once with its own #N, without gaps', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        k.req('POST', `/books/${book}/events`, { token, json: { amountMinor: 100 + i }, headers: { 'Idempotency-Key': `parallel-${i}` } }),
      ),
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(answers.map((a) => a.body.event.seq).sort((x: number, y: number) => x - y)).toEqual([2, 3, 4, 5, 6, 7]);
  });
});
