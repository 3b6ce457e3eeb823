/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { budgetsNow, changeBudget } from '../../domain/statistics/budget.js';
import { formatDateTime } from '../../domain/parsing/dates.js';
import { DomainError } from '../../domain/errors.js';
import { chartData, CHART_KINDS, type ChartKindArg } from '../../domain/statistics/charts.js';
import { listAccounts } from '../../domain/ledger/accounts.js';
import { changeMemberRole, ROLES } from '../../domain/sharing/members.js';
import { formatMoney } from '../../domain/money/money.js';
import { can } from '../../domain/access/permissions.js';
import { parsePeriod, previousPeriod, isPeriodToken, type Period } from '../../domain/parsing/period.js';
import { dayRange } from '../../domain/statistics/days.js';
import { setCurrency, setLanguage, setTimezone, LANGUAGES } from '../../domain/ledger/settings.js';
import { addTemplate, deleteTemplate, displayRecord, listTemplates, pauseTemplate, resumeTemplate } from '../../domain/schedules/templates.js';
import type { Role } from '../../domain/types.js';
import { periodText } from '../../bot/format.js';
import { t } from '../../bot/i18n/index.js';
import { chartSpec } from '../../bot/presentation/chart-specs.js';
import { problemsText } from '../../bot/presentation/csv-problems.js';
import { messageFor } from '../../bot/messages.js';
import { importCsv } from '../../domain/ledger/csv-import.js';
import { CSV_COLUMNS } from '../../domain/ledger/csv.js';
import { webChart } from './chart-view.js';
import { Csrf, Notice, PostButton, bookPath } from './layout.js';
import { announce, bookPage, formAction, formText, type WebContext } from './web-page.js';
import { recordEntry } from '../../domain/ledger/record-entry.js';
import type { WebDeps, WebEnv } from './web-env.js';

const BOOK = '/b/:bookId{[0-9]{1,9}}';

