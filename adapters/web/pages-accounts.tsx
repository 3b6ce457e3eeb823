/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { addAccount, deleteAccount, listAccounts, renameAccount, setDefaultAccount } from '../../domain/ledger/accounts.js';
import { deleteLabel, labelsWithTotals, mergeLabels, renameLabel } from '../../domain/ledger/labels.js';
import { can } from '../../domain/access/permissions.js';
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/access/actor.js';
import type { Language } from '../../domain/types.js';
import { formatMoney } from '../../domain/money/money.js';
import { periodText } from '../../bot/format.js';
import { t } from '../../bot/i18n/index.js';
import { Csrf, Notice, PostButton, bookPath } from './layout.js';
import { bookPage, formAction, formText, type WebContext } from './web-page.js';
import type { WebDeps, WebEnv } from './web-env.js';

const BOOK = '/b/:bookId{[0-9]{1,9}}';

/**
 * Names go to the same use cases as `/account …` and `/label …` in a chat, which read their
 * arguments with the chat tokenizer: a name with spaces is quoted. Account and label names cannot
 * hold a double quote (they are checked there), so quoting is enough; a stray quote is refused.
 */
const quoted = (name: string) => `"${name.trim().replace(/"/g, '')}"`;

/** A name field with its Rename button (the field holds the current name). */
const RenameForm = (p: { action: string; csrf: string; id: string; name: string; shown?: string; lang: Language }) => (
  <form method="post" action={p.action} class="row">
    <Csrf token={p.csrf} />
    <label class="sr-only" for={p.id}>
      {t(p.lang, 'web.rename_of', { name: p.shown ?? p.name })}
    </label>
    <input id={p.id} name="name" value={p.name} required maxlength={32} />
    <button type="submit" class="quiet shrink">
      {t(p.lang, 'web.rename')}
    </button>
  </form>
);

