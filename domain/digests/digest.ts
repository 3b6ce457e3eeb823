import { DateTime } from 'luxon';
import { budgetProgress, type BudgetProgress } from '../statistics/budget.js';
import { projectRunOut, type RunOut } from '../statistics/pace.js';
import { statsReport, type StatsReport } from '../statistics/report.js';
import type { LedgerStore } from '../ports.js';
import type { Book } from '../types.js';
import { lastRun, nextRun, type DigestKind, type DigestSetting } from './schedule.js';
import type { ReminderStore } from './ports.js';

/** A budget worth a line in the digest: most of it used, or running out before its period ends. */
export interface BudgetAtRisk {
  progress: BudgetProgress;
  runsOut?: RunOut;
}

/** What a digest says about the period that ended before its run. */
export interface DigestReport {
  every: 'weekly' | 'monthly';
  /** The ended week or month against the one before, top labels, its budgets. */
  report: StatsReport;
  /** Budgets of the periods now under way at 80 % or more, or projected to run out. */
  atRisk: BudgetAtRisk[];
}

/** Percent of a budget from which the digest lists it as at risk. */
export const AT_RISK_PERCENT = 80;

/**
 * The digest of run `runAt`: the week (Monday to Sunday) or calendar month that ended before it
 * in the book's time zone, against the one before (the same figures `/stats last-week` shows),
 * and the budgets at risk now.
 */
export async function digestReport(ledger: LedgerStore, book: Book, every: 'weekly' | 'monthly', runAt: Date): Promise<DigestReport> {
  // The report and the budgets at risk read the same budgets and rates: once each per digest.
  let budgetsRead: ReturnType<LedgerStore['listBudgets']> | undefined;
  const budgetsOnce = () => (budgetsRead ??= ledger.listBudgets(book.id));
  const rates = new Map<string, ReturnType<LedgerStore['listRates']>>();
  const store: LedgerStore = {
    ...ledger,
    listBudgets: (id) => (id === book.id ? budgetsOnce() : ledger.listBudgets(id)),
    listRates: (id, currency) => {
      if (id !== book.id) return ledger.listRates(id, currency);
      let r = rates.get(currency);
      if (!r) rates.set(currency, (r = ledger.listRates(id, currency)));
      return r;
    },
  };
  const actor = { store, book, clock: { now: () => runAt }, userId: 0, role: 'viewer' as const };
  const report = await statsReport(actor, every === 'weekly' ? 'last-week' : 'last-month', { group: false });
  const budgets = await budgetsOnce();
  const atRisk: BudgetAtRisk[] = [];
  for (const progress of await budgetProgress(store, book, budgets, runAt)) {
    const runsOut = projectRunOut({ spentMinor: progress.spentMinor, limitMinor: progress.budget.amountMinor, period: progress.period, now: runAt, tz: book.timezone });
    if (progress.percent >= AT_RISK_PERCENT || runsOut) atRisk.push({ progress, ...(runsOut ? { runsOut } : {}) });
  }
  return { every, report, atRisk };
}

/** A reminder this late is not sent: a 21:00 nudge at breakfast helps nobody. */
export const REMINDER_LATE_MS = 2 * 3600_000;

/** What a due row of the schedule comes to. */
export type DueDecision =
  /** Send the message of run `run`, then wait for `nextAt`. */
  | { send: true; run: Date; nextAt: Date }
  /** Nothing to send now (`why`), wait for `nextAt`. */
  | { send: false; run: Date; nextAt: Date; why: 'handled' | 'late' };

/**
 * What to do with a setting whose `next_at` has come, at `now`: the latest run at or before
 * now in the book's current time zone is sent unless a run at or after it was already handled
 * (`lastRunAt`) or it came before the chat set it (`setAt`) — so a changed time zone or a
 * worker that was down for days sends the latest digest once, never a backlog. A reminder more
 * than {@link REMINDER_LATE_MS} late is skipped.
 */
export function dueDecision(s: DigestSetting, kind: DigestKind, tz: string, now: Date, handled: { lastRunAt: Date | null; setAt: Date }): DueDecision {
  const run = lastRun(s, tz, now);
  const nextAt = nextRun(s, tz, now);
  const floor = Math.max(handled.lastRunAt?.getTime() ?? -Infinity, handled.setAt.getTime());
  if (run.getTime() <= floor) return { send: false, run, nextAt, why: 'handled' };
  if (kind === 'reminder' && now.getTime() - run.getTime() > REMINDER_LATE_MS) return { send: false, run, nextAt, why: 'late' };
  return { send: true, run, nextAt };
}

/**
 * Whether the reminder of run `run` is owed: nothing was recorded in the book on that local day
 * (book time zone) — neither written that day nor dated that day.
 */
export async function reminderOwed(store: ReminderStore, book: Book, run: Date): Promise<boolean> {
  const day = DateTime.fromJSDate(run, { zone: book.timezone }).startOf('day');
  return !(await store.recordedBetween(book.id, day.toJSDate(), day.plus({ days: 1 }).toJSDate()));
}
