/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { decodeCursor, encodeCursor, listEventPage } from '../../domain/access/api-access.js';
import type { EventPageFilter } from '../../domain/access/ports.js';
import type { Actor } from '../../domain/access/actor.js';
import { parseAmount } from '../../domain/money/amount.js';
import { formatDate } from '../../domain/parsing/dates.js';
import { DomainError } from '../../domain/errors.js';
import { editEvent } from '../../domain/ledger/edit.js';
import { deleteEvent, findAccount, restoreEvent, undo } from '../../domain/ledger/record.js';
import { minorToDecimal } from '../../domain/money/money.js';
import { can } from '../../domain/access/permissions.js';
import { parsePeriod } from '../../domain/parsing/period.js';
import { parseQuickEntry } from '../../domain/parsing/record-line.js';
import { recordEntry } from '../../domain/ledger/record-entry.js';
import type { LedgerEvent } from '../../domain/types.js';
import { eventAmount, eventSummary } from '../../bot/format.js';
import { t } from '../../bot/i18n/index.js';
import { Csrf, Notice, bookPath } from './layout.js';
import { announce, bookPage, errorText, formText, type WebContext } from './web-page.js';
import type { WebDeps, WebEnv } from './web-env.js';

const PAGE_SIZE = 30;

/** The search form's fields, as written in the query string. */
interface Search {
  q: string;
  label: string;
  account: string;
  member: string;
  min: string;
  max: string;
  period: string;
}

const searchOf = (q: (k: string) => string | undefined): Search => {
  const v = (k: string) => (q(k) ?? '').trim().slice(0, 100);
  return { q: v('q'), label: v('label').replace(/^#/, ''), account: v('account'), member: v('member'), min: v('min'), max: v('max'), period: v('period') };
};

const searchQuery = (s: Search, extra: Record<string, string> = {}): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...s, ...extra })) if (v) p.set(k, v);
  const text = p.toString();
  return text ? `?${text}` : '';
};

/** Resolves the written search against the book; a bad field is a DomainError the page shows. */
async function filterOf(a: Actor, s: Search, cursor: string | undefined): Promise<EventPageFilter> {
  const f: EventPageFilter = { limit: PAGE_SIZE, q: s.q || undefined, label: s.label || undefined };
  if (cursor) f.after = decodeCursor(cursor);
  if (s.account) {
    const accounts = await a.store.listAccounts(a.book.id);
    const acc = findAccount(accounts, s.account);
    if (!acc) throw new DomainError('account_unknown', { account: s.account, accounts: accounts.map((x) => x.name) });
    f.accountId = acc.id;
  }
  if (s.member) {
    const id = Number(s.member);
    const members = await a.store.listMembers(a.book.id);
    const m = members.find((x) => x.userId === id);
    if (!m) throw new DomainError('member_unknown', { member: s.member });
    f.authorId = m.userId;
  }
  if (s.min) f.minMinor = parseAmount(s.min, a.book.currency).minor;
  if (s.max) f.maxMinor = parseAmount(s.max, a.book.currency).minor;
  if (s.period) {
    const p = parsePeriod(s.period, a.clock.now(), a.book.timezone);
    f.from = p.start;
    f.to = p.end;
  }
  return f;
}

/** What the page says after an action (`?done=recorded:12`). */
async function doneNotice(w: WebContext, done: string | undefined) {
  const m = /^(recorded|deleted|undone|restored|edited):(\d{1,9})$/.exec(done ?? '');
  if (!m) return null;
  const seq = Number(m[2]);
  const ev = await w.actor.store.getEvent(w.actor.book.id, seq, true);
  if (!ev) return null;
  const { lang } = w;
  const what = eventSummary(ev, lang);
  const key = { recorded: 'web.done.recorded', deleted: 'web.done.deleted', undone: 'web.done.undone', restored: 'web.done.restored', edited: 'web.done.edited' } as const;
  const canRestore = m[1] === 'deleted' || m[1] === 'undone';
  const canUndo = m[1] === 'recorded' && !ev.deletedAt;
  const records = bookPath(w.actor.book.id, 'records');
  return (
    <Notice>
      {t(lang, key[m[1] as keyof typeof key], { seq, what })}{' '}
      {canUndo ? (
        <form method="post" action={`${records}/${seq}/undo`}>
          <Csrf token={w.csrf} />
          <button type="submit" class="quiet">
            {t(lang, 'record.undo')}
          </button>
        </form>
      ) : null}
      {canRestore ? (
        <form method="post" action={`${records}/${seq}/restore`}>
          <Csrf token={w.csrf} />
          <button type="submit" class="quiet">
            {t(lang, 'record.restore')}
          </button>
        </form>
      ) : null}
    </Notice>
  );
}

