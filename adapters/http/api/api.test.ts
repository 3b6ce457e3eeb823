import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../app.js';
import { createMetrics } from '../../../app/metrics.js';
import { mountApi } from './api-app.js';
import { ANN, BOB, createApiKit, GROUP, seedFamily, type ApiKit } from '../../../test/api-kit.js';

let k: ApiKit;
let s: Awaited<ReturnType<typeof seedFamily>>;

beforeAll(async () => {
  k = await createApiKit();
  s = await seedFamily(k);
});
afterAll(async () => k?.close());

describe('books and accounts', () => {
  it('GIVEN Ann in two books THEN /books lists exactly those, with her role in each', async () => {
    const r = await k.req('GET', '/books', { token: s.ann });
    expect(r.status).toBe(200);
    expect(r.body.books.map((b: { id: number; role: string }) => [b.id, b.role])).toEqual([
      [s.annBook, 'owner'],
      [s.group, 'owner'],
    ]);
    const bob = await k.req('GET', '/books', { token: s.bob });
    expect(bob.body.books.map((b: { id: number; role: string }) => [b.id, b.role])).toContainEqual([s.group, 'member']);
    expect(bob.body.books.map((b: { id: number }) => b.id)).not.toContain(s.annBook);
  });

  it('GIVEN records in chat THEN accounts show the balances the chat shows', async () => {
    const r = await k.req('GET', `/books/${s.group}/accounts`, { token: s.bob });
    expect(r.status).toBe(200);
    expect(r.body.accounts).toEqual([
      { id: expect.any(Number), name: 'Main', currency: 'EUR', openingMinor: 0, balanceMinor: -4200, balance: '-42.00', isDefault: true },
    ]);
  });

  it('GIVEN labels used this month THEN /labels gives their month totals', async () => {
    const r = await k.req('GET', `/books/${s.group}/labels`, { token: s.ann });
    expect(r.status).toBe(200);
    expect(r.body.labels).toEqual([{ id: expect.any(Number), name: 'food', month: [{ currency: 'EUR', expenseMinor: 4200, incomeMinor: 0 }] }]);
    expect(r.body.period.label).toBe('November 2026');
  });

  it('GIVEN a token THEN /me names its user and token but never the secret', async () => {
    const r = await k.req('GET', '/me', { token: s.ann });
    expect(r.status).toBe(200);
    expect(r.body.token.name).toBe('test');
    expect(r.text).not.toContain(s.ann);
  });
});

