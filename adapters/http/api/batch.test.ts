import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../drizzle/store/rows.js';
import { ANN, BOB, createApiKit, GROUP, seedFamily, type ApiKit } from '../../../test/api-kit.js';

/**
 * `POST /books/{id}/events/batch` (issue 19): up to 1,000 events in one transaction, a result per
 * item, an idempotency key per item, scoped to the token's book and role — on both engines.
 */
describe.each(['postgres', 'pglite'] as const)('API batch on %s', (engine) => {
  let k: ApiKit;
  let s: Awaited<ReturnType<typeof seedFamily>>;
  beforeAll(async () => {
    k = await createApiKit({ engine });
    s = await seedFamily(k);
    await k.h.say(ANN, '/account add Card EUR', GROUP);
    await k.h.say(ANN, '/account add Dinars BHD');
  });
  afterAll(async () => k?.close());

  const batch = (book: number, events: unknown[], o: { token?: string; query?: string } = {}) =>
    k.req('POST', `/books/${book}/events/batch${o.query ?? ''}`, { token: o.token ?? s.ann, json: { events } });
  const count = async (book: number) =>
    rowsOf<{ n: number }>(await k.h.database.db.execute(sql`select count(*)::int as n from events where book_id = ${book}`))[0]!.n;

  it('GIVEN good and bad items THEN each answers for itself: the good ones recorded in order with their #N, the bad ones refused with the reason', async () => {
    const before = await count(s.group);
    const r = await batch(s.group, [
      { amount: '7.25', labels: ['food'], note: 'market', date: '2026-11-20' },
      { kind: 'income', amountMinor: 50_000, note: 'salary' },
      { amount: '3', account: 'Nowhere' },
      { amount: '12.505' },
      { kind: 'transfer', amount: '20', account: 'Main', toAccount: 'Card' },
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: 3, replayed: 0, failed: 2 });
    expect(r.body.items.map((x: { status: number }) => x.status)).toEqual([201, 201, 422, 422, 201]);
    expect(r.body.items[2]).toMatchObject({ index: 2, error: 'account_unknown', message: expect.stringContaining('Nowhere') });
    expect(r.body.items[3]).toMatchObject({ index: 3, error: 'amount_too_precise' });
    const seqs = [0, 1, 4].map((i) => r.body.items[i].seq);
    expect(seqs).toEqual([seqs[0], seqs[0] + 1, seqs[0] + 2]);
    expect(await count(s.group)).toBe(before + 3);
    // Balances in the answer are what the book now shows, in the chat too.
    const accounts = (await k.req('GET', `/books/${s.group}/accounts`, { token: s.ann })).body.accounts;
    for (const b of r.body.balances) expect(accounts.find((x: { id: number }) => x.id === b.accountId).balanceMinor).toBe(b.balanceMinor);
    expect(await k.h.say(ANN, '/history 3', GROUP)).toContain('salary');
  });

  it('GIVEN keys per item THEN a resent batch records nothing twice, a key reused with other fields is refused alone, and a key repeated inside a batch records once', async () => {
    const items = [
      { key: 'bank-1', amount: '1.10', labels: ['bank'] },
      { key: 'bank-2', amount: '2.20', labels: ['bank'] },
    ];
    const first = await batch(s.annBook, items);
    expect(first.body.items.map((x: { status: number }) => x.status)).toEqual([201, 201]);
    const snapshot = await k.snapshot();
    const again = await batch(s.annBook, items);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: 0, replayed: 2, failed: 0 });
    expect(again.body.items.map((x: { seq: number; key: string }) => [x.seq, x.key])).toEqual(first.body.items.map((x: { seq: number; key: string }) => [x.seq, x.key]));
    expect(await k.snapshot()).toBe(snapshot);

    const mixed = await batch(s.annBook, [
      { key: 'bank-1', amount: '9.99', labels: ['bank'] },
      { key: 'bank-3', amount: '3.30' },
      { key: 'bank-3', amount: '3.30' },
      { key: 'bank-3', amount: '4.40' },
    ]);
    expect(mixed.body.items.map((x: { status: number }) => x.status)).toEqual([422, 201, 200, 422]);
    expect(mixed.body.items[0].error).toBe('idempotency_mismatch');
    expect(mixed.body.items[2].seq).toBe(mixed.body.items[1].seq);

    // The same key namespace as the Idempotency-Key header of a single record.
    const single = await k.req('POST', `/books/${s.annBook}/events`, {
      token: s.ann,
      json: { amount: '2.20', labels: ['bank'] },
      headers: { 'Idempotency-Key': 'bank-2' },
    });
    expect(single.status).toBe(200);
    expect(single.body.event.seq).toBe(first.body.items[1].seq);
  });

  it('GIVEN 1,001 events THEN the batch is refused whole with a message saying the limit, and nothing changes', async () => {
    const snapshot = await k.snapshot();
    const r = await batch(s.annBook, Array.from({ length: 1_001 }, (_, i) => ({ amountMinor: i + 1 })));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'batch_too_large', max: 1000, got: 1001 });
    expect(r.body.message).toContain('at most 1,000 events; this one has 1,001');
    expect(await k.snapshot()).toBe(snapshot);
  });

  it('GIVEN 1,000 events THEN all are recorded in one go with consecutive numbers', async () => {
    const before = await count(s.annBook);
    const r = await batch(s.annBook, Array.from({ length: 1_000 }, (_, i) => ({ amountMinor: i + 1, labels: [`l${i % 7}`], key: `bulk-${i}` })));
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(1_000);
    const seqs = r.body.items.map((x: { seq: number }) => x.seq);
    expect(seqs).toEqual(Array.from({ length: 1_000 }, (_, i) => seqs[0] + i));
    expect(await count(s.annBook)).toBe(before + 1_000);
  });

  it('GIVEN malformed items THEN each is refused alone with the field named, and a line is pointed to the fields', async () => {
    const r = await batch(s.annBook, [{ amount: 12 }, { line: '5 #coffee' }, { amount: '1', colour: 'red' }, 'text', { amount: '0.50', note: 'ok' }]);
    expect(r.status).toBe(200);
    expect(r.body.items.map((x: { status: number }) => x.status)).toEqual([400, 400, 400, 400, 201]);
    expect(r.body.items[0].message).toMatch(/^events\.0\.amount: /);
    expect(r.body.items[1].message).toContain('not line');
    expect(r.body.items[2].message).toContain('colour');
  });

  it('GIVEN ?atomic=true and one refused item THEN nothing is written: 422, the refused item says why, the others say they were not written', async () => {
    const snapshot = await k.snapshot();
    const r = await batch(s.annBook, [{ amount: '1' }, { amount: '2', account: 'Nowhere' }, { amount: 'x' }], { query: '?atomic=true' });
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('batch_refused');
    expect(r.body.items.map((x: { status: number }) => x.status)).toEqual([409, 422, 422]);
    expect(await k.snapshot()).toBe(snapshot);
    const ok = await batch(s.annBook, [{ amount: '1' }, { amount: '2' }], { query: '?atomic=true' });
    expect(ok.body.created).toBe(2);
  });

  it('GIVEN a batch that would take a balance beyond 2^53 minor units THEN the whole batch is refused and nothing is written (one transaction)', async () => {
    const snapshot = await k.snapshot();
    const r = await batch(s.annBook, [
      { amount: '5' },
      ...Array.from({ length: 10 }, () => ({ amount: '999999999999.999', account: 'Dinars' })),
    ]);
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('balance_out_of_range');
    expect(await k.snapshot()).toBe(snapshot);
  });

  it('GIVEN a token of another book, a viewer or no token THEN refused (404, 403, 401) and nothing is written; a member records as themself', async () => {
    const snapshot = await k.snapshot();
    expect((await batch(s.group, [{ amount: '1' }], { token: s.eve })).status).toBe(404);
    expect((await batch(s.eveBook, [{ amount: '1' }], { token: s.ann })).status).toBe(404);
    expect((await batch(s.group, [{ amount: '1' }], { token: s.vic })).status).toBe(403);
    expect((await k.req('POST', `/books/${s.group}/events/batch`, { json: { events: [{ amount: '1' }] } })).status).toBe(401);
    expect(await k.snapshot()).toBe(snapshot);
    const bob = await batch(s.group, [{ amount: '4', note: 'bob batch' }], { token: s.bob });
    expect(bob.body.created).toBe(1);
    const ev = await k.req('GET', `/books/${s.group}/events/${bob.body.items[0].seq}`, { token: s.ann });
    expect(ev.body.event.author).toMatchObject({ name: BOB.name });
  });

  it('GIVEN the OpenAPI document THEN the batch is described: its body, its item with a key, and the per-item results', async () => {
    const doc = (await k.req('GET', '/openapi.json')).body;
    const op = doc.paths['/books/{bookId}/events/batch'].post;
    expect(op.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/NewEventBatch');
    expect(op.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/BatchResult');
    expect(doc.components.schemas.NewBatchEvent.properties.key).toBeDefined();
    expect(doc.components.schemas.NewEventBatch.properties.events.maxItems).toBe(1000);
    expect(op.description).toContain('1,000');
  });

  it('GIVEN a body that is not a batch THEN 400 with what to send', async () => {
    for (const json of [[], {}, { events: [] }, { events: {} }, { events: [{ amount: '1' }], extra: 1 }]) {
      const r = await k.req('POST', `/books/${s.annBook}/events/batch`, { token: s.ann, json });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/events/);
    }
    const bad = await k.req('POST', `/books/${s.annBook}/events/batch`, { token: s.ann, body: '{"events": [', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_json');
  });
});

describe('API rate limit counted in events', () => {
  let k: ApiKit;
  let s: Awaited<ReturnType<typeof seedFamily>>;
  beforeAll(async () => {
    // A frozen clock: the bucket never refills during the test.
    k = await createApiKit({ rateLimit: { capacity: 10, refillPerSecond: 1, now: () => 0 } });
    s = await seedFamily(k);
  });
  afterAll(async () => k?.close());

  it('GIVEN a bucket of 10 THEN a batch of 6 costs 6, a batch of 5 more is refused whole with what it costs, and a single request costs 1', async () => {
    const six = await k.req('POST', `/books/${s.annBook}/events/batch`, { token: s.ann, json: { events: Array.from({ length: 6 }, () => ({ amount: '1' })) } });
    expect(six.status).toBe(200);
    expect(six.headers.get('ratelimit-limit')).toBe('10');
    expect(six.headers.get('ratelimit-remaining')).toBe('4');
    expect(Number(six.headers.get('ratelimit-reset'))).toBe(6);

    const snapshot = await k.snapshot();
    const five = await k.req('POST', `/books/${s.annBook}/events/batch`, { token: s.ann, json: { events: Array.from({ length: 5 }, () => ({ amount: '1' })) } });
    expect(five.status).toBe(429);
    expect(five.body).toMatchObject({ error: 'rate_limited', cost: 5, remaining: 4 });
    expect(five.body.message).toContain('5 events and 4 are left');
    expect(Number(five.headers.get('retry-after'))).toBe(1);
    expect(await k.snapshot()).toBe(snapshot);

    const one = await k.req('POST', `/books/${s.annBook}/events`, { token: s.ann, json: { amount: '1' } });
    expect(one.status).toBe(201);
    expect(one.headers.get('ratelimit-remaining')).toBe('3');
    expect((await k.req('GET', '/books', { token: s.ann })).headers.get('ratelimit-remaining')).toBe('2');
    // Another token has its own bucket.
    expect((await k.req('GET', '/books', { token: s.bob })).headers.get('ratelimit-remaining')).toBe('9');
  });

  it('GIVEN a batch larger than the whole burst THEN 413 saying how many fit, not a 429 that could never pass', async () => {
    const snapshot = await k.snapshot();
    const r = await k.req('POST', `/books/${s.eveBook}/events/batch`, { token: s.eve, json: { events: Array.from({ length: 11 }, () => ({ amount: '1' })) } });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: 'batch_too_large', max: 10, got: 11 });
    expect(r.body.message).toContain('send at most 10 per request');
    expect(await k.snapshot()).toBe(snapshot);
  });
});
