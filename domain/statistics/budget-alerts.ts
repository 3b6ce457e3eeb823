import { budgetProgress, coversPeriod, type BudgetProgress, type ProgressStore } from './budget.js';
import type { BudgetStore } from './budget-ports.js';
import type { Book, LedgerEvent } from '../types.js';
import { projectRunOut, type RunOut } from './pace.js';

/** Alert thresholds in percent of a budget, lowest first. */
export const THRESHOLDS = [80, 100] as const;

/**
 * The early warning ("at this pace #groceries runs out on the 24th") is claimed in the same
 * once-per-period store as the thresholds, under this threshold number.
 */
export const PACE_THRESHOLD = 0;

/** What the alert check reads and claims. */
export type BudgetAlertStore = Pick<BudgetStore, 'listBudgets' | 'claimBudgetAlert'> & ProgressStore;

/** A threshold a record made a budget reach, to tell the chat once. */
export interface BudgetAlert {
  /** 80 or 100; {@link PACE_THRESHOLD} for the early warning alone. */
  threshold: (typeof THRESHOLDS)[number] | typeof PACE_THRESHOLD;
  progress: BudgetProgress;
  /** The early warning, told once per budget period: when the limit is reached at this pace. */
  runsOut?: RunOut;
}

/**
 * Budget alerts owed after `event` was recorded at `now`: for each budget the expense falls under (its
 * label or `total`), in the budget period containing the event (book timezone), every threshold
 * reached is claimed in the store, and each budget answers with the highest threshold this call
 * claimed. The store's claim is an insert on the primary key (budget, period start, threshold),
 * so however many records race, each threshold alerts once per period. The early warning
 * (the period's pace projects the limit reached before it ends, `projectRunOut`) is claimed the
 * same way under {@link PACE_THRESHOLD}: once per budget and period, with the threshold alert of
 * that record when there is one. Applied after every record by
 * `alertsAfter` (domain/ledger/record-entry.ts).
 */
export async function budgetAlertsFor(store: BudgetAlertStore, book: Book, event: LedgerEvent, now: Date = event.createdAt): Promise<BudgetAlert[]> {
  if (event.kind !== 'expense' || event.deletedAt) return [];
  const labels = new Set(event.labels.map((l) => l.toLowerCase()));
  const budgets = (await store.listBudgets(book.id)).filter((b) => b.label === null || labels.has(b.label.toLowerCase()));
  if (budgets.length === 0) return [];
  const alerts: BudgetAlert[] = [];
  for (const progress of await budgetProgress(store, book, budgets, event.occurredAt)) {
    const { budget, spentMinor, period } = progress;
    // A backdated record in a period before the budget existed alerts nothing (issue 13).
    if (!coversPeriod(budget, period)) continue;
    let claimed: BudgetAlert['threshold'] | undefined;
    for (const threshold of THRESHOLDS) {
      // Integer comparison: spent/limit >= threshold% without division.
      if (BigInt(spentMinor) * 100n < BigInt(budget.amountMinor) * BigInt(threshold)) break;
      if (await store.claimBudgetAlert(budget.id, period.start, threshold)) claimed = threshold;
    }
    // The early warning: only for a record made in its own period (a backdated one says nothing of the pace).
    const projected = projectRunOut({ spentMinor, limitMinor: budget.amountMinor, period, now, tz: book.timezone });
    const runsOut = projected && (await store.claimBudgetAlert(budget.id, period.start, PACE_THRESHOLD)) ? projected : undefined;
    if (claimed !== undefined) alerts.push({ threshold: claimed, progress, ...(runsOut ? { runsOut } : {}) });
    else if (runsOut) alerts.push({ threshold: PACE_THRESHOLD, progress, runsOut });
  }
  return alerts;
}
