import { DateTime } from 'luxon';
import type { Actor } from '../access/actor.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../access/permissions.js';
import { isPeriodToken, parsePeriod, type Period } from '../parsing/period.js';
import { Converter } from '../money/rates.js';
import { bucketKeys, bucketOf, dayRange } from './days.js';
import { addTo, figureOf, type Bag, type Figure } from './math.js';
import { tokenize } from '../parsing/tokenize.js';

export const CHART_KINDS = ['pie', 'bars', 'balance', 'members'] as const;
export type ChartKindArg = (typeof CHART_KINDS)[number];

/**
 * Which currency a chart draws in: the book currency (other currencies converted at known
 * rates) unless it has nothing to show while exactly one unconvertible currency has; the
 * currencies left out are named so the reply can say so.
 */
export interface ChartMoney {
  currency: string;
  converted: string[];
  excluded: string[];
}

export type ChartData =
  | ({
      kind: 'pie';
      period: Period;
      slices: { label: string | null; minor: number }[];
      /** Expenses of the period (a record with several labels is in several slices, once here). */
      totalMinor: number;
    } & ChartMoney)
  | ({ kind: 'members'; period: Period; rows: { name: string | null; minor: number }[] } & ChartMoney)
  | ({
      kind: 'bars';
      period: Period;
      bucket: 'day' | 'month';
      buckets: { key: string; incomeMinor: number; expenseMinor: number }[];
    } & ChartMoney)
  | ({
      kind: 'balance';
      period: Period;
      bucket: 'day' | 'month';
      /** Every series is in `currency` (the book's): accounts in others converted or left out. */
      series: { account: string; currency: string; points: { key: string; minor: number }[] }[];
    } & ChartMoney);

/**
 * Reads `/chart <pie|bars|balance|members> [period]`. The period defaults to this month for pie
 * and members, this year for bars and balance (one bar pair would say little).
 *
 * @throws DomainError `usage` for a missing or unknown kind, `period_invalid`.
 */
export function parseChartArgs(args: string, now: Date, tz: string): { kind: ChartKindArg; period: Period } {
  const [kindWord, periodWord, extra] = tokenize(args);
  const kind = CHART_KINDS.find((k) => k === kindWord?.toLowerCase());
  if (!kind || extra) throw new DomainError('usage', {});
  if (periodWord && !isPeriodToken(periodWord)) throw new DomainError('period_invalid', { period: periodWord });
  const fallback = kind === 'bars' || kind === 'balance' ? 'year' : 'month';
  return { kind, period: parsePeriod(periodWord ?? fallback, now, tz) };
}

/**
 * The buckets a chart draws: up to today (no empty future), but on to the period's end when
 * records are dated later, so the chart never shows less than the text totals (issue 13).
 */
function keysWithData(from: string, to: string, bucket: 'day' | 'month', until: string, withData: readonly string[]): string[] {
  const keys = bucketKeys(from, to, bucket, until);
  const last = keys.at(-1);
  return last !== undefined && withData.some((b) => b > last) ? bucketKeys(from, to, bucket) : keys;
}

/** Picks the drawing currency of a set of figures (see {@link ChartMoney}). */
export function chartMoney(figures: readonly Figure[], bookCurrency: string): ChartMoney & { pick: (f: Figure) => number } {
  const converted = [...new Set(figures.flatMap((f) => f.converted))].sort();
  const others = [...new Set(figures.flatMap((f) => f.rest.map((r) => r.currency)))].sort();
  const bookHasData = figures.some((f) => f.minor !== 0);
  if (!bookHasData && others.length === 1) {
    const only = others[0]!;
    return { currency: only, converted: [], excluded: [], pick: (f) => f.rest.find((r) => r.currency === only)?.minor ?? 0 };
  }
  return { currency: bookCurrency, converted, excluded: others, pick: (f) => f.minor };
}

