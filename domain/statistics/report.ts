import type { Actor } from '../access/actor.js';
import { budgetProgress, type BudgetProgress } from './budget.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../access/permissions.js';
import { isPeriodToken, parsePeriod, previousPeriod, type Period } from '../parsing/period.js';
import { Converter } from '../money/rates.js';
import { dayRange } from './days.js';
import { addTo, figureOf, subtract, type Bag, type Figure } from './math.js';
import type { Rate, StatRow } from './ports.js';
import { tokenize } from '../parsing/tokenize.js';

/** Income, expenses and net of one period. */
export interface Summary {
  income: Figure;
  expense: Figure;
  net: Figure;
  /** Number of expense and income records. */
  count: number;
}

/** Expenses and incomes carrying one label (`name` null: records without a label). */
export interface LabelLine {
  name: string | null;
  expense: Figure;
  income: Figure;
  count: number;
}

/** Expenses and incomes recorded by one member. */
export interface MemberLine {
  userId: number;
  name: string | null;
  expense: Figure;
  income: Figure;
  count: number;
}

/** Everything `/stats` shows. */
export interface StatsReport {
  currency: string;
  period: Period;
  previous: Period;
  current: Summary;
  before: Summary;
  /** Largest expenses first; a record with two labels counts under both. */
  labels: LabelLine[];
  /** Present when asked for (`members`, or in a group). */
  members?: MemberLine[];
  budgets: BudgetProgress[];
  /** Rates used to convert other currencies into the book currency. */
  rates: Rate[];
  /** Currencies that appear but have no known rate (shown apart, never added in). */
  missing: string[];
}

const MEMBERS_WORDS = new Set(['members', 'member', 'участники']);

/**
 * Reads `/stats [period] [members]` in either order.
 *
 * @throws DomainError `period_invalid`, `usage` for other words.
 */
export function parseStatsArgs(args: string, now: Date, tz: string): { period: Period; members: boolean } {
  let periodText: string | undefined;
  let members = false;
  for (const token of tokenize(args)) {
    if (MEMBERS_WORDS.has(token.toLowerCase())) members = true;
    else if (!periodText && isPeriodToken(token)) periodText = token;
    else if (!periodText) throw new DomainError('period_invalid', { period: token });
    else throw new DomainError('usage', {});
  }
  return { period: parsePeriod(periodText, now, tz), members };
}

/** Groups rows of one dimension by key into expense/income bags. */
function group(rows: readonly StatRow[], dim: StatRow['dim']) {
  const out = new Map<number, { name: string | null; expense: Bag; income: Bag; count: number }>();
  for (const r of rows) {
    if (r.dim !== dim) continue;
    let g = out.get(r.key);
    if (!g) out.set(r.key, (g = { name: r.name, expense: new Map(), income: new Map(), count: 0 }));
    addTo(r.kind === 'expense' ? g.expense : g.income, r.currency, r.minor);
    g.count += r.count;
  }
  return out;
}

function summaryOf(rows: readonly StatRow[], conv: Converter): Summary {
  const g = group(rows, 't').get(0);
  const income = figureOf(g?.income ?? new Map(), conv);
  const expense = figureOf(g?.expense ?? new Map(), conv);
  return { income, expense, net: subtract(income, expense), count: g?.count ?? 0 };
}

/** Sort: larger expenses first, then larger incomes, then by name ("no label" last on ties). */
function byAmount<T extends { name: string | null; expense: Figure; income: Figure }>(a: T, b: T): number {
  return (
    b.expense.minor - a.expense.minor ||
    b.income.minor - a.income.minor ||
    (a.name === null ? 1 : b.name === null ? -1 : a.name.localeCompare(b.name))
  );
}

/**
 * `/stats`: totals of the period in the book's timezone, by label, by member (when asked),
 * against the previous period of the same length, with budget progress. Other currencies are
 * converted into the book currency only at known rates.
 */
export async function statsReport(a: Actor, args: string, opts: { group: boolean }): Promise<StatsReport> {
  assertCan(a.role, 'read');
  const { book, store } = a;
  const tz = book.timezone;
  const parsed = parseStatsArgs(args, a.clock.now(), tz);
  const members = parsed.members || opts.group;
  const period = parsed.period;
  const previous = previousPeriod(period, tz);
  const cur = dayRange(period, tz);
  const prev = dayRange(previous, tz);
  const [rows, prevRows, rates, budgets] = await Promise.all([
    store.statTotals(book.id, cur.from, cur.to, members ? ['t', 'l', 'a'] : ['t', 'l']),
    store.statTotals(book.id, prev.from, prev.to, ['t']),
    store.listRates(book.id, book.currency),
    store.listBudgets(book.id),
  ]);
  const conv = new Converter(book.currency, rates);
  const current = summaryOf(rows, conv);
  const before = summaryOf(prevRows, conv);
  const lines = (dim: 'l' | 'a') =>
    [...group(rows, dim)].map(([key, g]) => ({
      key,
      name: key === 0 ? null : g.name,
      expense: figureOf(g.expense, conv),
      income: figureOf(g.income, conv),
      count: g.count,
    }));
  const labels: LabelLine[] = lines('l')
    .map(({ name, expense, income, count }) => ({ name, expense, income, count }))
    .sort(byAmount);
  const report: StatsReport = {
    currency: book.currency,
    period,
    previous,
    current,
    before,
    labels,
    budgets: await budgetProgress(store, book, budgets, a.clock.now(), conv),
    rates: [],
    missing: [],
  };
  if (members)
    report.members = lines('a')
      .map(({ key, name, expense, income, count }) => ({ userId: key, name, expense, income, count }))
      .sort(byAmount);
  const figures = [current.income, current.expense, before.income, before.expense];
  const used = new Set(figures.flatMap((f) => f.converted));
  report.rates = rates.filter((r) => used.has(r.currency));
  report.missing = [...new Set(figures.flatMap((f) => f.rest.map((r) => r.currency)))].sort();
  return report;
}
