import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../drizzle/store/rows.js';
import { createWebKit, type WebKit } from '../../test/web-kit.js';

/** Screenshots of every page, light and dark, land here (gitignored). */
const SHOTS = path.resolve('test-output/web-screens');
const ANN = { id: '101', name: 'Ann' };
const BOB = { id: '102', name: 'Bob' };
const VIC = { id: '103', name: 'Vic' };
const GROUP = 'g-family';

let k: WebKit;
let server: ServerType;
let base: string;
let browser: Browser;
let group: number;

async function context(scheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: scheme, reducedMotion: 'reduce', locale: 'en-US' });
}

/** A page signed in through a one-time link from `/app`, as a person does it. */
async function signedIn(user: { id: string; name: string }, scheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await (await context(scheme)).newPage();
  await page.goto(base + (await k.linkFor(user)));
  await page.getByRole('button', { name: 'Sign in to COIN' }).click();
  await page.waitForURL(/\/app\/b\/\d+$/);
  return page;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  k = await createWebKit();
  await k.h.say(ANN, '/start', GROUP);
  for (const line of ['/spend 30 #food groceries', '/spend 12.40 #transport bus pass', '/income 2500 #salary november', '/spend 8 #fun cinema', '/budget #food 300 monthly', '/template add monthly:1 900 #rent flat'])
    await k.h.say(ANN, line, GROUP);
  await k.h.say(BOB, '12 #food pizza', GROUP);
  await k.h.say(VIC, '/start', GROUP);
  group = rowsOf<{ book_id: number }>(await k.h.database.db.execute(sql`select book_id from chats where chat_id = ${GROUP}`))[0]!.book_id;
  const vic = await k.h.services.store.resolveUser({ platform: 'telegram', externalId: VIC.id, name: VIC.name });
  await k.h.services.store.setRole(group, vic.id, 'viewer');
  server = serve({ fetch: k.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await k?.close();
});

describe('the web app in Chromium', () => {
  it('GIVEN a Telegram Mini App launch THEN signed initData in the URL fragment signs in, in the Telegram theme', async () => {
    const page = await (await context()).newPage();
    const theme = { bg_color: '#17212b', text_color: '#f5f5f5', hint_color: '#708499', link_color: '#6ab3f3', button_color: '#5288c1', button_text_color: '#ffffff', secondary_bg_color: '#232e3c' };
    const hash = new URLSearchParams({ tgWebAppData: k.initData(ANN), tgWebAppVersion: '7.0', tgWebAppThemeParams: JSON.stringify(theme) });
    await page.goto(`${base}/app/sign-in#${hash.toString()}`);
    await page.waitForURL(/\/app\/b\/\d+$/);
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(23, 33, 43)');
    await page.screenshot({ path: path.join(SHOTS, 'telegram-overview.png'), fullPage: true });
    await page.context().close();
  });

  it('GIVEN a sign-in link THEN record by quick entry, undo, search and edit; the chat sees each change', async () => {
    const page = await signedIn(ANN);
    await page.goto(`${base}/app/b/${group}/records`);
    await page.getByLabel(/Write as in the chat/).fill('4.50 coffee #food');
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toMatch(/Recorded #\d+: −4\.50 EUR #food coffee/);
    expect(await k.h.say(ANN, '/history 1', GROUP)).toMatch(/−4\.50 EUR #food @Main coffee/);

    // Undo from the notice: gone from the chat's history too.
    await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toMatch(/Undone #\d+/);
    expect(await k.h.say(ANN, '/history 1', GROUP)).not.toMatch(/coffee/);

    // Search: text in the note.
    await page.getByText('Search', { exact: true }).first().click();
    await page.getByLabel('Text in the note').fill('pizza');
    await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=pizza/);
    const items = page.locator('ul.records > li');
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.first().innerText()).toContain('pizza');

    // Edit someone's record as the owner: amount 12 → 13.
    await items.first().getByRole('link', { name: /Edit #\d+/ }).click();
    await page.getByLabel(/Amount \(EUR\)/).fill('13');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toMatch(/Changed #\d+: −13\.00 EUR #food pizza/);
    expect(await k.h.say(BOB, '/history 5', GROUP)).toMatch(/−13\.00 EUR #food @Main pizza/);
    await page.context().close();
  });

  it('GIVEN the statistics page THEN clicking a chart slice lists that label’s records', async () => {
    const page = await signedIn(ANN);
    await page.goto(`${base}/app/b/${group}/stats?kind=pie&period=month`);
    const canvas = page.locator('canvas[data-ready]');
    await canvas.waitFor();
    const labels = await page.locator('table tbody th').allInnerTexts();
    const points = JSON.parse((await canvas.getAttribute('data-points'))!) as [number, number][];
    const food = labels.indexOf('food');
    expect(food).toBeGreaterThanOrEqual(0);
    await canvas.click({ position: { x: points[food]![0], y: points[food]![1] } });
    await page.waitForURL(/records\?label=food/);
    const texts = await page.locator('ul.records > li').allInnerTexts();
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) expect(t).toContain('#food');
    await page.context().close();
  });

  it('GIVEN members THEN an admin changes a role and a viewer is refused', async () => {
    const page = await signedIn(ANN);
    await page.goto(`${base}/app/b/${group}/members`);
    await page.getByLabel('Role of Bob').selectOption('admin');
    await page.getByRole('row', { name: /Bob/ }).getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/members$/);
    expect(await page.getByLabel('Role of Bob').inputValue()).toBe('admin');
    expect(await k.h.say(ANN, '/members', GROUP)).toMatch(/Bob.*admin/);
    await page.context().close();

    const viewer = await signedIn(VIC);
    await viewer.goto(`${base}/app/b/${group}/members`);
    expect(await viewer.locator('select[name=role]').count()).toBe(0);
    // Forging the form a viewer does not get: their own valid CSRF token, still refused.
    await viewer.goto(`${base}/app/sessions`);
    const csrf = await viewer.locator('input[name=_csrf]').first().inputValue();
    const bob = await k.h.services.store.resolveUser({ platform: 'telegram', externalId: BOB.id, name: BOB.name });
    const forged = await viewer.request.post(`${base}/app/b/${group}/members/${bob.id}/role`, { form: { _csrf: csrf, role: 'viewer' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toMatch(/Your role \(viewer\) cannot do that here/);
    expect(await k.h.say(ANN, '/members', GROUP)).toMatch(/Bob.*admin/);
    await viewer.context().close();
  });

  it('GIVEN every page THEN screenshots in light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const page = await signedIn(ANN, scheme);
      const pages: [string, string][] = [
        ['overview', `/app/b/${group}`],
        ['records', `/app/b/${group}/records`],
        ['stats', `/app/b/${group}/stats`],
        ['bars', `/app/b/${group}/stats?kind=bars&period=year`],
        ['plans', `/app/b/${group}/plans`],
        ['accounts', `/app/b/${group}/accounts`],
        ['members', `/app/b/${group}/members`],
        ['settings', `/app/b/${group}/settings`],
        ['sessions', '/app/sessions'],
      ];
      for (const [name, url] of pages) {
        const res = await page.goto(base + url);
        expect(res?.status(), url).toBe(200);
        if (name === 'stats' || name === 'bars') await page.locator('canvas[data-ready]').waitFor();
        await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
      }
      const out = await (await context(scheme)).newPage();
      await out.goto(`${base}/app/sign-in`);
      await out.screenshot({ path: path.join(SHOTS, `sign-in-${scheme}.png`) });
      await out.context().close();
      await page.context().close();
    }
    // A Russian book: the same pages in Russian.
    await k.h.say(ANN, '/language ru', GROUP);
    try {
      const page = await signedIn(ANN);
      for (const [name, url] of [['overview', `/app/b/${group}`], ['records', `/app/b/${group}/records`]] as const) {
        await page.goto(base + url);
        expect(await page.locator('html').getAttribute('lang')).toBe('ru');
        await page.screenshot({ path: path.join(SHOTS, `${name}-ru.png`), fullPage: true });
      }
      await page.context().close();
    } finally {
      await k.h.say(ANN, '/language en', GROUP);
    }
  });
});
