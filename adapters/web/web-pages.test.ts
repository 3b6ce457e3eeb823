import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../drizzle/store/rows.js';
import { createWebKit, type WebKit } from '../../test/web-kit.js';

const ANN = { id: '101', name: 'Ann' };
const BOB = { id: '102', name: 'Bob' };
const GROUP = 'g-pages';

let k: WebKit;
let group: number;
let ann: Awaited<ReturnType<WebKit['signedIn']>>;

const records = (html: string) => [...html.matchAll(/<div class="meta">#(\d+) /g)].map((m) => Number(m[1]));

beforeAll(async () => {
  k = await createWebKit();
  await k.h.say(ANN, '/start', GROUP);
  for (let i = 1; i <= 34; i++) await k.h.say(ANN, `/spend ${i} #n${i % 3} item ${i}`, GROUP);
  await k.h.say(BOB, '50 #food bob lunch', GROUP);
  group = rowsOf<{ book_id: number }>(await k.h.database.db.execute(sql`select book_id from chats where chat_id = ${GROUP}`))[0]!.book_id;
  ann = await k.signedIn(ANN);
});
afterAll(() => k.close());

describe('records on the web', () => {
  it('GIVEN 35 records THEN two pages by cursor, newest first, none twice or lost', async () => {
    const first = await ann.get(`/app/b/${group}/records`);
    const one = records(first.text);
    expect(one).toHaveLength(30);
    expect(one[0]).toBe(35);
    const next = /href="([^"]+cursor=[^"]+)"/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    const two = records((await ann.get(next)).text);
    expect(two).toEqual([5, 4, 3, 2, 1]);
  });

  it('GIVEN search fields THEN amount range, member, label and text narrow the list', async () => {
    const bob = await k.h.services.store.resolveUser({ platform: 'telegram', externalId: BOB.id, name: BOB.name });
    expect(records((await ann.get(`/app/b/${group}/records?min=10&max=12.5`)).text)).toEqual([12, 11, 10]);
    expect(records((await ann.get(`/app/b/${group}/records?member=${bob.id}`)).text)).toEqual([35]);
    expect(records((await ann.get(`/app/b/${group}/records?label=n0&q=item%203`)).text)).toEqual([33, 30, 3]);
    const bad = await ann.get(`/app/b/${group}/records?min=abc`);
    expect(bad.status).toBe(200);
    expect(bad.text).toMatch(/“abc” is not an amount/);
  });

  it('GIVEN bad quick entry THEN 422 with the chat’s message, the line kept, nothing recorded', async () => {
    await ann.get(`/app/b/${group}/records`);
    const before = await k.h.say(ANN, '/history 3', GROUP);
    const r = await ann.post(`/app/b/${group}/records`, { line: '12 @Nowhere' });
    expect(r.status).toBe(422);
    expect(r.text).toMatch(/There is no account “Nowhere”/);
    expect(r.text).toContain('value="12 @Nowhere"');
    const hint = await ann.post(`/app/b/${group}/records`, { line: 'hello' });
    expect(hint.status).toBe(422);
    expect(await k.h.say(ANN, '/history 3', GROUP)).toBe(before);
  });

  it('GIVEN an income and an edit with a bad date THEN the income is recorded and the edit refused whole', async () => {
    await ann.get(`/app/b/${group}/records`);
    const r = await ann.post(`/app/b/${group}/records`, { line: '+2500 salary' });
    expect(r.status).toBe(303);
    expect(await k.h.say(ANN, '/history 1', GROUP)).toMatch(/\+2,500\.00 EUR/);
    const seq = Number(/recorded:(\d+)/.exec(r.location!)![1]);
    await ann.get(`/app/b/${group}/records/${seq}/edit`);
    const bad = await ann.post(`/app/b/${group}/records/${seq}/edit`, { amount: '2500.00', label: '', account: 'Main', date: 'soon', note: 'salary' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/“soon” is not a valid date/);
  });

  it('GIVEN a split written in quick entry THEN it is shared as in the chat', async () => {
    await ann.get(`/app/b/${group}/records`);
    expect((await ann.post(`/app/b/${group}/records`, { line: '40 #dinner split' })).status).toBe(303);
    // Ann paid 40 for Ann and Bob: Bob owes her 20.
    expect(await k.h.say(BOB, '/balances', GROUP)).toMatch(/Bob\s+−20\.00/);
  });

  it('GIVEN Bob, a member THEN he may not edit Ann’s record (the chat’s rule)', async () => {
    const bob = await k.signedIn(BOB);
    const page = await bob.get(`/app/b/${group}/records`);
    expect(page.text).toContain('/records/35/edit');
    expect(page.text).not.toContain('/records/34/edit');
    const r = await bob.post(`/app/b/${group}/records/34/delete`);
    expect(r.status).toBe(403);
    expect(await k.h.say(ANN, '/history 40', GROUP)).toMatch(/#34 /);
  });
});

describe('other pages', () => {
  it('GIVEN a Russian book THEN the pages speak Russian', async () => {
    await k.h.say(ANN, '/language ru', GROUP);
    try {
      const page = await ann.get(`/app/b/${group}`);
      expect(page.text).toContain('<html lang="ru"');
      expect(page.text).toContain('Счета');
      expect(page.text).toMatch(/Записи/);
    } finally {
      await k.h.say(ANN, '/language en', GROUP);
    }
  });

  it('GIVEN settings changed on the web THEN the chat uses them', async () => {
    await ann.get(`/app/b/${group}/settings`);
    const r = await ann.post(`/app/b/${group}/settings`, { currency: 'usd', timezone: 'Europe/Berlin', language: 'en' });
    expect(r.status).toBe(303);
    const book = await k.h.services.store.getBook(group);
    expect([book.currency, book.timezone]).toEqual(['USD', 'Europe/Berlin']);
    const bad = await ann.post(`/app/b/${group}/settings`, { currency: 'USD', timezone: 'Mars/Olympus', language: 'en' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/is not a time zone/);
  });

  it('GIVEN a template made on the web THEN pause and run act as in chat', async () => {
    await ann.get(`/app/b/${group}/plans`);
    expect((await ann.post(`/app/b/${group}/plans/template`, { line: 'monthly:1 900 #rent flat' })).status).toBe(303);
    const list = await k.h.say(ANN, '/templates', GROUP);
    const id = Number(/#?(\d+)/.exec(list.split('\n').find((l) => l.includes('rent'))!)![1]);
    expect((await ann.post(`/app/b/${group}/plans/template/${id}/pause`)).status).toBe(303);
    expect(await k.h.say(ANN, '/templates', GROUP)).toMatch(/paused/i);
    expect((await ann.post(`/app/b/${group}/plans/template/${id}/run`)).status).toBe(303);
    expect(await k.h.say(ANN, '/history 1', GROUP)).toMatch(/900\.00 \w+ #rent/);
  });

  it('GIVEN the bars chart THEN each month links to its records', async () => {
    const page = await ann.get(`/app/b/${group}/stats?kind=bars&period=2026`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/app/b/${group}/records?period=2026-11"`);
    const chart = /data-chart="([^"]+)"/.exec(page.text)![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    expect(JSON.parse(chart).links).toContain(`/app/b/${group}/records?period=2026-11`);
  });
});
