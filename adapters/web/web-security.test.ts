import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../drizzle/store/rows.js';
import { BOT_TOKEN, createWebKit, type WebKit } from '../../test/web-kit.js';
import { CSP } from './web-app.js';
import { assertMinor } from '../../domain/money/money.js';

const ANN = { id: '101', name: 'Ann' };
const BOB = { id: '102', name: 'Bob' };
const VIC = { id: '103', name: 'Vic' };
const EVE = { id: '104', name: 'Eve' };
const GROUP = 'g-family';

let k: WebKit;
let group: number;
let eveBook: number;

const bookOf = async (chat: string) =>
  rowsOf<{ book_id: number }>(await k.h.database.db.execute(sql`select book_id from chats where chat_id = ${chat}`))[0]!.book_id;

beforeAll(async () => {
  k = await createWebKit();
  await k.h.say(ANN, '/start', GROUP);
  await k.h.say(ANN, '/spend 30 #food groceries', GROUP);
  await k.h.say(BOB, '12 #food pizza', GROUP);
  await k.h.say(VIC, '/start', GROUP);
  await k.h.say(EVE, '/spend 1 #secret eve-only');
  group = await bookOf(GROUP);
  eveBook = await bookOf(`p-${EVE.id}`);
  const vic = await k.h.services.store.resolveUser({ platform: 'telegram', externalId: VIC.id, name: VIC.name });
  await k.h.services.store.setRole(group, vic.id, 'viewer');
});
afterAll(() => k.close());