async function overview(w: WebContext) {
  const { actor, lang } = w;
  const { book, store } = actor;
  const now = actor.clock.now();
  const month = parsePeriod('month', now, book.timezone);
  const last = previousPeriod(month, book.timezone);
  // This month and the last one in one read of the statistics rollup (month rows, as /stats and
  // budgets read it), not a scan of events.
  const key = (p: Period) => dayRange(p, book.timezone).from.slice(0, 7);
  const [accounts, months, budgets, templates] = await Promise.all([
    listAccounts(actor),
    store.statBuckets(book.id, dayRange(last, book.timezone).from, dayRange(month, book.timezone).to, 'month'),
    budgetsNow(actor),
    listTemplates(actor),
  ]);
  const totals = (p: Period) => months.filter((m) => m.bucket === key(p));
  const [thisTotals, lastTotals] = [totals(month), totals(last)];
  const currencies = [...new Set(months.map((x) => x.currency))].sort((a, b) => (a === book.currency ? -1 : b === book.currency ? 1 : a < b ? -1 : 1));
  const due = templates.filter((x) => !x.paused && x.nextDueAt).sort((a, b) => a.nextDueAt!.getTime() - b.nextDueAt!.getTime()).slice(0, 5);
  const money = (m: number, c: string) => formatMoney(m, c, { lang });
  return (
    <>
      <h1>{book.title || t(lang, 'web.tab.overview')}</h1>
      <h2 id="h-accounts">{t(lang, 'web.accounts')}</h2>
      {accounts.length === 0 ? <p class="muted">{t(lang, 'web.no_accounts')}</p> : null}
      <div class="grid" role="list" aria-labelledby="h-accounts">
        {accounts.map((a) => (
          <a class="card" role="listitem" href={`${bookPath(book.id, 'records')}?account=${encodeURIComponent(a.name)}`}>
            <div class="muted">
              {a.name}
              {a.id === book.defaultAccountId ? ` · ${t(lang, 'web.default')}` : ''}
            </div>
            <div class={`figure ${a.balanceMinor < 0 ? 'neg' : ''}`}>{money(a.balanceMinor, a.currency)}</div>
          </a>
        ))}
      </div>
      <h2>{t(lang, 'web.month_vs_last')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col"></th>
            <th scope="col" class="amount">
              {periodText(month, lang)}
            </th>
            <th scope="col" class="amount">
              {periodText(last, lang)}
            </th>
          </tr>
        </thead>
        <tbody>
          {currencies.length === 0 ? (
            <tr>
              <td colspan={3} class="muted">
                {t(lang, 'history.empty')}
              </td>
            </tr>
          ) : null}
          {currencies.flatMap((cur) => {
            const a = thisTotals.find((x) => x.currency === cur);
            const b = lastTotals.find((x) => x.currency === cur);
            return [
              <tr>
                <th scope="row">{t(lang, 'stats.expenses')}</th>
                <td class="amount neg">{money(a?.expenseMinor ?? 0, cur)}</td>
                <td class="amount">{money(b?.expenseMinor ?? 0, cur)}</td>
              </tr>,
              <tr>
                <th scope="row">{t(lang, 'stats.income')}</th>
                <td class="amount pos">{money(a?.incomeMinor ?? 0, cur)}</td>
                <td class="amount">{money(b?.incomeMinor ?? 0, cur)}</td>
              </tr>,
            ];
          })}
        </tbody>
      </table>
      <h2>{t(lang, 'web.budgets')}</h2>
      {budgets.length === 0 ? <p class="muted">{t(lang, 'web.no_budgets')}</p> : <BudgetList w={w} list={budgets} />}
      <h2>{t(lang, 'web.next_due')}</h2>
      {due.length === 0 ? (
        <p class="muted">{t(lang, 'web.no_templates')}</p>
      ) : (
        <ul>
          {due.map((x) => (
            <li>
              {formatDateTime(x.nextDueAt!, book.timezone)} — {displayRecord(x.kind, x.record)} <span class="muted">({x.scheduleText})</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function BudgetList({ w, list }: { w: WebContext; list: Awaited<ReturnType<typeof budgetsNow>> }) {
  const { lang } = w;
  return (
    <div>
      {list.map((b) => {
        const name = b.budget.label ? `#${b.budget.label}` : t(lang, 'web.total');
        return (
          <div class="card">
            <div class="row">
              <strong>{name}</strong>
              <span class="amount">
                {formatMoney(b.spentMinor, b.budget.currency, { lang })} / {formatMoney(b.budget.amountMinor, b.budget.currency, { lang })} · {b.percent}%
              </span>
            </div>
            <progress class={b.percent >= 100 ? 'over' : ''} max={100} value={Math.min(100, b.percent)} aria-label={`${name} ${b.percent}%`}></progress>
            <div class="muted">
              {periodText(b.period, lang)} · {t(lang, b.budget.period === 'weekly' ? 'web.weekly' : 'web.monthly')}
            </div>
          </div>
        );
      })}
    </div>
  );
}

async function stats(w: WebContext, kindParam: string | undefined, periodParam: string | undefined) {
  const { actor, lang } = w;
  const kind: ChartKindArg = CHART_KINDS.find((k) => k === kindParam) ?? 'pie';
  const period = periodParam && isPeriodToken(periodParam) ? periodParam : kind === 'bars' || kind === 'balance' ? 'year' : 'month';
  // Members only name the bars of the members chart.
  const [data, members] = await Promise.all([chartData(actor, `${kind} ${period}`), kind === 'members' ? actor.store.listMembers(actor.book.id) : []]);
  const spec = chartSpec(data, actor.book.title, lang);
  const records = bookPath(actor.book.id, 'records');
  const link = (params: Record<string, string>) => `${records}?${new URLSearchParams(params).toString()}`;
  const chart = webChart(spec, (label, i) => {
    switch (data.kind) {
      case 'pie': {
        const raw = data.slices.find((s) => (s.label ?? t(lang, 'stats.no_label')) === label);
        return raw?.label ? link({ label: raw.label, period }) : null;
      }
      case 'bars':
      case 'balance': {
        const key = data.kind === 'bars' ? data.buckets[i]?.key : data.series[0]?.points[i]?.key;
        return key ? link({ period: key }) : null;
      }
      case 'members': {
        const m = members.find((x) => x.name === label);
        return m ? link({ member: String(m.userId), period }) : null;
      }
    }
  });
  const base = bookPath(actor.book.id, 'stats');
  return (
    <>
      <h1>{t(lang, 'web.tab.stats')}</h1>
      <form method="get" action={base} class="row card" aria-label={t(lang, 'web.chart_choice')}>
        <div>
          <label for="s-kind">{t(lang, 'web.chart')}</label>
          <select id="s-kind" name="kind" data-autosubmit>
            {CHART_KINDS.map((k) => (
              <option value={k} selected={k === kind}>
                {t(lang, `web.chart.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="s-period">{t(lang, 'web.f.period')}</label>
          <input id="s-period" name="period" value={period} />
        </div>
        <div class="shrink">
          <button type="submit">{t(lang, 'web.show')}</button>
        </div>
      </form>
      <h2>{chart.title}</h2>
      <p class="muted">{chart.subtitle}</p>
      {chart.empty ? (
        <p>{chart.empty}</p>
      ) : (
        <div class="chart-box">
          <canvas id="chart" data-chart={JSON.stringify(chart)} role="img" aria-label={`${chart.title}. ${t(lang, 'web.chart_table_below')}`}></canvas>
        </div>
      )}
      {chart.empty ? null : (
        <table>
          <caption class="sr-only">{chart.title}</caption>
          <thead>
            <tr>
              <th scope="col"></th>
              {chart.datasets.map((d) => (
                <th scope="col" class="amount">
                  {d.label || t(lang, 'stats.expenses')}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {chart.labels.map((label, i) => (
              <tr>
                <th scope="row">{chart.links[i] ? <a href={chart.links[i]!}>{label}</a> : label}</th>
                {chart.datasets.map((d) => (
                  <td class="amount">{d.text[i]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

async function plans(w: WebContext, error?: string) {
  const { actor, lang } = w;
  const [budgets, templates] = await Promise.all([budgetsNow(actor), listTemplates(actor)]);
  const base = bookPath(actor.book.id, 'plans');
  const mayManage = can(actor.role, 'manage');
  const mayRecord = can(actor.role, 'record');
  return (
    <>
      <h1>{t(lang, 'web.plans_title')}</h1>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <h2>{t(lang, 'web.budgets')}</h2>
      {budgets.length === 0 ? <p class="muted">{t(lang, 'web.no_budgets')}</p> : <BudgetList w={w} list={budgets} />}
      {mayManage ? (
        <form method="post" action={`${base}/budget`} class="card">
          <Csrf token={w.csrf} />
          <label for="b-line">{t(lang, 'web.budget_hint')}</label>
          <div class="quick">
            <input id="b-line" name="line" placeholder="#food 300 monthly" required maxlength={200} />
            <button type="submit">{t(lang, 'web.save')}</button>
          </div>
        </form>
      ) : null}
      <h2>{t(lang, 'web.templates')}</h2>
      {templates.length === 0 ? <p class="muted">{t(lang, 'web.no_templates')}</p> : null}
      <ul class="records">
        {templates.map((x) => (
          <li>
            <div>
              <strong>{displayRecord(x.kind, x.record)}</strong>
              <div class="meta">
                #{x.id} · {x.scheduleText} · {x.paused ? t(lang, 'web.paused') : x.nextDueAt ? formatDateTime(x.nextDueAt, actor.book.timezone) : '—'}
              </div>
            </div>
            <div></div>
            {mayRecord ? (
              <div class="actions">
                {(x.paused ? ['resume', 'run', 'delete'] : ['pause', 'run', 'delete']).map((act) => (
                  <PostButton
                    action={`${base}/template/${x.id}/${act}`}
                    csrf={w.csrf}
                    label={t(lang, `web.template.${act as 'pause' | 'resume' | 'run' | 'delete'}`)}
                    danger={act === 'delete'}
                    confirm={act === 'delete' ? t(lang, 'web.confirm_template_delete', { id: x.id }) : undefined}
                  />
                ))}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {mayRecord ? (
        <form method="post" action={`${base}/template`} class="card">
          <Csrf token={w.csrf} />
          <label for="t-line">{t(lang, 'web.template_hint')}</label>
          <div class="quick">
            <input id="t-line" name="line" placeholder="monthly:1 500 #rent" required maxlength={500} />
            <button type="submit">{t(lang, 'web.add')}</button>
          </div>
        </form>
      ) : null}
    </>
  );
}

async function membersPage(w: WebContext, error?: string) {
  const { actor, lang } = w;
  const list = await actor.store.listMemberProfiles(actor.book.id);
  const mayChange = can(actor.role, 'roles');
  const base = bookPath(actor.book.id, 'members');
  return (
    <>
      <h1>{t(lang, 'web.tab.members')}</h1>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">{t(lang, 'web.name')}</th>
            <th scope="col">{t(lang, 'web.role')}</th>
          </tr>
        </thead>
        <tbody>
          {list.map((m) => (
            <tr>
              <td>
                {m.name}
                {m.userId === actor.userId ? ` (${t(lang, 'web.you')})` : ''}
                <div class="muted">{m.handles.map((h) => (h.username ? `@${h.username}` : h.platform)).join(' · ')}</div>
              </td>
              <td>
                {mayChange ? (
                  <form method="post" action={`${base}/${m.userId}/role`} class="row">
                    <Csrf token={w.csrf} />
                    <label class="sr-only" for={`role-${m.userId}`}>
                      {t(lang, 'web.role_of', { name: m.name })}
                    </label>
                    <select id={`role-${m.userId}`} name="role">
                      {ROLES.map((r) => (
                        <option value={r} selected={r === m.role}>
                          {t(lang, `role.${r}`)}
                        </option>
                      ))}
                    </select>
                    <button type="submit" class="quiet shrink">
                      {t(lang, 'web.save')}
                    </button>
                  </form>
                ) : (
                  t(lang, `role.${m.role}`)
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

async function settings(w: WebContext, error?: string, saved?: boolean, imported?: { text: string; error: boolean }) {
  const { actor, lang } = w;
  const book = actor.book;
  const may = can(actor.role, 'settings');
  const base = bookPath(book.id, 'settings');
  return (
    <>
      <h1>{t(lang, 'web.tab.settings')}</h1>
      {error ? <Notice kind="error">{error}</Notice> : saved ? <Notice>{t(lang, 'web.saved')}</Notice> : null}
      <form method="post" action={base} class="card">
        <Csrf token={w.csrf} />
        <fieldset disabled={!may}>
          <legend class="sr-only">{t(lang, 'web.tab.settings')}</legend>
          <label for="st-currency">{t(lang, 'web.currency')}</label>
          <input id="st-currency" name="currency" value={book.currency} maxlength={3} required />
          <label for="st-tz">{t(lang, 'web.timezone')}</label>
          <input id="st-tz" name="timezone" value={book.timezone} required maxlength={64} />
          <label for="st-lang">{t(lang, 'web.language')}</label>
          <select id="st-lang" name="language">
            {LANGUAGES.map((l) => (
              <option value={l} selected={l === book.language}>
                {l === 'ru' ? 'Русский' : 'English'}
              </option>
            ))}
          </select>
          <p>
            <button type="submit">{t(lang, 'web.save')}</button>
          </p>
        </fieldset>
        {may ? null : <p class="muted">{t(lang, 'web.settings_admins')}</p>}
      </form>
      <h2>{t(lang, 'web.export')}</h2>
      <p>
        <a class="button quiet" href={`${bookPath(book.id)}/export.csv?period=all`} download>
          {t(lang, 'web.export_csv')}
        </a>
      </p>
      {can(actor.role, 'manage') ? (
        <>
          <h2>{t(lang, 'web.import')}</h2>
          {imported ? <Notice kind={imported.error ? 'error' : 'info'}>{imported.text}</Notice> : null}
          <form method="post" action={`${bookPath(book.id)}/import`} enctype="multipart/form-data" class="card">
            <Csrf token={w.csrf} />
            <label for="st-file">{t(lang, 'web.import_hint', { columns: CSV_COLUMNS.join(',') })}</label>
            <input id="st-file" name="file" type="file" accept=".csv,text/csv" required />
            <p>
              <button type="submit">{t(lang, 'web.import_button')}</button>
            </p>
          </form>
        </>
      ) : null}
    </>
  );
}

/** Overview, statistics, budgets and templates, members, settings. */
export function bookRoutes(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get(BOOK, (c) => bookPage(c, deps, 'overview', overview));
  app.get(`${BOOK}/stats`, (c) =>
    bookPage(c, deps, 'stats', (w) => stats(w, c.req.query('kind'), c.req.query('period'))),
  );

  app.get(`${BOOK}/plans`, (c) => bookPage(c, deps, 'plans', (w) => plans(w)));
  app.post(`${BOOK}/plans/budget`, (c) => formAction(c, deps, 'plans', plans, async (w) => changeBudget(w.actor, (await formText(c, 'line')).slice(0, 200))));
  app.post(`${BOOK}/plans/template`, (c) => formAction(c, deps, 'plans', plans, async (w) => addTemplate(w.actor, (await formText(c, 'line')).slice(0, 500), null)));
  const TEMPLATE_ACTIONS = { pause: pauseTemplate, resume: resumeTemplate, delete: deleteTemplate } as const;
  app.post(`${BOOK}/plans/template/:id{[0-9]{1,9}}/:act{pause|resume|delete|run}`, (c) =>
    formAction(c, deps, 'plans', plans, async (w) => {
      const act = c.req.param('act') as keyof typeof TEMPLATE_ACTIONS | 'run';
      const id = Number(c.req.param('id'));
      // Running a template is a record: the one record use case, as `/template run`.
      if (act === 'run') await announce(deps, w.actor.book, await recordEntry(w.actor, { template: id }));
      else await TEMPLATE_ACTIONS[act](w.actor, id);
    }),
  );

  app.get(`${BOOK}/members`, (c) => bookPage(c, deps, 'members', (w) => membersPage(w)));
  app.post(`${BOOK}/members/:userId{[0-9]{1,9}}/role`, (c) =>
    formAction(c, deps, 'members', membersPage, async (w) => {
      const role = await formText(c, 'role');
      if (!ROLES.includes(role as Role)) throw new DomainError('usage', { usage: ROLES.join(', ') });
      const target = (await w.actor.store.listMemberProfiles(w.actor.book.id)).find((m) => m.userId === Number(c.req.param('userId')));
      if (!target) throw new DomainError('member_unknown', { member: c.req.param('userId') });
      await changeMemberRole(w.actor, target, role as Role);
    }),
  );


  // CSV import (admins), the chat's `/import`: same columns, rows already in the book are skipped.
  app.post(`${BOOK}/import`, (c) =>
    bookPage(c, deps, 'settings', async (w) => {
      const body = await c.req.parseBody();
      const file = body.file;
      if (!(file instanceof File) || file.size === 0) return settings(w, undefined, false, { text: t(w.lang, 'import.no_file', { columns: CSV_COLUMNS.join(',') }), error: true });
      const res = await importCsv(w.actor, Buffer.from(await file.arrayBuffer()));
      if (!res.ok) {
        c.status(422);
        return settings(w, undefined, false, { text: messageFor(new DomainError('csv_invalid', { problems: problemsText(res.problems, w.lang) }), w.lang), error: true });
      }
      const text = res.total === 0 ? t(w.lang, 'import.empty') : t(w.lang, 'import.done', { created: res.created, skipped: res.skipped, total: res.total });
      return settings(w, undefined, false, { text, error: false });
    }),
  );

  app.get(`${BOOK}/settings`, (c) => bookPage(c, deps, 'settings', (w) => settings(w, undefined, c.req.query('saved') === '1')));
  app.post(`${BOOK}/settings`, (c) =>
    formAction(
      c,
      deps,
      'settings',
      settings,
      async (w) => {
        const [currency, timezone, language] = [await formText(c, 'currency'), await formText(c, 'timezone'), await formText(c, 'language')];
        const book = w.actor.book;
        let a = w.actor;
        if (currency.trim().toUpperCase() !== book.currency) a = { ...a, book: await setCurrency(a, currency.slice(0, 10)) };
        if (timezone.trim() !== book.timezone) a = { ...a, book: await setTimezone(a, timezone.slice(0, 64)) };
        if (language.trim() !== book.language) await setLanguage(a, language.slice(0, 5));
      },
      '?saved=1',
    ),
  );

}
