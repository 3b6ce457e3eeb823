import { budgetProgress, type BudgetProgress, type ProgressStore } from './budget.js';
import type { BudgetStore } from './budget-ports.js';
import type { Book, LedgerEvent } from '../types.js';

/** Alert thresholds in percent of a budget, lowest first. */
export const THRESHOLDS = [80, 100] as const;

/** What the alert check reads and claims. */
export type BudgetAlertStore = Pick<BudgetStore, 'listBudgets' | 'claimBudgetAlert'> & ProgressStore;

/** A threshold a record made a budget reach, to tell the chat once. */
export interface BudgetAlert {
  threshold: (typeof THRESHOLDS)[number];
  progress: BudgetProgress;
}

/**
 * Budget alerts owed after `event` was recorded: for each budget the expense falls under (its
 * label or `total`), in the budget period containing the event (book timezone), every threshold
 * reached is claimed in the store, and each budget answers with the highest threshold this call
 * claimed. The store's claim is an insert on the primary key (budget, period start, threshold),
 * so however many records race, each threshold alerts once per period. Applied after every record by
 * `alertsAfter` (domain/ledger/record-entry.ts).
 */
export async function budgetAlertsFor(store: BudgetAlertStore, book: Book, event: LedgerEvent): Promise<BudgetAlert[]> {
  if (event.kind !== 'expense' || event.deletedAt) return [];
  const labels = new Set(event.labels.map((l) => l.toLowerCase()));
  const budgets = (await store.listBudgets(book.id)).filter((b) => b.label === null || labels.has(b.label.toLowerCase()));
  if (budgets.length === 0) return [];
  const alerts: BudgetAlert[] = [];
  for (const progress of await budgetProgress(store, book, budgets, event.occurredAt)) {
    const { budget, spentMinor, period } = progress;
    let claimed: BudgetAlert['threshold'] | undefined;
    for (const threshold of THRESHOLDS) {
      // Integer comparison: spent/limit >= threshold% without division.
      if (BigInt(spentMinor) * 100n < BigInt(budget.amountMinor) * BigInt(threshold)) break;
      if (await store.claimBudgetAlert(budget.id, period.start, threshold)) claimed = threshold;
    }
    if (claimed !== undefined) alerts.push({ threshold: claimed, progress });
  }
  return alerts;
}
