import { formatMoney } from '../../domain/money/money.js';
import { listRates, rateText, setRate } from '../../domain/money/rates.js';
import { chartData, CHART_KINDS, pieFromLabels } from '../../domain/statistics/charts.js';
import { percentChange, percentOf, type Figure } from '../../domain/statistics/math.js';
import { statsReport, type StatsReport } from '../../domain/statistics/report.js';
import type { Language } from '../../domain/types.js';
import { t } from '../i18n/index.js';
import type { CommandContext, CommandDef } from '../registry.js';
import { table, type Reply } from '../reply.js';
import { chartRows, chartSpec, chartTitle, drawChart } from '../presentation/chart-specs.js';
import { amountText, budgetRows, compactFigure, percentText, rateLine, rateLineWithSource } from '../presentation/stats-format.js';
import { periodText } from '../format.js';

/** Rows a table shows before summing up the rest as "… N more" (chat messages have limits). */
const MAX_ROWS = 12;

/** A figure as table cells: the book-currency amount, then one row per currency without a rate. */
function figureRows(name: string, f: Figure, currency: string, lang: Language, extra: string[] = [], sign = false): string[][] {
  const rows: string[][] = [];
  if (f.minor !== 0 || f.rest.length === 0) rows.push([name, amountText(f.minor, currency, lang, sign), ...extra]);
  for (const r of f.rest) rows.push([rows.length ? '' : name, formatMoney(r.minor, r.currency, { sign, lang }), ...extra.map(() => '')]);
  return rows;
}

function capped(rows: string[][], lang: Language, width: number): string[][] {
  if (rows.length <= MAX_ROWS) return rows;
  return [...rows.slice(0, MAX_ROWS), [t(lang, 'stats.more', { count: rows.length - MAX_ROWS }), ...Array(width - 1).fill('')]];
}

const delta = (cur: number, prev: number, currency: string, lang: Language): string =>
  `${formatMoney(cur - prev, currency, { sign: true, lang })} (${percentText(percentChange(cur, prev), lang)})`;

/** The text and monospace block of `/stats`. */
export function statsText(r: StatsReport, book: string, lang: Language): { text: string; pre?: string } {
  const cur = r.currency;
  const title = t(lang, 'stats.title', { book, period: periodText(r.period, lang), currency: cur });
  const budgets = r.budgets.length ? `${t(lang, 'stats.budgets')}\n${table(budgetRows(r.budgets, lang), ['l', 'l', 'r', 'r', 'l'])}` : undefined;
  if (r.current.count === 0) {
    const empty = `${title}\n${t(lang, 'stats.empty', { period: periodText(r.period, lang) })}`;
    return budgets ? { text: empty, pre: budgets } : { text: empty };
  }

  const text = [
    title,
    t(lang, 'stats.compare', {
      period: periodText(r.previous, lang),
      expense: delta(r.current.expense.minor, r.before.expense.minor, cur, lang),
      income: delta(r.current.income.minor, r.before.income.minor, cur, lang),
      net: delta(r.current.net.minor, r.before.net.minor, cur, lang),
    }),
  ];
  if (r.rates.length) text.push(t(lang, 'stats.rates', { currency: cur, rates: r.rates.map((x) => rateLine(x, cur, lang)).join(', ') }));
  if (r.missing.length) text.push(t(lang, 'stats.missing', { currencies: r.missing, first: r.missing[0], currency: cur }));

  const sections: string[] = [];
  const totals = [
    ...figureRows(t(lang, 'stats.income'), r.current.income, cur, lang),
    ...figureRows(t(lang, 'stats.expenses'), r.current.expense, cur, lang),
    ...figureRows(t(lang, 'stats.net'), r.current.net, cur, lang, [], true),
  ];
  sections.push(`${table(totals, ['l', 'r'])}\n${t(lang, 'stats.records', { count: r.current.count })}`);

  const labelName = (name: string | null) => (name === null ? t(lang, 'stats.no_label') : `#${name}`);
  const spent = r.labels.filter((l) => l.expense.minor !== 0 || l.expense.rest.length);
  if (spent.length) {
    const rows = spent.flatMap((l) =>
      figureRows(labelName(l.name), l.expense, cur, lang, [l.expense.minor ? `${percentOf(l.expense.minor, r.current.expense.minor)}%` : '']),
    );
    sections.push(`${t(lang, 'stats.by_label')}\n${table(capped(rows, lang, 3), ['l', 'r', 'r'])}`);
  }
  const earned = r.labels.filter((l) => l.income.minor !== 0 || l.income.rest.length);
  if (earned.length) {
    const rows = earned.flatMap((l) => figureRows(labelName(l.name), l.income, cur, lang));
    sections.push(`${t(lang, 'stats.income_by_label')}\n${table(capped(rows, lang, 2), ['l', 'r'])}`);
  }
  if (r.members?.length) {
    const rows = r.members.map((m) => [
      m.name ?? t(lang, 'stats.unknown_member'),
      compactFigure(m.expense, cur, lang),
      compactFigure(m.income, cur, lang, true),
    ]);
    sections.push(`${t(lang, 'stats.by_member')}\n${table(capped(rows, lang, 3), ['l', 'r', 'r'])}`);
  }
  if (budgets) sections.push(budgets);
  return { text: text.join('\n'), pre: sections.join('\n\n') };
}