describe('GIVEN one-time sign-in links from /app', () => {
  it('THEN a link opens one session; used again it is refused', async () => {
    const path = await k.linkFor(ANN);
    // Showing the link (as a chat's link preview does) does not use it up.
    expect((await k.browser().raw('GET', path)).status).toBe(200);
    const first = await k.browser().raw('POST', path);
    expect(first.status).toBe(303);
    const cookie = first.headers.getSetCookie().join('\n');
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const again = await k.browser().raw('POST', path);
    expect(again.status).toBe(400);
    expect(again.headers.getSetCookie()).toEqual([]);
  });

  it('THEN a link older than 10 minutes and a made-up one are refused', async () => {
    const path = await k.linkFor(ANN);
    k.h.clock.advance(10 * 60_000 + 1000);
    try {
      expect((await k.browser().raw('POST', path)).status).toBe(400);
    } finally {
      k.h.clock.advance(-(10 * 60_000 + 1000));
    }
    expect((await k.browser().raw('POST', '/app/auth/link/l_' + 'A'.repeat(43))).status).toBe(400);
  });

  it('THEN another site cannot post a link (no signing a visitor into someone else’s account), and no secret reaches the logs', async () => {
    const path = await k.linkFor(ANN);
    const cross = await k.browser().raw('POST', path, undefined, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect(cross.headers.getSetCookie()).toEqual([]);
    expect((await k.browser().raw('POST', path, undefined, { origin: 'http://coin.test' })).status).toBe(303);
    expect(k.logs.join('')).toContain('/app/auth/link/[secret]');
    expect(k.logs.join('')).not.toContain(path.split('/').pop()!);
  });

  it('THEN only the hash of a link and of a session is stored', async () => {
    const path = await k.linkFor(ANN);
    const secret = path.split('/').pop()!;
    const b = k.browser();
    await b.raw('POST', path);
    const cookie = [...b.jar.values()][0]!;
    const dump = JSON.stringify(rowsOf(await k.h.database.db.execute(sql`select * from web_sign_in_links`))) + JSON.stringify(rowsOf(await k.h.database.db.execute(sql`select * from web_sessions`)));
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(cookie);
  });

  it('THEN in a Telegram group /app points to the private chat instead of showing a link to everyone', async () => {
    const text = await k.h.say(ANN, '/app', GROUP);
    expect(text).not.toMatch(/auth\/link/);
    expect(text).toMatch(/private chat/);
  });

  it('THEN behind HTTPS the cookie is Secure with the __Host- prefix', async () => {
    const r = await k.browser().raw('POST', await k.linkFor(BOB), undefined, { 'x-forwarded-proto': 'https' });
    expect(r.headers.getSetCookie().join('\n')).toMatch(/^__Host-coin_session=.*Secure/im);
  });
});

describe('GIVEN Telegram Mini App initData', () => {
  it('THEN a correctly signed, fresh one opens a session in the person’s personal book', async () => {
    const b = k.browser();
    const r = await b.raw('POST', '/app/auth/telegram', { initData: k.initData({ id: '201', name: 'Tanya' }) });
    expect(r.status).toBe(303);
    expect(r.location).toMatch(/^\/app\/b\/\d+$/);
    expect((await b.get(r.location!)).status).toBe(200);
  });

  it('THEN a forged one (other bot token, edited user) is refused and opens nothing', async () => {
    const forged = k.initData(ANN, k.h.clock.now(), '999:another-bot-token-xxxxxxxxxxxxxxxx');
    const r1 = await k.browser().raw('POST', '/app/auth/telegram', { initData: forged });
    expect(r1.status).toBe(401);
    const good = new URLSearchParams(k.initData(ANN));
    good.set('user', JSON.stringify({ id: 104, first_name: 'Eve' }));
    const r2 = await k.browser().raw('POST', '/app/auth/telegram', { initData: good.toString() });
    expect(r2.status).toBe(401);
    expect(r2.headers.getSetCookie()).toEqual([]);
    expect((await k.browser().raw('POST', '/app/auth/telegram', { initData: 'garbage' })).status).toBe(401);
  });

  it('THEN one older than an hour is refused', async () => {
    const old = k.initData(ANN, new Date(k.h.clock.now().getTime() - 61 * 60_000));
    const r = await k.browser().raw('POST', '/app/auth/telegram', { initData: old });
    expect(r.status).toBe(401);
    expect(r.text).toMatch(/over an hour old/);
  });

  it('THEN the same initData used twice (a replay) is refused the second time', async () => {
    const data = k.initData(ANN);
    expect((await k.browser().raw('POST', '/app/auth/telegram', { initData: data })).status).toBe(303);
    const replay = await k.browser().raw('POST', '/app/auth/telegram', { initData: data });
    expect(replay.status).toBe(401);
    expect(replay.headers.getSetCookie()).toEqual([]);
  });

  it('THEN sign-in attempts are rate-limited per address', async () => {
    const limited = await createWebKit({ signInLimit: { capacity: 3, refillPerSecond: 0.001 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await limited.browser().raw('POST', '/app/auth/telegram', { initData: 'x' }, { 'x-forwarded-for': '10.0.0.9' })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      // Another address is not affected...
      expect((await limited.browser().raw('POST', '/app/auth/telegram', { initData: 'x' }, { 'x-forwarded-for': '10.0.0.10' })).status).toBe(401);
      // ...but forging a new address per attempt meets the limit of the whole process (10 × 3).
      const forged: number[] = [];
      for (let i = 0; i < 30; i++)
        forged.push((await limited.browser().raw('POST', '/app/auth/telegram', { initData: 'x' }, { 'x-forwarded-for': `10.1.0.${i}` })).status);
      expect(forged).toEqual([...Array<number>(26).fill(401), 429, 429, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('GIVEN a signed-in person', () => {
  it('THEN a write without the CSRF token, with a wrong one, or from another site changes nothing', async () => {
    const b = await k.signedIn(ANN);
    await b.get(`/app/b/${group}/records`);
    const before = await k.h.say(ANN, '/history', GROUP);
    expect((await b.raw('POST', `/app/b/${group}/records`, { line: '5 #evil' })).status).toBe(403);
    expect((await b.post(`/app/b/${group}/records`, { line: '5 #evil', _csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await b.post(`/app/b/${group}/records`, { line: '5 #evil' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect(await k.h.say(ANN, '/history', GROUP)).toBe(before);
    // With it, the same write goes through.
    expect((await b.post(`/app/b/${group}/records`, { line: '5 #fine' })).status).toBe(303);
    expect(await k.h.say(ANN, '/history', GROUP)).toMatch(/#fine/);
  });

  it('THEN another person’s book is 404, exactly like a book that does not exist', async () => {
    const b = await k.signedIn(ANN);
    const other = await b.get(`/app/b/${eveBook}`);
    const missing = await b.get(`/app/b/999999`);
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(other.text.replace(/\d+/g, '')).toBe(missing.text.replace(/\d+/g, ''));
    expect(other.text).not.toContain('eve-only');
    expect((await b.get(`/app/b/${eveBook}/records`)).status).toBe(404);
    expect((await b.get(`/app/b/${eveBook}/export.csv`)).status).toBe(404);
    await b.get(`/app/b/${group}/records`); // a page of her own, for a valid CSRF token
    const write = await b.post(`/app/b/${eveBook}/records`, { line: '5 #mine' });
    expect(write.status).toBe(404);
    expect(await k.h.say(EVE, '/history')).not.toMatch(/#mine/);
  });

  it('THEN a viewer sees the records but cannot record or change roles', async () => {
    const b = await k.signedIn(VIC);
    const page = await b.get(`/app/b/${group}/records`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('pizza');
    expect(page.text).not.toContain('name="line"');
    expect((await b.post(`/app/b/${group}/records`, { line: '5 #viewer' })).status).toBe(403);
    const bob = await k.h.services.store.resolveUser({ platform: 'telegram', externalId: BOB.id, name: BOB.name });
    const role = await b.post(`/app/b/${group}/members/${bob.id}/role`, { role: 'viewer' });
    expect(role.status).toBe(403);
    expect(await k.h.say(ANN, '/members', GROUP)).toMatch(/Bob.*member/);
  });

  it('THEN stored-XSS strings in notes and labels are shown as text, never as markup', async () => {
    const XSS = '<script>alert("note")</script> "><svg/onload=alert(2)>';
    expect(await k.h.say(ANN, `/spend 7 #x ${XSS}`, GROUP)).toMatch(/#x/);
    // Labels and titles can hold anything through other doors (a platform's chat title, a
    // store written by another version): the page must still show them as text.
    const store = k.h.services.store;
    const [acc] = await store.listAccounts(group);
    const ann = await store.resolveUser({ platform: 'telegram', externalId: ANN.id, name: ANN.name });
    await store.record({ bookId: group, kind: 'expense', accountId: acc!.id, amountMinor: assertMinor(100), currency: 'EUR', labels: ['"><img src=x onerror=alert(1)>'], note: 'x', authorId: ann.id, occurredAt: k.h.clock.now() });
    await store.updateBook(group, { title: '<script>alert(3)</script>' });
    const b = await k.signedIn(ANN);
    for (const path of [`/app/b/${group}/records`, `/app/b/${group}/stats?kind=pie`, `/app/b/${group}`]) {
      const page = await b.get(path);
      expect(page.status).toBe(200);
      expect(page.text).not.toMatch(/<script>alert/i);
      expect(page.text).not.toMatch(/<svg/i);
      expect(page.text).not.toMatch(/<img/i);
    }
    const records = await b.get(`/app/b/${group}/records`);
    expect(records.text).toContain('&lt;script&gt;alert(');
    // Scripts come from this origin only: the policy is on every page.
    expect(records.headers.get('content-security-policy')).toBe(CSP);
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(records.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('THEN signing out, revoking a session on the web, or /revoke web in chat ends sessions', async () => {
    const DAN = { id: '105', name: 'Dan' };
    await k.h.say(DAN, '/start', GROUP);
    const a = await k.signedIn(DAN);
    const b = await k.signedIn(DAN);
    const c = await k.signedIn(DAN);
    expect((await a.get(`/app/b/${group}`)).status).toBe(200);
    const sessions = await a.get('/app/sessions');
    expect(sessions.status).toBe(200);
    expect((await a.post('/app/sign-out')).status).toBe(303);
    expect((await a.get(`/app/b/${group}`)).status).toBe(303);
    expect(await k.h.say(DAN, '/tokens')).toMatch(/2 open sessions/);
    expect(await k.h.say(DAN, '/revoke web')).toMatch(/2 sessions/);
    for (const x of [b, c]) {
      const r = await x.get(`/app/b/${group}`);
      expect(r.status).toBe(303);
      expect(r.location).toBe('/app/sign-in');
    }
  });
});

describe('GIVEN CSV on the web', () => {
  it('THEN export and import back into the same book adds nothing; a viewer cannot import; an oversized body is 413', async () => {
    const b = await k.signedIn(ANN);
    const csv = await b.get(`/app/b/${group}/export.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.text).toContain('pizza');
    await b.get(`/app/b/${group}/settings`);
    const upload = async (who: typeof b, content: string) => {
      const form = new FormData();
      form.set('_csrf', who.csrf);
      form.set('file', new File([content], 'book.csv', { type: 'text/csv' }));
      const cookie = [...who.jar].map(([n, v]) => `${n}=${v}`).join('; ');
      const res = await k.app.request(`http://coin.test/app/b/${group}/import`, { method: 'POST', body: form, headers: { cookie } });
      return { status: res.status, text: await res.text() };
    };
    // The chat's /import path: the rows appear in the chat; the same file again adds nothing.
    const file = csv.text.split('\r\n')[0] + '\r\n,2026-11-20,expense,3.30,EUR,Main,tea,imported tea,,\r\n';
    const first = await upload(b, file);
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/Imported 1 records; skipped 0/);
    expect(await k.h.say(ANN, '/history 100', GROUP)).toMatch(/#tea @Main imported tea/);
    const before = await k.h.say(ANN, '/history 100', GROUP);
    expect((await upload(b, file)).text).toMatch(/Imported 0 records; skipped 1/);
    expect(await k.h.say(ANN, '/history 100', GROUP)).toBe(before);

    const viewer = await k.signedIn(VIC);
    await viewer.get(`/app/b/${group}/records`);
    expect((await upload(viewer, csv.text)).status).toBe(403);

    const big = await b.post(`/app/b/${group}/records`, { line: '1 ' + 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
  });
});

describe('GIVEN static assets', () => {
  it('THEN they have content-hashed names, are immutable, and unknown ones are 404', async () => {
    const b = await k.signedIn(ANN);
    const page = await b.get(`/app/b/${group}/stats`);
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBe(2);
    for (const src of scripts) {
      expect(src).toMatch(/^\/app\/assets\/[a-z]+-[0-9a-f]{12}\.js$/);
      const r = await b.raw('GET', src, undefined, { 'accept-encoding': 'gzip' });
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toContain('immutable');
    }
    expect((await b.get('/app/assets/app-000000000000.js')).status).toBe(404);
  });
});

void BOT_TOKEN;
