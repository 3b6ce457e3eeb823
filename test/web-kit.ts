import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { createLogger } from '../app/logger.js';
import { createHarness, type TestUser } from './harness.js';
import { signInitData } from '../adapters/web/telegram-init-data.js';
import { mountWeb } from '../adapters/web/web-app.js';
import type { WebDeps } from '../adapters/web/web-env.js';

export const BOT_TOKEN = '123456:TEST-token-for-web-app-tests_abcdef';
export const BASE = 'http://coin.test';

export interface WebResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

/**
 * The web app on a real database next to the chat bot (the test harness), with a browser-like
 * client per person: it keeps the session cookie and reads the CSRF token from the pages.
 */
export async function createWebKit(opts: { signInLimit?: WebDeps['signInLimit'] } = {}) {
  const logs: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  );
  const h = await createHarness({ extend: (s) => ((s.logger = logger), (s.webAppUrl = BASE)) });
  const app = new Hono();
  mountWeb(app, {
    store: h.services.store,
    clock: h.clock,
    logger,
    defaults: h.services.defaults,
    telegramBotToken: BOT_TOKEN,
    publicUrl: BASE,
    signInLimit: opts.signInLimit ?? false,
  });

  /** A browser: one cookie jar. */
  function browser() {
    const jar = new Map<string, string>();
    async function request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<WebResponse> {
      const hdrs: Record<string, string> = { ...headers };
      if (jar.size) hdrs.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      let body: string | undefined;
      if (form) {
        body = new URLSearchParams(form).toString();
        hdrs['content-type'] = 'application/x-www-form-urlencoded';
      }
      const res = await app.request(`${BASE}${path}`, { method, headers: hdrs, ...(body !== undefined ? { body } : {}) });
      for (const c of res.headers.getSetCookie()) {
        const [pair = '', ...attrs] = c.split(';');
        const i = pair.indexOf('=');
        const name = pair.slice(0, i).trim();
        const value = pair.slice(i + 1).trim();
        if (!value || attrs.some((a) => /max-age=0\b/i.test(a.trim()))) jar.delete(name);
        else jar.set(name, value);
      }
      return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location') };
    }
    let csrf = '';
    return {
      jar,
      get: async (path: string) => {
        const r = await request('GET', path);
        const m = /name="_csrf" value="([^"]+)"/.exec(r.text);
        if (m) csrf = m[1]!;
        return r;
      },
      /** Posts a form with this session's CSRF token (unless `_csrf` is given). */
      post: (path: string, form: Record<string, string> = {}, headers: Record<string, string> = {}) =>
        request('POST', path, { _csrf: csrf, ...form }, headers),
      raw: request,
      get csrf() {
        return csrf;
      },
    };
  }

  /** `/app` in the person's private chat, as they would ask: the sign-in link's path. */
  async function linkFor(user: TestUser, group?: string): Promise<string> {
    const text = await h.say(user, '/app', group);
    const m = /https?:\/\/\S+(\/app\/auth\/link\/\S+)/.exec(text);
    if (!m) throw new Error(`no link in: ${text}`);
    return m[1]!;
  }

  /** A browser signed in as `user` through a one-time link. */
  async function signedIn(user: TestUser) {
    const b = browser();
    const r = await b.raw('POST', await linkFor(user));
    if (r.status !== 303) throw new Error(`sign-in failed: ${r.status} ${r.text}`);
    return b;
  }

  /** initData as Telegram signs it for `user` at `at` (default: the harness clock). */
  const initData = (user: TestUser, at = h.clock.now(), token = BOT_TOKEN) =>
    signInitData(
      {
        auth_date: String(Math.floor(at.getTime() / 1000)),
        query_id: `q${Math.random().toString(36).slice(2)}`,
        user: JSON.stringify({ id: Number(user.id), first_name: user.name, language_code: user.locale ?? 'en' }),
      },
      token,
    );

  return { h, app, logs, browser, linkFor, signedIn, initData, close: () => h.close() };
}

export type WebKit = Awaited<ReturnType<typeof createWebKit>>;