async function statsReply(ctx: CommandContext, args: string): Promise<Reply> {
  const { book } = ctx.actor;
  const report = await statsReport(ctx.actor, args, { group: ctx.chat.kind === 'group' });
  const reply: Reply = statsText(report, book.title, ctx.lang);
  if (report.current.expense.minor > 0 || report.current.expense.rest.length) {
    const spec = chartSpec(pieFromLabels(report.period, report.labels, book.currency), book.title, ctx.lang);
    const png = await drawChart(ctx.services, spec);
    if (png) reply.image = { name: `stats-${report.period.label.replace(/\W+/g, '-').toLowerCase()}.png`, png, alt: `${spec.title} · ${spec.subtitle}` };
  }
  return reply;
}

async function chartReply(ctx: CommandContext, args: string): Promise<Reply> {
  const { book } = ctx.actor;
  const data = await chartData(ctx.actor, args);
  const spec = chartSpec(data, book.title, ctx.lang);
  const caption = [t(ctx.lang, 'chart.caption', { title: chartTitle(data, book.title, ctx.lang), period: spec.subtitle })];
  if ('excluded' in data && data.excluded.length) caption.push(t(ctx.lang, 'chart.excluded', { currencies: data.excluded }));
  const png = await drawChart(ctx.services, spec);
  if (png) return { text: caption.join('\n'), image: { name: `chart-${data.kind}.png`, png, alt: caption[0]! } };
  const rows = chartRows(spec);
  return { text: [...caption, t(ctx.lang, 'chart.fallback')].join('\n'), ...(rows.length ? { pre: table(rows, ['l', 'r', 'r']) } : {}) };
}

/** `/stats`, `/chart`, `/rate`, `/rates`. */
export const statsCommands: CommandDef[] = [
  {
    name: 'stats',
    slow: true,
    description: 'Totals, by label and member, against the previous period, with a chart',
    usage: '/stats [period] [members]',
    options: [
      { name: 'period', description: 'month, last-month, year, 2026-11, 2026-11-01..2026-11-15, …', type: 'string' },
      { name: 'members', description: 'Show spending per member', type: 'string', choices: ['members'] },
    ],
    run: statsReply,
  },
  {
    name: 'chart',
    slow: true,
    description: 'A chart image: pie, bars, balance or members',
    usage: '/chart <pie|bars|balance|members> [period]',
    options: [
      { name: 'kind', description: 'pie (by label), bars (per month), balance, members', type: 'string', required: true, choices: CHART_KINDS },
      { name: 'period', description: 'month, year, last-month, 2026, 2026-11, …', type: 'string' },
    ],
    run: chartReply,
  },
  {
    name: 'rate',
    description: 'Set an exchange rate into the book currency',
    usage: '/rate <currency> <value of 1 unit in the book currency>, e.g. /rate USD 0.92',
    options: [
      { name: 'currency', description: 'ISO code, e.g. USD', type: 'string', required: true },
      { name: 'value', description: 'Value of 1 unit in the book currency, e.g. 0.92', type: 'string', required: true },
    ],
    run: async (ctx, args) => {
      const rate = await setRate(ctx.actor, args);
      const book = ctx.actor.book.currency;
      return { text: t(ctx.lang, 'rate.set', { currency: rate.currency, value: rateText(rate, book, ctx.lang), book }) };
    },
  },
  {
    name: 'rates',
    description: 'Exchange rates the statistics convert with',
    usage: '/rates',
    run: async (ctx) => {
      const rates = await listRates(ctx.actor);
      const { currency, timezone } = ctx.actor.book;
      if (rates.length === 0) return { text: t(ctx.lang, 'rates.empty') };
      return { text: t(ctx.lang, 'rates.title', { book: currency }), pre: rates.map((r) => rateLineWithSource(r, currency, timezone, ctx.lang)).join('\n') };
    },
  },
];
