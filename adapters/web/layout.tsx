/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import type { Book, Language, Role } from '../../domain/types.js';
import { t } from '../../bot/i18n/index.js';
import type { Assets } from './assets.js';

export type Tab = 'overview' | 'records' | 'stats' | 'plans' | 'accounts' | 'members' | 'settings';

const TABS: Tab[] = ['overview', 'records', 'stats', 'plans', 'accounts', 'members', 'settings'];
const TAB_PATH: Record<Tab, string> = { overview: '', records: '/records', stats: '/stats', plans: '/plans', accounts: '/accounts', members: '/members', settings: '/settings' };

export interface PageProps {
  lang: Language;
  title: string;
  assets: Assets;
  /** Extra scripts by logical name (`charts.js`). */
  scripts?: string[];
  /** The book on screen, the user's books (switcher) and the tab. */
  book?: Book & { role: Role };
  books?: (Book & { role: Role })[];
  tab?: Tab;
  children?: Child;
}

export const bookPath = (bookId: number, tab: Tab = 'overview'): string => `/app/b/${bookId}${TAB_PATH[tab]}`;

/** Hidden CSRF field for every form that changes something. */
export const Csrf = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

/** One button posting to `action` with the CSRF token; with `confirm`, the page asks first. */
export const PostButton = (p: { action: string; csrf: string; label: string; confirm?: string; danger?: boolean }) => (
  <form method="post" action={p.action}>
    <Csrf token={p.csrf} />
    <button type="submit" class={p.danger ? 'danger' : 'quiet'} data-confirm={p.confirm}>
      {p.label}
    </button>
  </form>
);

/** The page shell: book switcher, tabs, main landmark; scripts deferred, no inline code. */
export function Page(p: PageProps) {
  return (
    <html lang={p.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{p.title} · COIN</title>
        <link rel="stylesheet" href={p.assets.url('app.css')} />
        <script src={p.assets.url('app.js')} defer></script>
        {(p.scripts ?? []).map((s) => (
          <script src={p.assets.url(s)} defer></script>
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          {t(p.lang, 'web.skip')}
        </a>
        {p.book && p.books ? <TopBar {...p} book={p.book} books={p.books} /> : null}
        <main id="main" tabindex={-1}>
          {p.children}
        </main>
      </body>
    </html>
  );
}

function TopBar(p: PageProps & { book: Book & { role: Role }; books: (Book & { role: Role })[] }) {
  return (
    <header class="top">
      <form class="book-switch" method="get" action="/app/go" aria-label={t(p.lang, 'web.books')}>
        <label for="book-select" class="sr-only">
          {t(p.lang, 'web.book')}
        </label>
        <select id="book-select" name="book" data-autosubmit>
          {p.books.map((b) => (
            <option value={String(b.id)} selected={b.id === p.book.id}>
              {b.title || `#${b.id}`} · {t(p.lang, `role.${b.role}`)}
            </option>
          ))}
        </select>
        <button type="submit" class="quiet shrink" data-autosubmit-hide>
          {t(p.lang, 'web.open')}
        </button>
        <a class="button quiet shrink" href="/app/sessions">
          {t(p.lang, 'web.sessions')}
        </a>
      </form>
      <nav class="tabs" aria-label={t(p.lang, 'web.sections')}>
        {TABS.map((tab) => (
          <a href={bookPath(p.book.id, tab)} aria-current={tab === p.tab ? 'page' : undefined}>
            {t(p.lang, `web.tab.${tab}`)}
          </a>
        ))}
      </nav>
    </header>
  );
}

/** A message after an action, focused so screen readers announce it. */
export function Notice(p: { kind?: 'error' | 'info'; children?: Child }) {
  return (
    <div class={p.kind === 'error' ? 'notice error' : 'notice'} role={p.kind === 'error' ? 'alert' : 'status'} tabindex={-1} data-focus>
      {p.children}
    </div>
  );
}
