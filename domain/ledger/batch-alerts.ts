import type { Actor } from '../access/actor.js';
import { periodOf } from '../parsing/period.js';
import { coversPeriod } from '../statistics/budget.js';
import type { BudgetAlert } from '../statistics/budget-alerts.js';
import type { LedgerEvent } from '../types.js';
import { alertsAfter, type EntryStore } from './record-entry.js';

/**
 * The after-record rule for a batch: the budget alerts its new expenses made owed. A budget's
 * alerts depend on its period's total, not on each event, and every threshold is claimed once
 * per period; so the events are grouped by the budget periods they fall in (budgets matching
 * their labels, or `total`; periods the budget covers) and each group is checked once with
 * `alertsAfter`, as a single record would be. A year of statement rows costs one check per
 * month, not one per row; an import into a book without budgets, one query.
 */
export async function batchAlerts(a: Actor<EntryStore>, created: readonly LedgerEvent[]): Promise<BudgetAlert[]> {
  if (a.snapshot?.hasBudgets === false) return [];
  const expenses = created.filter((e) => e.kind === 'expense');
  if (expenses.length === 0) return [];
  const budgets = await a.store.listBudgets(a.book.id);
  if (budgets.length === 0) return [];
  const tz = a.book.timezone;
  // Periods by unit and instant: an import's rows share a handful of instants (noon of each day).
  const periods = new Map<string, { start: Date; end: Date }>();
  const periodAt = (unit: 'week' | 'month', at: Date) => {
    const key = `${unit}${at.getTime()}`;
    let p = periods.get(key);
    if (!p) periods.set(key, (p = periodOf(unit, at, tz)));
    return p;
  };
  const groups = new Map<string, LedgerEvent>();
  for (const e of expenses) {
    const labels = new Set(e.labels.map((l) => l.toLowerCase()));
    const key: string[] = [];
    for (const b of budgets) {
      if (b.label !== null && !labels.has(b.label.toLowerCase())) continue;
      const period = periodAt(b.period === 'weekly' ? 'week' : 'month', e.occurredAt);
      if (coversPeriod(b, period)) key.push(`${b.id}@${period.start.getTime()}`);
    }
    if (key.length) groups.set(key.join(','), e);
  }
  const alerts: BudgetAlert[] = [];
  for (const event of groups.values()) alerts.push(...(await alertsAfter(a.store, a.book, { event, balances: [], created: true }, a.snapshot?.hasBudgets, a.clock.now())));
  return alerts;
}
