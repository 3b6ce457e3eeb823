/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MAX_IMPORT_BYTES } from '../../domain/ledger/csv-import.js';
import { formatDateTime } from '../../domain/parsing/dates.js';
import { csrfToken, openSession, sha256, useSignInLink, type SessionVia } from '../../domain/access/web-access.js';
import type { Language } from '../../domain/types.js';
import { languageOf, t } from '../../bot/i18n/index.js';
import { buildAssets } from './assets.js';
import { Csrf, bookPath } from './layout.js';
import { recordRoutes } from './pages-records.js';
import { bookRoutes } from './pages-book.js';
import { accountRoutes } from './pages-accounts.js';
import { INIT_DATA_MAX_AGE_MS, checkInitData } from './telegram-init-data.js';
import { clearSessionCookie, loggablePath, requireCsrf, requireSession, sameOrigin, sessionSecret, setSessionCookie, signInLimit } from './web-auth.js';
import { WEB_PREFIX, type WebDeps, type WebEnv } from './web-env.js';
import { formText, notFound, plainPage } from './web-page.js';
import { exportRoute } from './export-route.js';
import { describeAgent } from './user-agent.js';

/**
 * The strict policy of every web app response: scripts, styles, images and requests only from
 * this origin, no inline code, forms post here only; framed only by Telegram's web clients.
 */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'self' https://web.telegram.org https://*.telegram.org";

const langOf = (c: Context): Language => languageOf(c.req.header('accept-language'));

/** Sign-in page: inside Telegram the script signs in with initData; elsewhere it says how to get a link. */
function signInPage(c: Context, lang: Language, message?: string, status: 200 | 400 | 401 | 429 = 200) {
  return plainPage(
    c,
    lang,
    t(lang, 'web.sign_in'),
    <div class="center">
      <h1>COIN</h1>
      {message ? (
        <p class="notice error" role="alert">
          {message}
        </p>
      ) : null}
      <p>{t(lang, 'web.sign_in_how')}</p>
      <form id="tg-sign-in" method="post" action="/app/auth/telegram">
        <input type="hidden" name="initData" value="" />
        <p id="tg-waiting" class="muted" hidden>
          {t(lang, 'web.signing_in')}
        </p>
      </form>
    </div>,
    status,
  );
}

