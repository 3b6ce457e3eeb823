import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMinor } from '../../../domain/money/money.js';
import { ANN, createApiKit, seedFamily, type ApiKit } from '../../../test/api-kit.js';

/** Issue 13: amounts, balances, dates and keys the API must refuse with a 4xx, changing nothing. */
let k: ApiKit;
let s: Awaited<ReturnType<typeof seedFamily>>;

beforeAll(async () => {
  k = await createApiKit({ rateLimit: false });
  s = await seedFamily(k);
  await k.h.say(ANN, '/account add Dinars BHD');
});
afterAll(async () => k?.close());

const post = (json: unknown, headers: Record<string, string> = {}) => k.req('POST', `/books/${s.annBook}/events`, { token: s.ann, json, headers });

describe('GIVEN amounts with more decimals than the currency (item 1)', () => {
  it('THEN "12.505" in EUR is 422 and nothing is recorded', async () => {
    const before = await k.snapshot();
    const r = await post({ amount: '12.505' });
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('amount_too_precise');
    expect(await k.snapshot()).toBe(before);
  });

  it('THEN "1,500" (a thousands reading or a decimal one) is refused too, and "1500" or "12.50" are fine', async () => {
    expect((await post({ amount: '1,500' })).status).toBe(422);
    expect((await post({ amount: '12.50' })).status).toBe(201);
  });
});

describe('GIVEN records that would push a balance beyond 2^53 minor units (item 11)', () => {
  it('THEN the record that would overflow is refused with 422, nothing is stored, and the book stays readable', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await post({ amount: '999999999999.999', account: 'Dinars' })).status);
    expect(statuses).toEqual(Array(9).fill(201));
    const before = await k.snapshot();
    const tenth = await post({ amount: '999999999999.999', account: 'Dinars' });
    expect(tenth.status).toBe(422);
    expect(tenth.body.error).toBe('balance_out_of_range');
    expect(await k.snapshot()).toBe(before);
    const accounts = await k.req('GET', `/books/${s.annBook}/accounts`, { token: s.ann });
    expect(accounts.status).toBe(200);
    expect(accounts.body.accounts.find((a: { name: string }) => a.name === 'Dinars').balance).toBe('-8999999999999.991');
    expect(await k.h.say(ANN, '/accounts')).toContain('−8,999,999,999,999.991 BHD');
    expect((await k.req('GET', `/books/${s.annBook}/stats?period=month`, { token: s.ann })).status).toBe(200);
  });

  it('THEN minor units above 10^12 major are refused (amountMinor)', async () => {
    const r = await post({ amountMinor: 100_000_000_000_001 });
    expect(r.status).toBe(422);
    expect(r.body.error).toBe('amount_too_large');
  });
});

describe('GIVEN dates outside 1900–2199 (item 12)', () => {
  it.each([
    ['events?from=0000-01-01', 'GET'],
    ['events?from=2026-01-01T00:00:00Z&to=9999-12-31T00:00:00Z', 'GET'],
    ['events?period=1899-12', 'GET'],
    ['stats?period=0001-01-01..9999-12-31', 'GET'],
    ['export.csv?period=2026-01-01..9999-12-31', 'GET'],
    ['charts/bars?period=0001', 'GET'],
  ])('THEN %s answers a 4xx that says so, never a 500 or a 200', async (path, method) => {
    const r = await k.req(method, `/books/${s.annBook}/${path}`, { token: s.ann });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.text).toMatch(/1900|period|date/i);
  });

  it('THEN an event dated 0000-01-01 or 2200-01-01 is 422 and nothing is stored', async () => {
    const before = await k.snapshot();
    for (const date of ['0000-01-01', '2200-01-01', '1899-12-30T12:00:00Z']) {
      const r = await post({ amount: '1', date });
      expect(r.status).toBe(422);
    }
    expect(await k.snapshot()).toBe(before);
  });

  it('THEN "yesterday" records at 12:00 book time, as the chat does (rough edges)', async () => {
    k.h.clock.set('2026-11-24T08:30:00Z');
    try {
      const r = await post({ amount: '2', date: 'yesterday' });
      expect(r.status).toBe(201);
      expect(r.body.event.occurredAt).toBe('2026-11-23T12:00:00.000Z');
    } finally {
      k.h.clock.set('2026-11-24T12:00:00Z');
    }
  });
});

