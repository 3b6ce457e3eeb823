import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../drizzle/store/rows.js';
import { createWebKit, type WebKit } from '../../test/web-kit.js';

const ANN = { id: '201', name: 'Ann' };
const BOB = { id: '202', name: 'Bob' };
const GROUP = 'g-accounts';

let k: WebKit;
let group: number;
let ann: Awaited<ReturnType<WebKit['signedIn']>>;

const idOf = (html: string, kind: 'account' | 'label', name: string): number => {
  // The rename form of that account or label: its action names the id, its field the current name.
  const m = new RegExp(`accounts/${kind}/(\\d+)/rename"(?:(?!</form>)[^])*?value="${name}"`).exec(html);
  if (!m) throw new Error(`no ${kind} ${name} on the page`);
  return Number(m[1]);
};

beforeAll(async () => {
  k = await createWebKit();
  await k.h.say(ANN, '/start', GROUP);
  await k.h.say(BOB, '/start', GROUP);
  await k.h.say(ANN, '12 #coffee', GROUP);
  await k.h.say(ANN, '30 #cafe lunch', GROUP);
  group = rowsOf<{ book_id: number }>(await k.h.database.db.execute(sql`select book_id from chats where chat_id = ${GROUP}`))[0]!.book_id;
  ann = await k.signedIn(ANN);
});
afterAll(() => k.close());

describe('accounts and labels on the web', () => {
  it('GIVEN an admin THEN an account added, renamed and made default on the web is what the chat uses', async () => {
    await ann.get(`/app/b/${group}/accounts`);
    expect((await ann.post(`/app/b/${group}/accounts/account`, { name: 'Travel card', currency: 'usd', opening: '250.50' })).status).toBe(303);
    let page = await ann.get(`/app/b/${group}/accounts`);
    expect(page.text).toContain('250.50');
    const id = idOf(page.text, 'account', 'Travel card');
    expect((await ann.post(`/app/b/${group}/accounts/account/${id}/rename`, { name: 'Trips' })).status).toBe(303);
    expect((await ann.post(`/app/b/${group}/accounts/account/${id}/default`)).status).toBe(303);
    page = await ann.get(`/app/b/${group}/accounts`);
    expect(page.text).toMatch(/<strong>Trips<\/strong>\s*<div class="meta">USD · default/);
    // The chat records to the new default account, in its currency.
    expect(await k.h.say(ANN, '5 taxi', GROUP)).toMatch(/Trips/);
    expect(await k.h.say(ANN, '/accounts', GROUP)).toMatch(/Trips.*245\.50/);
  });

  it('GIVEN labels THEN rename and merge on the web move the records, as /label does', async () => {
    let page = await ann.get(`/app/b/${group}/accounts`);
    const cafe = idOf(page.text, 'label', 'cafe');
    // Two words would be two labels: refused whole, as `/label rename` does, rather than cut short.
    const two = await ann.post(`/app/b/${group}/accounts/label/${cafe}/rename`, { name: 'eating out' });
    expect(two.status).toBe(422);
    expect(two.text).toMatch(/cannot be a label/);
    expect((await ann.post(`/app/b/${group}/accounts/label/${cafe}/rename`, { name: 'eating_out' })).status).toBe(303);
    page = await ann.get(`/app/b/${group}/accounts`);
    expect(page.text).toContain('#eating_out');
    const coffee = idOf(page.text, 'label', 'coffee');
    expect((await ann.post(`/app/b/${group}/accounts/label/${coffee}/merge`, { into: 'eating_out' })).status).toBe(303);
    page = await ann.get(`/app/b/${group}/accounts`);
    expect(page.text).not.toContain('#coffee');
    expect(await k.h.say(ANN, '/history 5', GROUP)).toMatch(/12\.00 \w+ #eating_out/);
  });

  it('GIVEN bad input THEN the chat’s message, 422, and nothing changed', async () => {
    let page = await ann.get(`/app/b/${group}/accounts`);
    const main = idOf(page.text, 'account', 'Main');
    const bad = await ann.post(`/app/b/${group}/accounts/account/${main}/rename`, { name: '123' });
    expect(bad.status).toBe(422);
    const inUse = await ann.post(`/app/b/${group}/accounts/account/${main}/delete`);
    expect(inUse.status).toBe(422);
    expect(inUse.text).toMatch(/still has \d+ records/);
    const hostile = await ann.post(`/app/b/${group}/accounts/account`, { name: '<img src=x onerror=alert(1)>' });
    expect(hostile.status).toBe(422);
    expect(hostile.text).not.toContain('<img src=x');
    // The chat's form of the same mistake: `none` is no new name (it used to reach the database).
    expect(await k.h.say(ANN, '/label rename eating_out none', GROUP)).toMatch(/“none” cannot be a label/);
    page = await ann.get(`/app/b/${group}/accounts`);
    expect(page.text).toContain('value="Main"');
    expect(page.text).toContain('#eating_out');
  });

  it('GIVEN Bob, a member THEN he sees the page without forms and is refused a change (403); another book’s account is 404', async () => {
    const bob = await k.signedIn(BOB);
    const page = await bob.get(`/app/b/${group}/accounts`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Trips');
    expect(page.text).not.toContain('/rename"');
    const annPage = await ann.get(`/app/b/${group}/accounts`);
    const trips = idOf(annPage.text, 'account', 'Trips');
    expect((await bob.post(`/app/b/${group}/accounts/account/${trips}/delete`)).status).toBe(403);
    // Ann's personal book has its own account; its id named under the group's path is not found.
    await k.h.say(ANN, '/start');
    await k.h.say(ANN, '/account add Private');
    const priv = rowsOf<{ id: number }>(await k.h.database.db.execute(sql`select id from accounts where name = 'Private'`))[0]!.id;
    const other = await ann.post(`/app/b/${group}/accounts/account/${priv}/delete`);
    expect(other.status).toBe(404);
    expect(await k.h.say(ANN, '/accounts')).toMatch(/Private/);
    expect(await k.h.say(ANN, '/accounts', GROUP)).toMatch(/Trips/);
  });
});