/** Builds the web app (mounted at `/app`). */
export function createWebApp(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const logger = deps.logger.child({ component: 'web' });
  void buildAssets().catch((err) => logger.error({ err: String(err) }, 'web assets failed to build'));

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const line = { method: c.req.method, path: loggablePath(c.req.path), status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 };
    if (c.res.status >= 500) logger.error(line, 'web request');
    else logger.debug(line, 'web request');
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    // Sign-in links carry a secret in the path: never leak it through Referer.
    c.header('Referrer-Policy', 'no-referrer');
    if (!c.res.headers.get('Cache-Control')) c.header('Cache-Control', 'no-store');
  });

  // Bodies: a CSV import may be large (the chat's limit); every other form is small.
  app.use('*', async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const maxSize = /^\/app\/b\/\d+\/import$/.test(c.req.path) ? MAX_IMPORT_BYTES + 64 * 1024 : 64 * 1024;
    return bodyLimit({ maxSize, onError: (c2) => c2.text('The request is too large.', 413) })(c, next);
  });

  app.use('*', sameOrigin());

  app.onError((err, c) => {
    logger.error({ err: String(err), path: loggablePath(c.req.path) }, 'web error');
    return c.text('Something went wrong on our side.', 500);
  });

  app.get('/assets/:file{[A-Za-z0-9._-]{1,80}}', async (c) => {
    const assets = await buildAssets();
    const a = assets.byFile.get(c.req.param('file'));
    if (!a) return c.text('Not found', 404);
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    c.header('Content-Type', a.type);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('Vary', 'Accept-Encoding');
    if (gzip) c.header('Content-Encoding', 'gzip');
    return c.body(new Uint8Array(gzip ? a.gzip : a.body));
  });

  // --- sign-in -------------------------------------------------------------------------------
  app.get('/sign-in', (c) => signInPage(c, langOf(c)));

  const startSession = async (c: Context, userId: number, via: SessionVia, to: string) => {
    const { secret } = await openSession(deps.store, deps.clock, userId, via, c.req.header('user-agent') ?? '');
    setSessionCookie(c, deps, secret);
    return c.redirect(to, 303);
  };

  app.post('/auth/telegram', signInLimit(deps), async (c) => {
    const lang = langOf(c);
    if (!deps.telegramBotToken) return signInPage(c, lang, t(lang, 'web.telegram_off'), 400);
    const raw = (await formText(c, 'initData')).slice(0, 10_000);
    const now = deps.clock.now();
    const check = checkInitData(raw, deps.telegramBotToken, now);
    if (!check.ok) {
      logger.warn({ reason: check.reason }, 'telegram sign-in refused');
      return signInPage(c, lang, t(lang, check.reason === 'expired' ? 'web.init_expired' : 'web.init_invalid'), 401);
    }
    // Replay: one signed payload opens one session.
    if (!(await deps.store.claimInitData(sha256(check.hash), now, new Date(now.getTime() - 2 * INIT_DATA_MAX_AGE_MS)))) {
      logger.warn({}, 'telegram sign-in replayed');
      return signInPage(c, lang, t(lang, 'web.init_invalid'), 401);
    }
    const u = check.user;
    const name = [u.first_name, u.last_name].filter(Boolean).join(' ') || u.username || String(u.id);
    // The person's private chat with the bot is their personal book (created as the chat would).
    const entered = await deps.store.enter(
      { platform: 'telegram', chatId: String(u.id), kind: 'private', title: name },
      { platform: 'telegram', externalId: String(u.id), name, username: u.username, locale: u.language_code },
      false,
      { ...deps.defaults, language: languageOf(u.language_code) },
    );
    return startSession(c, entered!.user.id, 'telegram', bookPath(entered!.book.id));
  });

  // GET only shows a button: link previews (Telegram, Discord) fetch links and must not use them.
  app.get('/auth/link/:secret{[A-Za-z0-9_-]{1,80}}', (c) => {
    const lang = langOf(c);
    return plainPage(
      c,
      lang,
      t(lang, 'web.sign_in'),
      <div class="center">
        <h1>COIN</h1>
        <form method="post" action={`/app/auth/link/${c.req.param('secret')}`}>
          <button type="submit" autofocus>
            {t(lang, 'web.sign_in_continue')}
          </button>
        </form>
      </div>,
    );
  });
  app.post('/auth/link/:secret{[A-Za-z0-9_-]{1,80}}', signInLimit(deps), async (c) => {
    const used = await useSignInLink(deps.store, deps.clock, c.req.param('secret'));
    if (!used) {
      const lang = langOf(c);
      return plainPage(c, lang, t(lang, 'web.sign_in'), <div class="center"><h1>COIN</h1><p role="alert">{t(lang, 'web.link_invalid')}</p></div>, 400);
    }
    return startSession(c, used.userId, 'link', used.bookId ? bookPath(used.bookId) : '/app');
  });

  // --- everything below needs a session and, for writes, its CSRF token ---------------------
  app.use('*', requireSession(deps));
  app.use('*', requireCsrf());

  app.get('/', async (c) => {
    const books = await deps.store.booksOfUser(c.get('session').userId);
    const first = books[0];
    if (!first) return plainPage(c, langOf(c), 'COIN', <div class="center"><p>{t(langOf(c), 'web.no_books')}</p></div>);
    return c.redirect(bookPath(first.id), 303);
  });
  app.get('/go', (c) => {
    const id = Number(c.req.query('book'));
    return c.redirect(Number.isSafeInteger(id) && id > 0 ? bookPath(id) : '/app', 303);
  });

  app.post('/sign-out', async (c) => {
    const s = c.get('session');
    await deps.store.revokeSession(s.userId, s.id, deps.clock.now());
    clearSessionCookie(c);
    return c.redirect('/app/sign-in', 303);
  });

  app.get('/sessions', async (c) => {
    const s = c.get('session');
    const [list, books] = await Promise.all([deps.store.listSessions(s.userId, deps.clock.now()), deps.store.booksOfUser(s.userId)]);
    const lang = books[0]?.language ?? langOf(c);
    const tz = books[0]?.timezone ?? 'UTC';
    const csrf = csrfToken(sessionSecret(c)!);
    return plainPage(
      c,
      lang,
      t(lang, 'web.sessions'),
      <>
        <p>
          <a href="/app">← {t(lang, 'web.home')}</a>
        </p>
        <h1>{t(lang, 'web.sessions')}</h1>
        <table>
          <thead>
            <tr>
              <th scope="col">{t(lang, 'web.session_device')}</th>
              <th scope="col">{t(lang, 'web.session_seen')}</th>
              <th scope="col"></th>
            </tr>
          </thead>
          <tbody>
            {list.map((x) => (
              <tr>
                <td>
                  {describeAgent(x.agent)} <span class="muted">({x.via === 'telegram' ? 'Telegram' : t(lang, 'web.via_link')})</span>
                  {x.id === s.id ? <strong> · {t(lang, 'web.this_session')}</strong> : null}
                </td>
                <td class="nowrap">{formatDateTime(x.lastSeenAt, tz)}</td>
                <td>
                  <form method="post" action={x.id === s.id ? '/app/sign-out' : `/app/sessions/${x.id}/revoke`}>
                    <Csrf token={csrf} />
                    <button type="submit" class="danger">
                      {x.id === s.id ? t(lang, 'web.sign_out') : t(lang, 'web.revoke')}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/app/sessions/revoke-all">
          <Csrf token={csrf} />
          <p>
            <button type="submit" class="danger">
              {t(lang, 'web.revoke_all')}
            </button>
          </p>
        </form>
        <p class="muted">{t(lang, 'web.revoke_chat')}</p>
      </>,
    );
  });
  app.post('/sessions/:id{[0-9]{1,9}}/revoke', async (c) => {
    await deps.store.revokeSession(c.get('session').userId, Number(c.req.param('id')), deps.clock.now());
    return c.redirect('/app/sessions', 303);
  });
  app.post('/sessions/revoke-all', async (c) => {
    await deps.store.revokeAllSessions(c.get('session').userId, deps.clock.now());
    clearSessionCookie(c);
    return c.redirect('/app/sign-in', 303);
  });

  recordRoutes(app, deps);
  bookRoutes(app, deps);
  accountRoutes(app, deps);
  exportRoute(app, deps);
  app.notFound((c) => notFound(c, deps, langOf(c)));
  return app;
}

/** Mounts the web app at `/app` on the HTTP app (the composition root's `mount`). */
export function mountWeb(app: Hono, deps: WebDeps): void {
  const web = createWebApp(deps);
  app.route(WEB_PREFIX, web);
}