describe('GIVEN an Idempotency-Key (item 13)', () => {
  it('THEN a retry with the same body answers the first event, and the same key with another body is 422', async () => {
    const key = { 'idempotency-key': 'order-13' };
    const first = await post({ amount: '7.00', note: 'first' }, key);
    expect(first.status).toBe(201);
    const retry = await post({ note: 'first', amount: '7.00' }, key);
    expect(retry.status).toBe(200);
    expect(retry.body.event.seq).toBe(first.body.event.seq);
    const before = await k.snapshot();
    const other = await post({ amount: '8.00', note: 'first' }, key);
    expect(other.status).toBe(422);
    expect(other.body.error).toBe('idempotency_mismatch');
    expect(await k.snapshot()).toBe(before);
  });
});

describe('GIVEN requests with invalid tokens (item 14)', () => {
  it('THEN after a burst from one address they are refused with 429 without looking the token up', async () => {
    const limited = await createApiKit({ rateLimit: { capacity: 60, refillPerSecond: 10 } });
    try {
      const valid = await limited.tokenFor(ANN);
      expect((await limited.req('GET', '/books', { token: valid })).status).toBe(200);
      let lookups = 0;
      const store = limited.h.services.store;
      const original = store.findTokenByHash.bind(store);
      store.findTokenByHash = async (hash) => {
        lookups++;
        return original(hash);
      };
      const statuses: number[] = [];
      for (let i = 0; i < 300; i++) {
        const r = await limited.req('GET', '/books', { token: `coin_${String(i).padStart(43, 'x')}` });
        statuses.push(r.status);
      }
      expect(statuses.filter((x) => x === 401).length).toBeLessThanOrEqual(20);
      expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(280);
      expect(lookups).toBeLessThanOrEqual(20);
      // Someone at the same address who was already using a valid token is not locked out.
      expect((await limited.req('GET', '/books', { token: valid })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('GIVEN an export whose reading fails (item 12: a failing stream must not look complete)', () => {
  it('THEN a failure before the first rows is an error status, and one after them aborts the body instead of ending it', async () => {
    let failAfterFirstPage = false;
    const failing = await createApiKit({
      rateLimit: false,
      store: (st) =>
        Object.assign(Object.create(st) as typeof st, {
          exportEvents: async (...args: Parameters<typeof st.exportEvents>) => {
            if (!failAfterFirstPage || args[4]) throw new Error('database went away');
            return st.exportEvents(...args);
          },
        }),
    });
    try {
      const f = await seedFamily(failing);
      const first = await failing.req('GET', `/books/${f.annBook}/export.csv`, { token: f.ann });
      expect(first.status).toBe(500);
      expect(first.text).not.toContain('id,date,type');

      // 5,001 records: the export reads a second page, which fails.
      const user = await failing.userId(ANN);
      const { store } = failing.h.services;
      const main = (await store.listAccounts(f.annBook)).find((x) => x.name === 'Main')!;
      const rows = Array.from({ length: 5_001 }, (_, i) => ({
        bookId: f.annBook,
        sourceKey: `bulk:${i}`,
        kind: 'expense' as const,
        accountId: main.id,
        currency: 'EUR',
        amountMinor: assertMinor(100 + i),
        labels: [],
        note: '',
        authorId: user,
        occurredAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000),
      }));
      await store.recordBatch(f.annBook, rows);
      failAfterFirstPage = true;
      const res = await failing.app.request(`/api/v1/books/${f.annBook}/export.csv`, { headers: { authorization: `Bearer ${f.ann}` } });
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
    } finally {
      await failing.close();
    }
  });
});
