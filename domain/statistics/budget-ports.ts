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
  /** When it was set first (changing it keeps this): periods ending before it are not its. */
  createdAt?: Date;
  /** Thresholds already alerted in the period asked of `listBudgets` (`alertsIn`). */
  claimed?: number[];
}

/** One alert of a budget period: a threshold in percent (0: the early warning). */
export interface BudgetAlertClaim {
  budgetId: number;
  periodStart: Date;
  threshold: number;
}

/** Storage port of budgets and their once-per-period alerts. */
export interface BudgetStore {
  /**
   * The book's budgets; with `alertsIn` (the start of the monthly and of the weekly period) each
   * carries the thresholds already claimed in its period (`claimed`).
   */
  listBudgets(bookId: number, alertsIn?: Readonly<Record<BudgetPeriod, Date>>): Promise<Budget[]>;
  /**
   * Creates or replaces the budget of a label (created if new) or the total budget. A changed
   * budget forgets the alerts already sent, so the new limit alerts again.
   */
  setBudget(bookId: number, b: { label: string | null; amountMinor: number; currency: string; period: BudgetPeriod; createdAt?: Date }): Promise<Budget>;
  /** False when there was no such budget. */
  deleteBudget(bookId: number, budgetId: number): Promise<boolean>;
  /**
   * Claims the alerts of thresholds in budget periods, all in one go, and answers those this call
   * claimed: each (budget, period start, threshold) is claimed by exactly one caller, however many
   * race for it.
   */
  claimBudgetAlerts(claims: readonly BudgetAlertClaim[]): Promise<BudgetAlertClaim[]>;
}
