import { serve, type ServerType } from '@hono/node-server';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN, createApiKit, type ApiKit } from '../../../test/api-kit.js';

let k: ApiKit;
beforeAll(async () => {
  k = await createApiKit();
});
afterAll(async () => k?.close());

const DOCS = '/api/v1/docs';

async function get(path: string): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await k.app.request(path);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Every `src="…"` and `href="…"` of an HTML page. */
const references = (html: string): string[] => [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]!);

/**
 * Places where a script or stylesheet would make the browser load something from a URL written
 * in it: fetch/import/importScripts/XMLHttpRequest.open/EventSource/WebSocket with a literal
 * absolute URL, an element's src/href set to one, CSS `url(…)` and `@import` with one.
 * (Bare `https://` strings elsewhere — spec references in comments and error texts — load nothing.)
 */
const LOADS = [
  /\bfetch\(\s*["'`](?:https?:)?\/\/[^"'`]+/g,
  /\bimport\(\s*["'`](?:https?:)?\/\/[^"'`]+/g,
  /\bimport\s[^;]{0,200}?from\s*["'`](?:https?:)?\/\/[^"'`]+/g,
  /\bimportScripts\(\s*["'`](?:https?:)?\/\/[^"'`]+/g,
  /\.open\(\s*["'`]\w+["'`]\s*,\s*["'`](?:https?:)?\/\/[^"'`]+/g,
  /\bnew\s+(?:EventSource|WebSocket)\(\s*["'`](?:wss?:|https?:)?\/\/[^"'`]+/g,
  /\.(?:src|href)\s*=\s*["'`](?:https?:)?\/\/[^"'`]+/g,
  /\burl\(\s*["']?(?:https?:)?\/\/[^)]+\)/g,
  /@import\s+(?:url\()?\s*["']?(?:https?:)?\/\//g,
];

describe('API docs page (offline Swagger UI)', () => {
  it('GIVEN /api/v1/docs THEN it is "COIN API", every file it uses is served by COIN, none from another origin, under a strict CSP', async () => {
    const page = await get(DOCS);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toMatch(/<title>COIN API<\/title>/);
    // No inline script: every <script> has a src and no body.
    for (const m of page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      expect(m[1]).toMatch(/\bsrc=/);
      expect(m[2]!.trim()).toBe('');
    }
    const refs = references(page.text);
    expect(refs.length).toBeGreaterThanOrEqual(3); // stylesheet, bundle, init code (and the icon)
    for (const ref of refs) expect(ref, ref).toMatch(/^\/api\/v1\/docs\/[\w.-]+$/);

    const csp = page.headers.get('content-security-policy');
    expect(csp).toBeTruthy();
    const directives = new Map(csp!.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]); // no 'unsafe-inline', no other origin
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    for (const [name, values] of directives) {
      for (const v of values) expect(`${name} ${v}`).toMatch(/ ('self'|'none'|data:)$/);
    }

    let scripts = 0;
    for (const ref of refs) {
      const file = await get(ref);
      expect(file.status, ref).toBe(200);
      expect(file.headers.get('content-security-policy'), ref).toBe(csp);
      expect(file.headers.get('x-content-type-options'), ref).toBe('nosniff');
      if (!/javascript|css/.test(file.headers.get('content-type')!)) continue;
      if (/javascript/.test(file.headers.get('content-type')!)) scripts++;
      for (const pattern of LOADS) expect(file.text.match(pattern) ?? [], `${ref} ${pattern}`).toEqual([]);
    }
    expect(scripts).toBe(2);
    // The start-up code points at COIN's own description and turns the online validator off.
    const init = await get('/api/v1/docs/init.js');
    expect(init.text).toContain('"/api/v1/openapi.json"');
    expect(init.text).toMatch(/validatorUrl:\s*'none'/);
  });

  it('GIVEN a name under /docs/ that is not one of its files THEN it is not served (no path into node_modules)', async () => {
    for (const path of ['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/swagger-ui.js.map', '/docs/index.html']) {
      const r = await get(`/api/v1${path}`);
      expect(r.status, path).not.toBe(200);
      expect(r.text).not.toContain('swagger-ui-dist');
    }
  });

  const CHROMIUM = '/usr/bin/chromium';
  it.skipIf(!existsSync(CHROMIUM))(
    'GIVEN a real Chromium with no way out THEN the page lists the operations, "Try it out" with a token works, every request stayed on COIN, no CSP violation',
    async () => {
      const { chromium } = await import('playwright-core');
      const server: ServerType = await new Promise((resolve) => {
        const s = serve({ fetch: k.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
      });
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
      });
      try {
        const page = await browser.newPage();
        const requests: string[] = [];
        const failed: string[] = [];
        const problems: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(String(e)));
        await page.goto(`${origin}${DOCS}`);
        await page.locator('.opblock').first().waitFor({ timeout: 20_000 });

        const spec = (await get('/api/v1/openapi.json').then((r) => JSON.parse(r.text))) as { paths: Record<string, object> };
        const operations = Object.values(spec.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
        expect(await page.locator('.opblock').count()).toBe(operations);
        expect(await page.title()).toBe('COIN API');
        expect(await page.locator('.info .title').innerText()).toContain('COIN API');

        // A user pastes their token into "Authorize" and tries GET /me: the call goes to COIN.
        const token = await k.tokenFor(ANN, 'docs');
        await page.locator('.auth-wrapper .authorize').click();
        await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(token);
        await page.locator('.modal-ux .auth-btn-wrapper .authorize').click();
        await page.locator('.modal-ux .btn-done').click();
        const me = page.locator('.opblock', { has: page.locator('[data-path="/me"]') }).first();
        await me.locator('.opblock-summary').click();
        await me.locator('.try-out__btn').click();
        await me.locator('.execute').click();
        await expect.poll(() => me.locator('.live-responses-table tr.response .response-col_status').first().innerText().catch(() => ''), { timeout: 15_000 }).toMatch(/^200/);
        expect(await me.locator('.live-responses-table tr.response .response-col_description').first().innerText()).toContain('"name": "docs"'); // the token's own name

        expect(requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'))).toEqual([]);
        expect(failed).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
        await new Promise((resolve) => server.close(resolve));
      }
    },
    60_000,
  );
});