async function accountsPage(w: WebContext, error?: string) {
  const { actor, lang } = w;
  const [accounts, { period, labels, totals }] = await Promise.all([listAccounts(actor), labelsWithTotals(actor)]);
  const base = bookPath(actor.book.id, 'accounts');
  const may = can(actor.role, 'manage');
  const money = (m: number, c: string) => formatMoney(m, c, { lang });
  const spent = (name: string) =>
    totals
      .filter((x) => x.name.toLowerCase() === name.toLowerCase())
      .map((x) => money(x.expenseMinor || x.incomeMinor, x.currency))
      .join(' · ') || '—';
  return (
    <>
      <h1>{t(lang, 'web.accounts_title')}</h1>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <h2 id="h-acc">{t(lang, 'web.accounts')}</h2>
      {accounts.length === 0 ? <p class="muted">{t(lang, 'web.no_accounts')}</p> : null}
      <ul class="records" aria-labelledby="h-acc">
        {accounts.map((a) => (
          <li>
            <div>
              <strong>{a.name}</strong>
              <div class="meta">
                {a.currency}
                {a.id === actor.book.defaultAccountId ? ` · ${t(lang, 'web.default')}` : ''}
              </div>
            </div>
            <div class={`amount ${a.balanceMinor < 0 ? 'neg' : ''}`}>{money(a.balanceMinor, a.currency)}</div>
            {may ? (
              <div class="actions">
                <RenameForm action={`${base}/account/${a.id}/rename`} csrf={w.csrf} id={`acc-${a.id}`} name={a.name} lang={lang} />
                {a.id === actor.book.defaultAccountId ? null : <PostButton action={`${base}/account/${a.id}/default`} csrf={w.csrf} label={t(lang, 'web.make_default')} />}
                <PostButton action={`${base}/account/${a.id}/delete`} csrf={w.csrf} label={t(lang, 'web.template.delete')} danger confirm={t(lang, 'web.confirm_account_delete', { name: a.name })} />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {may ? (
        <form method="post" action={`${base}/account`} class="card">
          <Csrf token={w.csrf} />
          <label for="acc-new">{t(lang, 'web.account_new')}</label>
          <input id="acc-new" name="name" required maxlength={32} />
          <label for="acc-cur">{t(lang, 'web.currency')}</label>
          <input id="acc-cur" name="currency" value={actor.book.currency} maxlength={3} />
          <label for="acc-open">{t(lang, 'web.opening')}</label>
          <input id="acc-open" name="opening" inputmode="decimal" maxlength={24} placeholder="0" />
          <p>
            <button type="submit">{t(lang, 'web.add')}</button>
          </p>
        </form>
      ) : null}
      <h2 id="h-lab">{t(lang, 'web.labels')}</h2>
      <p class="muted">{t(lang, 'web.labels_period', { period: periodText(period, lang) })}</p>
      {labels.length === 0 ? <p class="muted">{t(lang, 'web.no_labels')}</p> : null}
      <ul class="records" aria-labelledby="h-lab">
        {labels.map((l) => (
          <li>
            <div>
              <strong>#{l.name}</strong>
            </div>
            <div class="amount">{spent(l.name)}</div>
            {may ? (
              <div class="actions">
                <RenameForm action={`${base}/label/${l.id}/rename`} csrf={w.csrf} id={`lab-${l.id}`} name={l.name} shown={`#${l.name}`} lang={lang} />
                {labels.length > 1 ? (
                  <form method="post" action={`${base}/label/${l.id}/merge`} class="row">
                    <Csrf token={w.csrf} />
                    <label class="sr-only" for={`into-${l.id}`}>
                      {t(lang, 'web.merge_into_of', { name: `#${l.name}` })}
                    </label>
                    <select id={`into-${l.id}`} name="into">
                      {labels
                        .filter((x) => x.id !== l.id)
                        .map((x) => (
                          <option value={x.name}>#{x.name}</option>
                        ))}
                    </select>
                    <button type="submit" class="quiet shrink" data-confirm={t(lang, 'web.confirm_label_merge', { name: l.name })}>
                      {t(lang, 'web.merge')}
                    </button>
                  </form>
                ) : null}
                <PostButton action={`${base}/label/${l.id}/delete`} csrf={w.csrf} label={t(lang, 'web.template.delete')} danger confirm={t(lang, 'web.confirm_label_delete', { name: l.name })} />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

/** The account or label a form names by id, as the name the chat use cases take (404 when not in this book). */
async function accountById(actor: Actor, id: number): Promise<string> {
  const a = (await listAccounts(actor)).find((x) => x.id === id);
  if (!a) throw new DomainError('not_found', {});
  return quoted(a.name);
}
async function labelById(actor: Actor, id: number): Promise<string> {
  const l = (await labelsWithTotals(actor)).labels.find((x) => x.id === id);
  if (!l) throw new DomainError('not_found', {});
  return `#${l.name}`;
}

type Form = (field: string) => Promise<string>;
const ACCOUNT_ACTIONS = {
  rename: async (a: Actor, name: string, form: Form) => renameAccount(a, `${name} ${quoted(await form('name'))}`),
  default: (a: Actor, name: string) => setDefaultAccount(a, name),
  delete: (a: Actor, name: string) => deleteAccount(a, name),
} as const;
const LABEL_ACTIONS = {
  rename: async (a: Actor, name: string, form: Form) => renameLabel(a, `${name} ${quoted(await form('name'))}`),
  merge: async (a: Actor, name: string, form: Form) => mergeLabels(a, `${name} ${quoted(await form('into'))}`),
  delete: (a: Actor, name: string) => deleteLabel(a, name),
} as const;

/** Accounts and labels: the same use cases, permissions and errors as `/account` and `/label`. */
export function accountRoutes(app: Hono<WebEnv>, deps: WebDeps): void {
  const form = (c: Context): Form => async (k) => (await formText(c, k)).slice(0, 64);
  app.get(`${BOOK}/accounts`, (c) => bookPage(c, deps, 'accounts', (w) => accountsPage(w)));
  app.post(`${BOOK}/accounts/account`, (c) =>
    formAction(c, deps, 'accounts', accountsPage, async (w) => {
      const [name, currency, opening] = await Promise.all(['name', 'currency', 'opening'].map(form(c)));
      await addAccount(w.actor, [quoted(name!), currency!.trim().slice(0, 3), opening!.trim()].filter(Boolean).join(' '));
    }),
  );
  app.post(`${BOOK}/accounts/account/:id{[0-9]{1,9}}/:act{rename|default|delete}`, (c) =>
    formAction(c, deps, 'accounts', accountsPage, async (w) =>
      ACCOUNT_ACTIONS[c.req.param('act') as keyof typeof ACCOUNT_ACTIONS](w.actor, await accountById(w.actor, Number(c.req.param('id'))), form(c)),
    ),
  );
  app.post(`${BOOK}/accounts/label/:id{[0-9]{1,9}}/:act{rename|merge|delete}`, (c) =>
    formAction(c, deps, 'accounts', accountsPage, async (w) =>
      LABEL_ACTIONS[c.req.param('act') as keyof typeof LABEL_ACTIONS](w.actor, await labelById(w.actor, Number(c.req.param('id'))), form(c)),
    ),
  );
}