/** The numbers behind `/chart` (and the `/stats` picture). */
export async function chartData(a: Actor, args: string): Promise<ChartData> {
  assertCan(a.role, 'read');
  const { book, store } = a;
  const tz = book.timezone;
  const now = a.clock.now();
  const { kind, period } = parseChartArgs(args, now, tz);
  const { from, to } = dayRange(period, tz);
  // Charts of the current year/month stop at today rather than drawing the empty future.
  const until = DateTime.fromJSDate(now, { zone: tz }).plus({ days: 1 }).toFormat('yyyy-LL-dd');

  if (kind === 'balance') {
    const bucket = bucketOf(period, tz);
    const [accounts, { opening, buckets }, rates] = await Promise.all([
      store.listAccounts(book.id),
      store.balanceBuckets(book.id, from, to, bucket),
      store.listRates(book.id, book.currency),
    ]);
    // One axis, one currency (issue 13): other accounts are drawn at the book's rates, and those
    // without a rate are left out and named.
    const conv = new Converter(book.currency, rates);
    const converted = new Set<string>();
    const excluded = new Set<string>();
    const keys = keysWithData(from, to, bucket, until, buckets.map((b) => b.bucket));
    const series = accounts
      .map((acc) => {
        let running = opening.get(acc.id) ?? acc.openingMinor;
        const deltas = new Map(buckets.filter((b) => b.accountId === acc.id).map((b) => [b.bucket, b.deltaMinor]));
        const points = keys.map((key) => {
          running += deltas.get(key) ?? 0;
          return { key, minor: running };
        });
        if (acc.currency === book.currency) return { account: acc.name, currency: acc.currency, points };
        if (!conv.rate(acc.currency)) {
          if (points.some((p) => p.minor !== 0)) excluded.add(acc.currency);
          return undefined;
        }
        converted.add(acc.currency);
        return { account: acc.name, currency: book.currency, points: points.map((p) => ({ key: p.key, minor: conv.toBook(p.minor, acc.currency)! })) };
      })
      .filter((s): s is NonNullable<typeof s> => s !== undefined && s.points.some((p) => p.minor !== 0));
    return { kind, period, bucket, currency: book.currency, converted: [...converted].sort(), excluded: [...excluded].sort(), series };
  }

  // The rates are read beside the figures, not before them.
  const rates = store.listRates(book.id, book.currency).then((r) => new Converter(book.currency, r));

  if (kind === 'bars') {
    const bucket = bucketOf(period, tz);
    const [conv, rows] = await Promise.all([rates, store.statBuckets(book.id, from, to, bucket)]);
    const keys = keysWithData(from, to, bucket, until, rows.map((r) => r.bucket));
    const figures = keys.map((key) => {
      const income: Bag = new Map();
      const expense: Bag = new Map();
      for (const r of rows.filter((x) => x.bucket === key)) {
        addTo(income, r.currency, r.incomeMinor);
        addTo(expense, r.currency, r.expenseMinor);
      }
      return { key, income: figureOf(income, conv), expense: figureOf(expense, conv) };
    });
    const money = chartMoney(figures.flatMap((f) => [f.income, f.expense]), book.currency);
    return {
      kind,
      period,
      bucket,
      currency: money.currency,
      converted: money.converted,
      excluded: money.excluded,
      buckets: figures.map((f) => ({ key: f.key, incomeMinor: money.pick(f.income), expenseMinor: money.pick(f.expense) })),
    };
  }

  const dim = kind === 'pie' ? 'l' : 'a';
  const [conv, rows] = await Promise.all([rates, store.statTotals(book.id, from, to, kind === 'pie' ? ['l', 't'] : ['a'])]);
  const total: Bag = new Map();
  for (const r of rows) if (r.dim === 't' && r.kind === 'expense') addTo(total, r.currency, r.minor);
  const groups = new Map<number, { name: string | null; bag: Bag }>();
  for (const r of rows) {
    if (r.kind !== 'expense' || r.dim !== dim) continue;
    const g = groups.get(r.key) ?? { name: r.key === 0 ? null : r.name, bag: new Map() };
    addTo(g.bag, r.currency, r.minor);
    groups.set(r.key, g);
  }
  const items = [...groups.values()].map((g) => ({ name: g.name, figure: figureOf(g.bag, conv) }));
  const totalFigure = figureOf(total, conv);
  const money = chartMoney([...items.map((i) => i.figure), totalFigure], book.currency);
  const entries = items.map((i) => ({ name: i.name, minor: money.pick(i.figure) })).filter((e) => e.minor !== 0);
  const base = { period, currency: money.currency, converted: money.converted, excluded: money.excluded };
  if (kind === 'pie') return { kind, ...base, slices: entries.map((e) => ({ label: e.name, minor: e.minor })), totalMinor: money.pick(totalFigure) };
  return { kind, ...base, rows: entries.map((e) => ({ name: e.name, minor: e.minor })) };
}

/** Pie data from an already computed `/stats` report, so `/stats` reads the database once. */
export function pieFromLabels(
  period: Period,
  labels: readonly { name: string | null; expense: Figure }[],
  total: Figure,
  bookCurrency: string,
): Extract<ChartData, { kind: 'pie' }> {
  const money = chartMoney([...labels.map((l) => l.expense), total], bookCurrency);
  return {
    kind: 'pie',
    period,
    currency: money.currency,
    converted: money.converted,
    excluded: money.excluded,
    slices: labels.map((l) => ({ label: l.name, minor: money.pick(l.expense) })).filter((s) => s.minor !== 0),
    totalMinor: money.pick(total),
  };
}
