/** How often a budget starts over: calendar months or weeks from Monday, in the book's timezone. */
export type BudgetPeriod = 'monthly' | 'weekly';

/** A spending limit on one label, or on all expenses (`labelId` null: `total`). */
export interface Budget {
  id: number;
  labelId: number | null;
  /** Label name; null for the total budget. */
  label: string | null;
  amountMinor: number;
  currency: string;
  period: BudgetPeriod;
}

/** Storage port of budgets and their once-per-period alerts. */
export interface BudgetStore {
  listBudgets(bookId: number): Promise<Budget[]>;
  /**
   * Creates or replaces the budget of a label (created if new) or the total budget. A changed
   * budget forgets the alerts already sent, so the new limit alerts again.
   */
  setBudget(bookId: number, b: { label: string | null; amountMinor: number; currency: string; period: BudgetPeriod }): Promise<Budget>;
  /** False when there was no such budget. */
  deleteBudget(bookId: number, budgetId: number): Promise<boolean>;
  /**
   * Claims the alert of a threshold in one budget period. True for exactly one caller per
   * (budget, period start, threshold), however many race for it.
   */
  claimBudgetAlert(budgetId: number, periodStart: Date, threshold: number): Promise<boolean>;
}