function RecordItem({ w, e, receipt }: { w: WebContext; e: LedgerEvent; receipt: boolean }) {
  const { lang, actor } = w;
  const tz = actor.book.timezone;
  const mine = e.authorId === actor.userId;
  const mayChange = mine ? can(actor.role, 'edit-own') : can(actor.role, 'edit-any');
  const records = bookPath(actor.book.id, 'records');
  const title = e.kind === 'transfer' ? `${e.accountName} → ${e.toAccountName ?? '?'}` : e.note || e.labels.map((l) => `#${l}`).join(' ') || e.accountName;
  return (
    <li>
      <div>
        <strong>{title}</strong>
        <div class="meta">
          #{e.seq} · {formatDate(e.occurredAt, tz)}
          {e.kind !== 'transfer' ? ` · @${e.accountName}` : ''}
          {e.authorName ? ` · ${e.authorName}` : ''}{' '}
          {e.labels.map((l) => (
            <span class="tag">#{l}</span>
          ))}
          {receipt ? (
            <>
              {' · '}
              <a href={`${records}/${e.seq}/receipt`} target="_blank" rel="noopener" aria-label={t(lang, 'web.receipt_n', { seq: e.seq })}>
                🧾 {t(lang, 'web.receipt')}
              </a>
            </>
          ) : null}
        </div>
      </div>
      <div class={`amount ${e.kind === 'expense' ? 'neg' : e.kind === 'income' ? 'pos' : ''}`}>{eventAmount(e, lang)}</div>
      {mayChange ? (
        <div class="actions">
          <a class="button quiet" href={`${records}/${e.seq}/edit`} aria-label={t(lang, 'web.edit_n', { seq: e.seq })}>
            {t(lang, 'web.edit')}
          </a>
          <form method="post" action={`${records}/${e.seq}/delete`}>
            <Csrf token={w.csrf} />
            <button type="submit" class="danger" data-confirm={t(lang, 'web.confirm_delete', { seq: e.seq })} aria-label={t(lang, 'web.delete_n', { seq: e.seq })}>
              {t(lang, 'web.delete')}
            </button>
          </form>
        </div>
      ) : null}
    </li>
  );
}