describe('events', () => {
  it('GIVEN a structured expense THEN it is recorded, the balance moves, and chat /history shows it', async () => {
    const r = await k.req('POST', `/books/${s.group}/events`, {
      token: s.bob,
      json: { amount: '7.25', labels: ['#Food', 'snacks'], note: 'chips #notalabel @nobody 2026-01-01', date: '2026-11-23' },
    });
    expect(r.status).toBe(201);
    expect(r.body.event).toMatchObject({
      kind: 'expense',
      amountMinor: 725,
      amount: '7.25',
      labels: ['food', 'snacks'],
      note: 'chips #notalabel @nobody 2026-01-01',
      author: { name: 'Bob' },
    });
    expect(r.body.balances).toEqual([{ accountId: expect.any(Number), balanceMinor: -4925, balance: '-49.25' }]);
    expect(await k.h.say(ANN, '/history', GROUP)).toContain('chips #notalabel');
  });

  it('GIVEN a chat-style line THEN it is read like /income in chat', async () => {
    const r = await k.req('POST', `/books/${s.group}/events`, { token: s.ann, json: { line: '+100 #gift from grandma' } });
    expect(r.status).toBe(201);
    expect(r.body.event).toMatchObject({ kind: 'income', amountMinor: 10000, labels: ['gift'], note: 'from grandma' });
  });

  it('GIVEN the same Idempotency-Key twice THEN the event is recorded once', async () => {
    const send = () =>
      k.req('POST', `/books/${s.annBook}/events`, { token: s.ann, json: { amountMinor: 300, note: 'retry me' }, headers: { 'Idempotency-Key': 'abc-1' } });
    const first = await send();
    const again = await send();
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.event.seq).toBe(first.body.event.seq);
    const list = await k.req('GET', `/books/${s.annBook}/events?q=retry`, { token: s.ann });
    expect(list.body.events).toHaveLength(1);
  });

  it('GIVEN a transfer between two accounts THEN both balances move', async () => {
    await k.h.say(ANN, '/account add Savings EUR');
    const r = await k.req('POST', `/books/${s.annBook}/events`, { token: s.ann, json: { kind: 'transfer', amount: '10', account: 'Main', toAccount: 'savings' } });
    expect(r.status).toBe(201);
    expect(r.body.event).toMatchObject({ kind: 'transfer', toAccount: { name: 'Savings' }, toAmountMinor: 1000 });
    const acc = await k.req('GET', `/books/${s.annBook}/accounts`, { token: s.ann });
    expect(acc.body.accounts.find((a: { name: string }) => a.name === 'Savings').balanceMinor).toBe(1000);
  });

  it('GIVEN bad input THEN the answer names the problem like the chat does, and nothing is recorded', async () => {
    const before = await k.snapshot();
    const cases: [unknown, number, string][] = [
      [{ amount: '12.3456' }, 422, 'amount_too_precise'],
      [{ amount: '0' }, 422, 'amount_zero'],
      [{ amount: 'lots' }, 422, 'amount_invalid'],
      [{ amount: '5', account: 'Nope' }, 422, 'account_unknown'],
      [{ amount: '5', date: '2026-02-30' }, 422, 'date_invalid'],
      [{ amount: '5', labels: ['two words'] }, 422, 'label_invalid'],
      [{ amountMinor: 1.5 }, 400, 'invalid_request'],
      [{ amount: '5', amountMinor: 500 }, 400, 'invalid_request'],
      [{ amount: '5', colour: 'red' }, 400, 'invalid_request'],
      [{ line: '5 coffee', note: 'x' }, 400, 'invalid_request'],
    ];
    for (const [json, status, code] of cases) {
      const r = await k.req('POST', `/books/${s.annBook}/events`, { token: s.ann, json });
      expect([JSON.stringify(json), r.status, r.body.error]).toEqual([JSON.stringify(json), status, code]);
      expect(typeof r.body.message).toBe('string');
    }
    expect(await k.snapshot()).toBe(before);
  });

  it('GIVEN a viewer THEN reading works and writing is forbidden without any change', async () => {
    expect((await k.req('GET', `/books/${s.group}/events`, { token: s.vic })).status).toBe(200);
    const before = await k.snapshot();
    const w = await k.req('POST', `/books/${s.group}/events`, { token: s.vic, json: { amount: '1' } });
    expect(w.status).toBe(403);
    expect(w.body).toEqual({ error: 'forbidden', message: expect.stringContaining('viewer') });
    const d = await k.req('DELETE', `/books/${s.group}/events/1`, { token: s.vic });
    expect(d.status).toBe(403);
    expect(await k.snapshot()).toBe(before);
  });

  it('GIVEN Bob (member) THEN he may delete his own event but not Ann’s', async () => {
    const mine = await k.req('POST', `/books/${s.group}/events`, { token: s.bob, json: { amount: '2', note: 'bob-delete-me' } });
    const annsSeq = (await k.req('GET', `/books/${s.group}/events?q=groceries`, { token: s.bob })).body.events[0].seq;
    const refused = await k.req('DELETE', `/books/${s.group}/events/${annsSeq}`, { token: s.bob });
    expect([refused.status, refused.body.error]).toEqual([403, 'event_not_yours']);
    const del = await k.req('DELETE', `/books/${s.group}/events/${mine.body.event.seq}`, { token: s.bob });
    expect(del.status).toBe(200);
    expect(del.body.event.deleted).toBe(true);
    expect((await k.req('GET', `/books/${s.group}/events/${mine.body.event.seq}`, { token: s.bob })).status).toBe(404);
    expect((await k.req('DELETE', `/books/${s.group}/events/${mine.body.event.seq}`, { token: s.bob })).status).toBe(404);
  });

  it('GIVEN filters THEN only matching events come back', async () => {
    const get = async (q: string) =>
      (await k.req('GET', `/books/${s.group}/events?${q}`, { token: s.ann })).body.events.map((e: { note: string }) => e.note);
    expect(await get('label=%23food')).toEqual(expect.arrayContaining(['groceries', 'pizza']));
    expect(await get('label=gift')).toEqual(['from grandma']);
    expect(await get('kind=income')).toEqual(['from grandma']);
    expect(await get('q=PIZ')).toEqual(['pizza']);
    expect(await get('q=%25')).toEqual([]);
    expect(await get('from=2026-11-23&to=2026-11-23')).toEqual(['chips #notalabel @nobody 2026-01-01']);
    expect(await get('period=last-month')).toEqual([]);
    const bad = await k.req('GET', `/books/${s.group}/events?account=Nope`, { token: s.ann });
    expect([bad.status, bad.body.error]).toEqual([422, 'account_unknown']);
    const both = await k.req('GET', `/books/${s.group}/events?period=month&from=2026-11-01`, { token: s.ann });
    expect(both.status).toBe(400);
  });

  it('GIVEN backdated events THEN cursor pages cover every event once, newest first', async () => {
    await k.h.say(BOB, '/start');
    const book = await k.bookId(`p-${BOB.id}`);
    const dates = ['2026-11-20', '2026-11-24', '2026-10-01', '2026-11-20', '2026-11-22', '2026-11-24', '2026-09-15'];
    for (const [i, d] of dates.entries()) await k.h.say(BOB, `/spend ${i + 1} ${d} n${i + 1}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const r = await k.req('GET', `/books/${book}/events?limit=3${q}`, { token: s.bob });
      expect(r.status).toBe(200);
      seen.push(...r.body.events.map((e: { note: string }) => e.note));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    // Newest first by date; same date: later record first.
    expect(seen).toEqual(['n6', 'n2', 'n5', 'n4', 'n1', 'n3', 'n7']);
    expect(pages).toBe(3);
    const junk = await k.req('GET', `/books/${book}/events?cursor=not-a-cursor`, { token: s.bob });
    expect(junk.status).toBe(400);
  });
});

describe('OpenAPI', () => {
  it('describes every route with its security and error shape, and serves a docs page', async () => {
    const doc = await k.req('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/me', '/books', '/books/{bookId}', '/books/{bookId}/accounts', '/books/{bookId}/labels', '/books/{bookId}/events', '/books/{bookId}/events/{seq}']),
    );
    expect(doc.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.body.paths['/books/{bookId}/events'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.body.components.schemas.Error).toBeDefined();
    const docs = await k.req('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('/api/v1/docs/init.js');
    expect((await k.req('GET', '/docs/init.js')).text).toContain('/api/v1/openapi.json');
  });
});

describe('mounted on the HTTP app', () => {
  it('GIVEN the app main.ts builds THEN the API, /health and unknown paths answer as they should', async () => {
    const app = createHttpApp({
      logger: k.logger,
      metrics: createMetrics(),
      pingDatabase: k.h.database.ping,
      mount: (a) => mountApi(a, { store: k.h.services.store, clock: k.h.clock, logger: k.logger }),
    });
    const books = await app.request('/api/v1/books', { headers: { authorization: `Bearer ${s.ann}` } });
    expect(books.status).toBe(200);
    expect(books.headers.get('cache-control')).toBe('no-store');
    expect(books.headers.get('ratelimit-limit')).toBe('2000');
    expect((await app.request('/api/v1/books')).status).toBe(401);
    const unknown = await app.request('/api/v1/nope', { headers: { authorization: `Bearer ${s.ann}` } });
    expect([unknown.status, (await unknown.json()).error]).toEqual([404, 'not_found']);
    expect((await app.request('/health')).status).toBe(200);
  });
});

describe('one record path', () => {
  it('GIVEN the line "90 #dinner split" THEN the API splits it 45/45 as the chat does, instead of keeping "split" as the note', async () => {
    const r = await k.req('POST', `/books/${s.group}/events`, { token: s.ann, json: { line: '90 #dinner split' } });
    expect(r.status).toBe(201);
    expect(r.body.event).toMatchObject({ kind: 'expense', amountMinor: 9000, labels: ['dinner'], note: '' });
    const shared = (await k.h.services.store.sharedEvents(s.group)).find((e) => e.seq === r.body.event.seq);
    expect(shared?.shares.map((x) => x.minor)).toEqual([4500, 4500]);
    expect(await k.h.say(BOB, '/balances', GROUP)).toContain('Bob → Ann');
  });
});
