/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { Actor } from '../../domain/access/actor.js';
import { isDomainError } from '../../domain/errors.js';
import type { Book, Language } from '../../domain/types.js';
import type { EntryRecorded } from '../../domain/ledger/record-entry.js';
import { t, type MessageKey } from '../../bot/i18n/index.js';
import { messageFor } from '../../bot/messages.js';
import { buildAssets } from './assets.js';
import { Notice, Page, bookPath, type Tab } from './layout.js';
import type { WebDeps, WebEnv } from './web-env.js';

/** What a book page handler sees: the acting member (same Actor as chat and API), language, CSRF token. */
export interface WebContext {
  actor: Actor;
  lang: Language;
  csrf: string;
}

/** Tells the book's chats the budget alerts a web record triggered; a failure is logged, the record stands. */
export async function announce(deps: WebDeps, book: Book, r: EntryRecorded): Promise<void> {
  if (r.alertError) deps.logger.error({ err: String(r.alertError), book: book.id }, 'budget alert check failed');
  if (r.alerts.length && deps.tellBook)
    await deps.tellBook(book, r.alerts).catch((err) => deps.logger.error({ err: String(err), book: book.id }, 'budget alerts not queued'));
}

/** A form field as text ('' when missing); the body is parsed once and cached by hono. */
export async function formText(c: Context, name: string): Promise<string> {
  const body = await c.req.parseBody();
  const v = body[name];
  return typeof v === 'string' ? v : '';
}

/** A user-caused failure as text in the book's language; anything else is rethrown. */
export function errorText(e: unknown, lang: Language, hint?: MessageKey): string {
  if (isDomainError(e)) return hint ? t(lang, hint) : messageFor(e, lang);
  throw e;
}

const STATUS: Record<string, 403 | 404 | 422 | 429> = { not_found: 404, event_unknown: 404, forbidden: 403, event_not_yours: 403, rate_limited: 429 };

/**
 * Renders one page of a book the session's user belongs to. Another person's book (or none)
 * is 404 exactly like a missing one. A DomainError from the handler becomes a message page
 * with the matching status; the handler may also answer with its own Response (redirects).
 */
export async function bookPage(
  c: Context<WebEnv>,
  deps: WebDeps,
  tab: Tab,
  body: (w: WebContext) => Promise<Child | Response>,
): Promise<Response> {
  const session = c.get('session');
  const bookId = Number(c.req.param('bookId'));
  const assets = await buildAssets();
  const books = await deps.store.booksOfUser(session.userId);
  const mine = books.find((b) => b.id === bookId);
  if (!mine) return notFound(c, deps, books[0]?.language ?? deps.defaults.language);
  // The membership came with the book list (one query): the same role `apiActor` would read.
  const { role, ...book } = mine;
  const actor: Actor = { store: deps.store, clock: deps.clock, book, userId: session.userId, role };
  const w: WebContext = { actor, lang: actor.book.language, csrf: c.get('csrf') };
  let content: Child | Response;
  try {
    content = await body(w);
  } catch (e) {
    if (!isDomainError(e)) throw e;
    c.status(STATUS[e.code] ?? 422);
    content = <Notice kind="error">{messageFor(e, w.lang)}</Notice>;
  }
  if (content instanceof Response) return content;
  const scripts = tab === 'stats' ? ['charts.js'] : [];
  return c.html(
    <Page lang={w.lang} title={t(w.lang, `web.tab.${tab}`)} assets={assets} book={{ ...actor.book, role: actor.role }} books={books} tab={tab} scripts={scripts}>
      {content}
    </Page>,
  );
}

/**
 * A form post on a book page: runs the action, then back to the tab (303); a user-caused failure
 * shows the tab again with the message (403 forbidden, 404 not in this book, else 422).
 */
export function formAction(
  c: Context<WebEnv>,
  deps: WebDeps,
  tab: Tab,
  render: (w: WebContext, error: string) => Promise<Child>,
  act: (w: WebContext) => Promise<unknown>,
  query = '',
): Promise<Response> {
  return bookPage(c, deps, tab, async (w) => {
    try {
      await act(w);
    } catch (e) {
      const text = errorText(e, w.lang);
      c.status(isDomainError(e) ? (STATUS[e.code] ?? 422) : 422);
      return render(w, text);
    }
    return c.redirect(bookPath(w.actor.book.id, tab) + query, 303);
  });
}

/** The 404 page (unknown paths and other people's books alike). */
export async function notFound(c: Context, _deps: WebDeps, lang: Language): Promise<Response> {
  const assets = await buildAssets();
  return c.html(
    <Page lang={lang} title={t(lang, 'web.not_found')} assets={assets}>
      <div class="center">
        <h1>{t(lang, 'web.not_found')}</h1>
        <p>
          <a href="/app">{t(lang, 'web.home')}</a>
        </p>
      </div>
    </Page>,
    404,
  );
}

/** A page outside any book (sign-in, sessions, messages). */
export async function plainPage(c: Context, lang: Language, title: string, content: Child, status: 200 | 400 | 401 | 403 | 429 = 200): Promise<Response> {
  const assets = await buildAssets();
  return c.html(
    <Page lang={lang} title={title} assets={assets}>
      {content}
    </Page>,
    status,
  );
}
