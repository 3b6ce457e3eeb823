import type { Actor } from '../access/actor.js';
import { parseAmount } from '../money/amount.js';
import type { Budget, BudgetPeriod } from './budget-ports.js';
import { DomainError } from '../errors.js';
import { assertMinor } from '../money/money.js';
import { assertCan } from '../access/permissions.js';
import { periodOf, type Period } from '../parsing/period.js';
import type { StatsStore } from './ports.js';
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
  if (PERIOD_WORDS[last]) {
    period = PERIOD_WORDS[last];
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
  const budget = await a.store.setBudget(a.book.id, cmd);
  return { budget };
}

const unitOf = (p: BudgetPeriod): 'week' | 'month' => (p === 'weekly' ? 'week' : 'month');

/**
 * Progress of budgets in the periods that contain `at` (book timezone): expenses of the label (or
 * all expenses for `total`) in the budget currency. Other currencies count only when the budget
 * is in the book currency and a rate is known; otherwise they are listed in `missing`.
 */
/** What reading budget progress needs of the store. */
export type ProgressStore = Pick<StatsStore, 'listRates' | 'statTotals'>;

export async function budgetProgress(
  store: ProgressStore,
  book: Book,
  budgets: readonly Budget[],
  at: Date,
  converter?: Converter,
): Promise<BudgetProgress[]> {
  if (budgets.length === 0) return [];
  const periods = new Map<string, Period>();
  for (const b of budgets) periods.set(b.period, periodOf(unitOf(b.period), at, book.timezone));
  const conv = converter ?? new Converter(book.currency, await store.listRates(book.id, book.currency));
  const rowsByPeriod = new Map(
    await Promise.all(
      [...periods].map(async ([key, p]) => {
        const rows = await store.statTotals(book.id, localDay(p.start, book.timezone), localDay(p.end, book.timezone), ['t', 'l']);
        return [key, rows] as const;
      }),
    ),
  );
  return budgets.map((budget) => {
    const rows = (rowsByPeriod.get(budget.period) ?? []).filter(
      (r) => r.kind === 'expense' && (budget.labelId === null ? r.dim === 't' : r.dim === 'l' && r.key === budget.labelId),
    );
    let spent = 0;
    const missing: string[] = [];
    for (const r of rows) {
      if (r.currency === budget.currency) spent = assertMinor(spent + r.minor);
      else {
        const converted = budget.currency === book.currency ? conv.toBook(r.minor, r.currency) : undefined;
        if (converted === undefined) missing.push(r.currency);
        else spent = assertMinor(spent + converted);
      }
    }
    return {
      budget,
      period: periods.get(budget.period)!,
      spentMinor: spent,
      percent: percentFloor(spent, budget.amountMinor),
      missing: missing.sort(),
    };
  });
}

/** `/budgets`: every budget of the book with its progress now. */
export async function budgetsNow(a: Actor): Promise<BudgetProgress[]> {
  assertCan(a.role, 'read');
  const budgets = await a.store.listBudgets(a.book.id);
  return budgetProgress(a.store, a.book, budgets, a.clock.now());
}
