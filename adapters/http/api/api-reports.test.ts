import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderChart } from '../../../workers/charts/render-chart.js';
import { CSV_COLUMNS } from '../../../domain/ledger/csv.js';
import { ANN, createApiKit, GROUP, seedFamily, type ApiKit } from '../../../test/api-kit.js';

let k: ApiKit;
let s: Awaited<ReturnType<typeof seedFamily>>;

beforeAll(async () => {
  k = await createApiKit({ renderChart });
  s = await seedFamily(k);
});
afterAll(async () => k?.close());

describe('stats', () => {
  it('GIVEN this month’s records THEN the totals, labels and previous period match the chat', async () => {
    const r = await k.req('GET', `/books/${s.group}/stats?period=month`, { token: s.vic });
    expect(r.status).toBe(200);
    expect(r.body.currency).toBe('EUR');
    expect(r.body.period.label).toBe('November 2026');
    expect(r.body.previous.label).toBe('October 2026');
    expect(r.body.current.expense).toEqual({ minor: 4200, converted: [], rest: [] });
    expect(r.body.current.count).toBe(2);
    expect(r.body.labels).toEqual([{ name: 'food', expense: { minor: 4200, converted: [], rest: [] }, income: { minor: 0, converted: [], rest: [] }, count: 2 }]);
    expect(r.body.members).toBeUndefined();
    const chat = await k.h.say(ANN, '/stats', GROUP);
    expect(chat).toContain('42.00');
  });

  it('GIVEN members=true THEN spending per member is included', async () => {
    const r = await k.req('GET', `/books/${s.group}/stats?members=true`, { token: s.ann });
    expect(r.body.members.map((m: { name: string; expense: { minor: number } }) => [m.name, m.expense.minor])).toEqual([
      ['Ann', 3000],
      ['Bob', 1200],
    ]);
  });

  it('GIVEN a bad period THEN it is named, and arguments cannot be smuggled in', async () => {
    const bad = await k.req('GET', `/books/${s.group}/stats?period=someday`, { token: s.ann });
    expect([bad.status, bad.body.error]).toEqual([422, 'period_invalid']);
    const smuggled = await k.req('GET', `/books/${s.group}/stats?period=${encodeURIComponent('month members')}`, { token: s.ann });
    expect(smuggled.status).toBe(400);
  });
});

