import type { Actor } from '../access/actor.js';
import { parseAmount } from '../money/amount.js';
import type { Budget, BudgetPeriod } from './budget-ports.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../access/permissions.js';
import { periodOf, type Period } from '../parsing/period.js';
import type { StatDim, StatsStore } from './ports.js';
import { Converter } from '../money/rates.js';
import { percentFloor } from './math.js';
import { localDay } from './days.js';
import { tokenize } from '../parsing/tokenize.js';
import type { Book } from '../types.js';

/** How far a budget is in its current period. */
export interface BudgetProgress {
  budget: Budget;
  period: Period;
  /** Expenses of the period in the budget currency (other currencies converted at known rates). */
  spentMinor: number;
  /** Whole percent of the limit, rounded down. */
  percent: number;
  /** Currencies spent in the period that could not be counted (no rate). */
  missing: string[];
}

const LABEL = /^[\p{L}\p{N}_-]{1,32}$/u;
const PERIOD_WORDS: Readonly<Record<string, BudgetPeriod>> = {
  monthly: 'monthly',
  month: 'monthly',
  weekly: 'weekly',
  week: 'weekly',
};
const DELETE_WORDS = new Set(['off', 'delete', 'remove', 'none']);

export type BudgetCommand =
  | { action: 'set'; label: string | null; amountMinor: number; currency: string; period: BudgetPeriod }
  | { action: 'delete'; label: string | null };

/**
 * Reads `/budget <#label|total> <amount> [monthly|weekly]` (also `off` to remove one). The
 * amount is in the book currency (writing it is optional).
 *
 * @throws DomainError `budget_invalid` for anything else, amount errors from `parseAmount`.
 */