async function recordsPage(w: WebContext, query: (k: string) => string | undefined, error?: string, line?: string) {
  const { actor, lang } = w;
  const s = searchOf(query);
  const cursor = query('cursor');
  let page: Awaited<ReturnType<typeof listEventPage>> = { events: [], next: undefined };
  let searchError: string | undefined;
  const [accounts, labels, members] = await Promise.all([
    actor.store.listAccounts(actor.book.id),
    actor.store.listLabels(actor.book.id),
    actor.store.listMembers(actor.book.id),
    (async () => {
      try {
        page = await listEventPage(actor, await filterOf(actor, s, cursor && decodeCursor(cursor) ? cursor : undefined));
      } catch (e) {
        searchError = errorText(e, lang);
      }
    })(),
  ]);
  const records = bookPath(actor.book.id, 'records');
  // Records with a receipt photo (issue 18) link to it.
  const receipts = await actor.store.recordsWithReceipt(
    actor.book.id,
    page.events.map((e) => e.seq),
  );
  const filtered = Object.values(s).some(Boolean);
  return (
    <>
      <h1>{t(lang, 'web.tab.records')}</h1>
      {error ? <Notice kind="error">{error}</Notice> : await doneNotice(w, query('done'))}
      {can(actor.role, 'record') ? (
        <form method="post" action={records} class="card" aria-label={t(lang, 'web.quick_entry')}>
          <Csrf token={w.csrf} />
          <label for="quick-line">{t(lang, 'web.quick_entry_hint')}</label>
          <div class="quick">
            <input id="quick-line" name="line" value={line ?? ''} placeholder="4.50 coffee #food" autocomplete="off" required maxlength={500} enterkeyhint="send" />
            <button type="submit">{t(lang, 'web.record')}</button>
          </div>
        </form>
      ) : null}
      <details class="filters card" open={filtered}>
        <summary>{t(lang, 'web.search')}</summary>
        <form method="get" action={records} role="search">
          <div class="row">
            <div>
              <label for="f-q">{t(lang, 'web.f.text')}</label>
              <input id="f-q" name="q" value={s.q} type="search" />
            </div>
            <div>
              <label for="f-label">{t(lang, 'web.f.label')}</label>
              <input id="f-label" name="label" value={s.label} list="labels-list" />
              <datalist id="labels-list">
                {labels.map((l) => (
                  <option value={l.name} />
                ))}
              </datalist>
            </div>
            <div>
              <label for="f-account">{t(lang, 'web.f.account')}</label>
              <select id="f-account" name="account">
                <option value="">{t(lang, 'web.any')}</option>
                {accounts.map((a) => (
                  <option value={a.name} selected={a.name === s.account}>
                    {a.name}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="f-member">{t(lang, 'web.f.member')}</label>
              <select id="f-member" name="member">
                <option value="">{t(lang, 'web.any')}</option>
                {members.map((m) => (
                  <option value={String(m.userId)} selected={String(m.userId) === s.member}>
                    {m.name}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="f-min">{t(lang, 'web.f.min')}</label>
              <input id="f-min" name="min" value={s.min} inputmode="decimal" />
            </div>
            <div>
              <label for="f-max">{t(lang, 'web.f.max')}</label>
              <input id="f-max" name="max" value={s.max} inputmode="decimal" />
            </div>
            <div>
              <label for="f-period">{t(lang, 'web.f.period')}</label>
              <input id="f-period" name="period" value={s.period} placeholder="month, 2026-11, last-week" />
            </div>
            <div class="shrink">
              <button type="submit">{t(lang, 'web.search')}</button>
            </div>
          </div>
        </form>
      </details>
      {searchError ? <Notice kind="error">{searchError}</Notice> : null}
      {page.events.length === 0 && !searchError ? <p class="muted">{t(lang, filtered ? 'web.no_match' : 'history.empty')}</p> : null}
      <ul class="records" aria-label={t(lang, 'web.tab.records')}>
        {page.events.map((e) => (
          <RecordItem w={w} e={e} receipt={receipts.has(e.seq)} />
        ))}
      </ul>
      <div class="pager">
        {cursor ? <a href={`${records}${searchQuery(s)}`}>{t(lang, 'web.newest')}</a> : <span />}
        {page.next ? (
          <a href={`${records}${searchQuery(s, { cursor: encodeCursor(page.next) })}`} rel="next">
            {t(lang, 'web.older')}
          </a>
        ) : null}
      </div>
    </>
  );
}

async function editPage(w: WebContext, seq: number, error?: string, values?: Record<string, string>) {
  const { actor, lang } = w;
  const e = await actor.store.getEvent(actor.book.id, seq);
  if (!e) throw new DomainError('event_unknown', { seq });
  const accounts = await actor.store.listAccounts(actor.book.id);
  const v = values ?? currentValues(e, actor.book.timezone);
  const records = bookPath(actor.book.id, 'records');
  return (
    <>
      <h1>{t(lang, 'web.edit_n', { seq })}</h1>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <form method="post" action={`${records}/${seq}/edit`} class="card">
        <Csrf token={w.csrf} />
        <div class="row">
          <div>
            <label for="e-amount">
              {t(lang, 'web.f.amount')} ({e.currency})
            </label>
            <input id="e-amount" name="amount" value={v.amount} inputmode="decimal" required />
          </div>
          {e.kind !== 'transfer' ? (
            <div>
              <label for="e-label">{t(lang, 'web.f.labels')}</label>
              <input id="e-label" name="label" value={v.label} />
            </div>
          ) : null}
          <div>
            <label for="e-account">{t(lang, 'web.f.account')}</label>
            <select id="e-account" name="account">
              {accounts
                .filter((a) => a.currency === e.currency)
                .map((a) => (
                  <option value={a.name} selected={a.name === v.account}>
                    {a.name}
                  </option>
                ))}
            </select>
          </div>
          <div>
            <label for="e-date">{t(lang, 'web.f.date')}</label>
            <input id="e-date" name="date" value={v.date} type="date" required />
          </div>
        </div>
        <label for="e-note">{t(lang, 'web.f.note')}</label>
        <input id="e-note" name="note" value={v.note} maxlength={500} />
        <p class="row">
          <button type="submit" class="shrink">
            {t(lang, 'web.save')}
          </button>
          <a class="button quiet shrink" href={records}>
            {t(lang, 'web.cancel')}
          </a>
        </p>
      </form>
    </>
  );
}

function currentValues(e: LedgerEvent, tz: string): Record<string, string> {
  return {
    amount: minorToDecimal(e.amountMinor, e.currency),
    label: e.labels.join(', '),
    account: e.accountName,
    date: formatDate(e.occurredAt, tz),
    note: e.note,
  };
}

/** Records: search, pages, quick entry, edit, delete, undo, restore. */
export function recordRoutes(app: Hono<WebEnv>, deps: WebDeps): void {
  const base = '/b/:bookId{[0-9]{1,9}}/records';
  app.get(base, (c) => bookPage(c, deps, 'records', (w) => recordsPage(w, (k) => c.req.query(k))));

  // Quick entry: the chat's grammar through the chat's record path (`4.50 coffee`, `+2500 salary`).
  app.post(base, (c) =>
    bookPage(c, deps, 'records', async (w) => {
      const line = (await formText(c, 'line')).slice(0, 500);
      const quick = parseQuickEntry(line);
      try {
        if (!quick) throw new DomainError('amount_invalid', { text: line });
        // The one record use case of chat and API (splits, then the budget-alert rule).
        const rec = await recordEntry(w.actor, { kind: quick.kind, line: quick.line });
        await announce(deps, w.actor.book, rec);
        return c.redirect(`${bookPath(w.actor.book.id, 'records')}?done=recorded:${rec.event.seq}`, 303);
      } catch (e) {
        c.status(422);
        return recordsPage(w, (k) => c.req.query(k), errorText(e, w.lang, !quick ? 'record.quick_hint' : undefined), line);
      }
    }),
  );

  const action = (name: string, run: (w: WebContext, seq: number) => Promise<LedgerEvent>, done: string) =>
    app.post(`${base}/:seq{[0-9]{1,9}}/${name}`, (c) =>
      bookPage(c, deps, 'records', async (w) => {
        const ev = await run(w, Number(c.req.param('seq')));
        return c.redirect(`${bookPath(w.actor.book.id, 'records')}?done=${done}:${ev.seq}`, 303);
      }),
    );
  action('delete', (w, seq) => deleteEvent(w.actor, seq), 'deleted');
  action('undo', (w, seq) => undo(w.actor, seq), 'undone');
  action('restore', (w, seq) => restoreEvent(w.actor, seq), 'restored');

  app.get(`${base}/:seq{[0-9]{1,9}}/edit`, (c) => bookPage(c, deps, 'records', (w) => editPage(w, Number(c.req.param('seq')))));
  app.post(`${base}/:seq{[0-9]{1,9}}/edit`, (c) =>
    bookPage(c, deps, 'records', async (w) => {
      const seq = Number(c.req.param('seq'));
      const e = await w.actor.store.getEvent(w.actor.book.id, seq);
      if (!e) throw new DomainError('event_unknown', { seq });
      const before = currentValues(e, w.actor.book.timezone);
      const after: Record<string, string> = {};
      for (const k of ['amount', 'label', 'account', 'date', 'note']) after[k] = (await formText(c, k)).slice(0, 500);
      try {
        // Each changed field goes through the chat's `/edit <#N> <field> <value>`.
        for (const field of ['amount', 'label', 'account', 'date', 'note'])
          if (after[field] !== before[field] && !(field === 'label' && e.kind === 'transfer')) await editEvent(w.actor, seq, field, after[field]!);
      } catch (err) {
        c.status(422);
        return editPage(w, seq, errorText(err, w.lang), after);
      }
      return c.redirect(`${bookPath(w.actor.book.id, 'records')}?done=edited:${seq}`, 303);
    }),
  );
}