describe('charts', () => {
  it('GIVEN a pie chart request THEN a PNG image comes back', async () => {
    const r = await k.app.request(`/api/v1/books/${s.group}/charts/pie?period=month`, { headers: { authorization: `Bearer ${s.vic}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await r.arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(5000);
  });

  it('GIVEN an unknown kind THEN 400', async () => {
    expect((await k.req('GET', `/books/${s.group}/charts/spiral`, { token: s.ann })).status).toBe(400);
  });

  it('GIVEN no chart renderer THEN 503 with a JSON error', async () => {
    const bare = await createApiKit();
    try {
      await bare.h.say(ANN, '/spend 1 x');
      const t = await bare.tokenFor(ANN);
      const book = await bare.bookId(`p-${ANN.id}`);
      const r = await bare.req('GET', `/books/${book}/charts/bars`, { token: t });
      expect([r.status, r.body.error]).toEqual([503, 'charts_unavailable']);
    } finally {
      await bare.close();
    }
  });
});

describe('CSV export', () => {
  it('GIVEN events THEN a CSV attachment with the import columns and every event', async () => {
    const r = await k.req('GET', `/books/${s.group}/export.csv`, { token: s.bob });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="coin-all\.csv"$/);
    const [header, ...rows] = r.text.trim().split(/\r?\n/);
    expect(header).toBe(CSV_COLUMNS.join(','));
    expect(rows).toHaveLength(2);
    expect(r.text).toContain('groceries');
    expect(r.text).not.toContain('eve-only');
  });

  it('GIVEN a book larger than one page THEN the streamed file is the same, byte for byte, as the chat export', async () => {
    const chat = 'g-big-export';
    await k.h.say(ANN, '/spend 1 #seed "quoted, note"', chat);
    const book = await k.bookId(chat);
    const [acc] = await k.h.services.store.listAccounts(book);
    // 12,345 records (two and a half pages), a few sharing one instant so the page edges fall inside a tie.
    const n = 12_345;
    await k.h.database.db.execute(sql`
      insert into events (book_id, seq, kind, account_id, amount_minor, currency, note, author_id, occurred_at)
      select ${book}, g + 1, case when g % 7 = 0 then 'income' else 'expense' end, ${acc!.id}, g, 'EUR', 'n' || g, null,
        '2026-01-01T00:00:00Z'::timestamptz + (g / 4) * interval '1 minute'
      from generate_series(1, ${n}) g`);
    await k.h.database.db.execute(sql`update books set last_seq = ${n + 1} where id = ${book}`);

    const r = await k.req('GET', `/books/${book}/export.csv`, { token: s.ann });
    expect(r.status).toBe(200);
    const [chatFile] = await k.h.replies(ANN, '/export', chat);
    expect(chatFile!.file).toBeDefined();
    // Response.text() drops the byte-order mark the file starts with.
    expect(r.text).toBe(chatFile!.file!.content.toString('utf8').replace(/^\ufeff/, ''));
    expect(r.text.trim().split('\r\n')).toHaveLength(n + 2);
  });

  it('GIVEN a period with no events THEN only the header', async () => {
    const r = await k.req('GET', `/books/${s.group}/export.csv?period=2020`, { token: s.bob });
    expect(r.text.trim().split(/\r?\n/)).toHaveLength(1);
  });
});

describe('budgets', () => {
  it('GIVEN an admin sets a budget THEN its progress is shown, and the viewer cannot change it', async () => {
    const put = await k.req('PUT', `/books/${s.group}/budgets/food`, { token: s.ann, json: { amount: '100' } });
    expect(put.status).toBe(200);
    expect(put.body.budget).toMatchObject({ label: 'food', amountMinor: 10000, currency: 'EUR', period: 'monthly', spentMinor: 4200, percent: 42 });
    const before = await k.snapshot();
    const viewer = await k.req('PUT', `/books/${s.group}/budgets/total`, { token: s.vic, json: { amount: '1000' } });
    expect([viewer.status, viewer.body.error]).toEqual([403, 'forbidden']);
    expect(await k.snapshot()).toBe(before);
    const list = await k.req('GET', `/books/${s.group}/budgets`, { token: s.vic });
    expect(list.body.budgets.map((b: { label: string | null }) => b.label)).toEqual(['food']);
  });

  it('GIVEN a total weekly budget THEN it is the total; removing twice says there is none', async () => {
    const put = await k.req('PUT', `/books/${s.group}/budgets/total`, { token: s.ann, json: { amount: '500', period: 'weekly' } });
    expect(put.body.budget).toMatchObject({ label: null, period: 'weekly' });
    expect((await k.req('DELETE', `/books/${s.group}/budgets/total`, { token: s.ann })).body).toEqual({ deleted: 'total' });
    const again = await k.req('DELETE', `/books/${s.group}/budgets/total`, { token: s.ann });
    expect([again.status, again.body.error]).toEqual([404, 'budget_unknown']);
  });

  it('GIVEN an amount with extra words THEN refused without a change', async () => {
    const before = await k.snapshot();
    for (const amount of ['100 weekly', '"100" total', '-5', 'abc']) {
      const r = await k.req('PUT', `/books/${s.group}/budgets/food`, { token: s.ann, json: { amount } });
      expect([amount, r.status]).toEqual([amount, expect.toSatisfy((x: number) => x === 400 || x === 422)]);
    }
    expect(await k.snapshot()).toBe(before);
  });
});

describe('templates', () => {
  it('GIVEN a template THEN it is listed, paused, resumed, run once and deleted', async () => {
    const add = await k.req('POST', `/books/${s.group}/templates`, { token: s.bob, json: { schedule: 'monthly:1 at:08:30', record: '500 #rent flat' } });
    expect(add.status).toBe(201);
    expect(add.body.template).toMatchObject({ kind: 'expense', schedule: 'monthly:1 at:08:30', record: '500 #rent flat', paused: false, nextDueAt: '2026-12-01T08:30:00.000Z' });
    const id = add.body.template.id;
    expect((await k.req('GET', `/books/${s.group}/templates`, { token: s.vic })).body.templates.map((t: { id: number }) => t.id)).toEqual([id]);
    expect((await k.req('POST', `/books/${s.group}/templates/${id}/pause`, { token: s.bob })).body.template.paused).toBe(true);
    expect((await k.req('POST', `/books/${s.group}/templates/${id}/resume`, { token: s.bob })).body.template.paused).toBe(false);
    const run = await k.req('POST', `/books/${s.group}/templates/${id}/run`, { token: s.bob });
    expect(run.status).toBe(201);
    expect(run.body.event).toMatchObject({ amountMinor: 50000, labels: ['rent'], templateId: id });
    expect((await k.req('DELETE', `/books/${s.group}/templates/${id}`, { token: s.bob })).status).toBe(200);
    const gone = await k.req('DELETE', `/books/${s.group}/templates/${id}`, { token: s.bob });
    expect([gone.status, gone.body.error]).toEqual([404, 'template_unknown']);
  });

  it('GIVEN an income template THEN its kind is income', async () => {
    const r = await k.req('POST', `/books/${s.group}/templates`, { token: s.ann, json: { schedule: 'monthly:last', record: '2500 salary', kind: 'income' } });
    expect(r.body.template).toMatchObject({ kind: 'income', record: '2500 salary' });
  });

  it('GIVEN a bad schedule, a bad record or a viewer THEN refused without a change', async () => {
    const before = await k.snapshot();
    const cases: [string, unknown, number][] = [
      [s.ann, { schedule: 'sometimes', record: '5 x' }, 422],
      [s.ann, { schedule: 'monthly:1 5 #smuggled', record: '5 x' }, 400],
      [s.ann, { schedule: 'daily', record: 'five coffee' }, 422],
      [s.ann, { schedule: 'daily', record: '5 x @Nope' }, 422],
      [s.vic, { schedule: 'daily', record: '5 x' }, 403],
    ];
    for (const [token, json, status] of cases) {
      const r = await k.req('POST', `/books/${s.group}/templates`, { token, json });
      expect([json, r.status]).toEqual([json, status]);
    }
    expect(await k.snapshot()).toBe(before);
  });
});