export function parseBudgetArgs(args: string, bookCurrency: string): BudgetCommand {
  const tokens = tokenize(args);
  const [target, ...rest] = tokens;
  if (!target || rest.length === 0) throw new DomainError('budget_invalid', {});
  const name = target.replace(/^#/, '').toLowerCase();
  let label: string | null;
  if (name === 'total' && !target.startsWith('#')) label = null;
  else if (LABEL.test(name)) label = name;
  else throw new DomainError('label_invalid', { label: target });

  if (rest.length === 1 && DELETE_WORDS.has(rest[0]!.toLowerCase())) return { action: 'delete', label };
  let period: BudgetPeriod = 'monthly';
  const last = rest[rest.length - 1]!.toLowerCase();
  // Own keys only (`constructor` typed last is no period word).
  if (Object.hasOwn(PERIOD_WORDS, last)) {
    period = PERIOD_WORDS[last]!;
    rest.pop();
  }
  if (rest.length === 0) throw new DomainError('budget_invalid', {});
  const amount = parseAmount(rest.join(' '), bookCurrency);
  if (amount.currency !== bookCurrency) throw new DomainError('budget_invalid', { currency: amount.currency });
  return { action: 'set', label, amountMinor: amount.minor, currency: amount.currency, period };
}

/** `/budget …`: sets, replaces or removes a budget. */
export async function changeBudget(a: Actor, args: string): Promise<{ budget?: Budget; deleted?: string | null }> {
  assertCan(a.role, 'manage');
  const cmd = parseBudgetArgs(args, a.book.currency);
  if (cmd.action === 'delete') {
    const found = (await a.store.listBudgets(a.book.id)).find((b) => (b.label?.toLowerCase() ?? null) === cmd.label);
    if (!found) throw new DomainError('budget_unknown', { label: cmd.label === null ? 'total' : `#${cmd.label}` });
    await a.store.deleteBudget(a.book.id, found.id);
    return { deleted: cmd.label };
  }
  const budget = await a.store.setBudget(a.book.id, { ...cmd, createdAt: a.clock.now() });
  return { budget };
}

const unitOf = (p: BudgetPeriod): 'week' | 'month' => (p === 'weekly' ? 'week' : 'month');

/** What reading budget progress needs of the store. */
export type ProgressStore = Pick<StatsStore, 'listRates' | 'statTotals'>;

/**
 * Progress of budgets in the periods that contain `at` (book timezone): expenses of the label (or
 * all expenses for `total`) in the budget currency. Other currencies are converted into the
 * budget currency at the book's rates against it (so a budget set before `/currency` keeps
 * counting everything); without a rate they are listed in `missing`, never dropped silently.
 * `converter`: the book currency's rates when the caller has them; `readOnly`: the statistics are
 * read without bringing the rollup up to date (the check after a record, see `StatsStore`).
 */
export async function budgetProgress(
  store: ProgressStore,
  book: Book,
  budgets: readonly Budget[],
  at: Date,
  opts: { converter?: Converter | undefined; readOnly?: boolean } = {},
): Promise<BudgetProgress[]> {
  if (budgets.length === 0) return [];
  const periods = new Map<string, Period>();
  for (const b of budgets) periods.set(b.period, periodOf(unitOf(b.period), at, book.timezone));
  // Rates are read only when a period spent in a currency other than its budget's (most books
  // have one currency: no query).
  const converters = new Map<string, Promise<Converter>>();
  if (opts.converter) converters.set(book.currency, Promise.resolve(opts.converter));
  const converterOf = (currency: string): Promise<Converter> => {
    let c = converters.get(currency);
    if (!c) converters.set(currency, (c = store.listRates(book.id, currency).then((rates) => new Converter(currency, rates))));
    return c;
  };
  const readOnly = opts.readOnly ? { readOnly: true } : undefined;
  // Totals for a `total` budget, labels for label budgets: only what is asked is aggregated.
  const dims: StatDim[] = [];
  if (budgets.some((b) => b.labelId === null)) dims.push('t');
  if (budgets.some((b) => b.labelId !== null)) dims.push('l');
  const rowsByPeriod = new Map(
    await Promise.all(
      [...periods].map(async ([key, p]) => {
        const rows = await store.statTotals(book.id, localDay(p.start, book.timezone), localDay(p.end, book.timezone), dims, readOnly);
        return [key, rows] as const;
      }),
    ),
  );
  return Promise.all(
    budgets.map(async (budget) => {
      const rows = (rowsByPeriod.get(budget.period) ?? []).filter(
        (r) => r.kind === 'expense' && (budget.labelId === null ? r.dim === 't' : r.dim === 'l' && r.key === budget.labelId),
      );
      let spent = 0;
      const missing: string[] = [];
      for (const r of rows) {
        if (r.currency === budget.currency) spent += r.minor;
        else {
          const converted = (await converterOf(budget.currency)).toBook(r.minor, r.currency);
          if (converted === undefined) missing.push(r.currency);
          else spent += converted;
        }
      }
      return {
        budget,
        period: periods.get(budget.period)!,
        spentMinor: spent,
        percent: percentFloor(spent, budget.amountMinor),
        missing: missing.sort(),
      };
    }),
  );
}

/** True when `period` ends after the budget was set: earlier periods are not the budget's. */
export const coversPeriod = (budget: Budget, period: Pick<Period, 'end'>): boolean =>
  !budget.createdAt || period.end.getTime() > budget.createdAt.getTime();

/**
 * The budgets of a period asked for (`/stats last-month`): monthly budgets for a calendar month,
 * weekly ones for a week, each in that period, and only from the period it was set in. Other
 * periods (a year, a range, a day) have no budgets to show.
 */
export async function budgetsFor(store: ProgressStore, book: Book, budgets: readonly Budget[], period: Period, conv?: Converter): Promise<BudgetProgress[]> {
  const unit = period.unit === 'month' ? 'monthly' : period.unit === 'week' ? 'weekly' : undefined;
  const mine = budgets.filter((b) => b.period === unit && coversPeriod(b, period));
  return budgetProgress(store, book, mine, period.start, { converter: conv });
}

/** `/budgets`: every budget of the book with its progress now. */
export async function budgetsNow(a: Actor): Promise<BudgetProgress[]> {
  assertCan(a.role, 'read');
  const budgets = await a.store.listBudgets(a.book.id);
  return budgetProgress(a.store, a.book, budgets, a.clock.now());
}
