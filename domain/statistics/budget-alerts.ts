import { budgetProgress, coversPeriod, type BudgetProgress, type ProgressStore } from './budget.js';
import type { BudgetStore } from './budget-ports.js';
import type { Book, LedgerEvent } from '../types.js';
import { projectRunOut, type RunOut } from './pace.js';
import { periodOf } from '../parsing/period.js';

/** Alert thresholds in percent of a budget, lowest first. */
export const THRESHOLDS = [80, 100] as const;

/**
 * The early warning ("at this pace #groceries runs out on the 24th") is claimed in the same
 * once-per-period store as the thresholds, under this threshold number.
 */
export const PACE_THRESHOLD = 0;

/** Every alert a budget period can give. */
const EVERY_ALERT = [...THRESHOLDS, PACE_THRESHOLD];

/** What the alert check reads and claims. */
export type BudgetAlertStore = Pick<BudgetStore, 'listBudgets' | 'claimBudgetAlerts'> & ProgressStore;

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
  const alertsIn = {
    monthly: periodOf('month', event.occurredAt, book.timezone).start,
    weekly: periodOf('week', event.occurredAt, book.timezone).start,
  };
  const budgets = (await store.listBudgets(book.id, alertsIn)).filter(
    // A budget whose every alert of the period was claimed has nothing left to tell: its spend is not read.
    (b) => (b.label === null || labels.has(b.label.toLowerCase())) && !EVERY_ALERT.every((t) => b.claimed?.includes(t)),
  );
  if (budgets.length === 0) return [];
  // On the record path: the period's spend is read as committed, without patching the rollup.
  const owed = (await budgetProgress(store, book, budgets, event.occurredAt, { readOnly: true }))
    // A backdated record in a period before the budget existed alerts nothing (issue 13).
    .filter((p) => coversPeriod(p.budget, p.period))
    .map((progress) => {
      const { budget, spentMinor, period } = progress;
      // Integer comparison: spent/limit >= threshold% without division.
      const reached = THRESHOLDS.filter((t) => BigInt(spentMinor) * 100n >= BigInt(budget.amountMinor) * BigInt(t));
      // The early warning: only for a record made in its own period (a backdated one says nothing of the pace).
      const runsOut = projectRunOut({ spentMinor, limitMinor: budget.amountMinor, period, now, tz: book.timezone });
      return { progress, reached, runsOut };
    });
  // Alerts listed as claimed are not tried again (they cannot be won); the rest race on the key.
  const wanted = owed.flatMap(({ progress: { budget, period }, reached, runsOut }) =>
    [...reached, ...(runsOut ? [PACE_THRESHOLD] : [])]
      .filter((threshold) => !budget.claimed?.includes(threshold))
      .map((threshold) => ({ budgetId: budget.id, periodStart: period.start, threshold })),
  );
  if (wanted.length === 0) return [];
  // Every claim of this record in one statement; each is still an insert on the primary key.
  const claimed = new Set((await store.claimBudgetAlerts(wanted)).map((c) => `${c.budgetId}:${c.threshold}`));
  const alerts: BudgetAlert[] = [];
  for (const { progress, reached, runsOut } of owed) {
    const mine = (t: number) => claimed.has(`${progress.budget.id}:${t}`);
    const top = reached.filter(mine).at(-1);
    const pace = runsOut && mine(PACE_THRESHOLD) ? runsOut : undefined;
    if (top !== undefined) alerts.push({ threshold: top, progress, ...(pace ? { runsOut: pace } : {}) });
    else if (pace) alerts.push({ threshold: PACE_THRESHOLD, progress, runsOut: pace });
  }
  return alerts;
}
