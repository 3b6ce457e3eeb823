import type { Actor } from '../access/actor.js';
import type { Recorded } from '../ports.js';
import { runTemplate } from '../schedules/templates.js';
import { recordExpense, type SplitRecordStore, type SplitRecorded } from '../sharing/shared-ledger.js';
import type { TemplateStore } from '../schedules/ports.js';
import { budgetAlertsFor, type BudgetAlert, type BudgetAlertStore } from '../statistics/budget-alerts.js';
import type { Book } from '../types.js';
import { recordInput, type RecordInput } from './record-input.js';
import { recordLine, transfer } from './record.js';

/** What someone asks to record, however it arrived. */
export type Entry =
  /** A record line as typed in chat (`90 #dinner split`); an expense line may carry a split token. */
  | { kind: 'expense' | 'income' | 'transfer'; line: string }
  /** Fields given one by one (the HTTP API): nothing is guessed from the note. */
  | { fields: RecordInput }
  /** One occurrence of a recurring template, now (`/template run`). */
  | { template: number };

/** The storage a record and its after-record rule need: the narrow ports of each way in. */
export type EntryStore = SplitRecordStore & Pick<TemplateStore, 'getTemplate'> & BudgetAlertStore;

/** A record and what follows it. */
export interface EntryRecorded extends SplitRecorded {
  /** Budget thresholds the record made a budget reach, each told once per budget period. */
  alerts: BudgetAlert[];
  /** Why the alert check failed: the record stands, the caller logs this. */
  alertError?: unknown;
}

function write(a: Actor<EntryStore>, entry: Entry): Promise<SplitRecorded> {
  if ('fields' in entry) return recordInput(a, entry.fields);
  if ('template' in entry) return runTemplate(a, entry.template);
  if (entry.kind === 'transfer') return transfer(a, entry.line);
  if (entry.kind === 'expense') return recordExpense(a, entry.line);
  return recordLine(a, 'income', entry.line);
}

/**
 * The one rule for what follows a record: the budget alerts a new expense triggered (see
 * `budgetAlertsFor`). `hasBudgets: false` (known from entering the chat) skips the query.
 * The template sweep applies it to each event of a batch; everything else gets it from
 * {@link recordEntry}.
 */
export async function alertsAfter(store: BudgetAlertStore, book: Book, rec: Recorded, hasBudgets?: boolean, now?: Date): Promise<BudgetAlert[]> {
  if (!rec.created || hasBudgets === false) return [];
  return budgetAlertsFor(store, book, rec.event, now);
}

/** Wraps a record use case with the after-record rule, once, where it is defined. */
function withAfterRecord<A extends unknown[]>(fn: (a: Actor<EntryStore>, ...args: A) => Promise<SplitRecorded>) {
  return async (a: Actor<EntryStore>, ...args: A): Promise<EntryRecorded> => {
    const rec = await fn(a, ...args);
    try {
      return { ...rec, alerts: await alertsAfter(a.store, a.book, rec, a.snapshot?.hasBudgets, a.clock.now()) };
    } catch (alertError) {
      // A failed check must not hide the record's confirmation.
      return { ...rec, alerts: [], alertError };
    }
  };
}

/**
 * Records one entry: the one way in for chat quick entry, `/spend`, `/income`, `/transfer`,
 * splits, the HTTP API (fields or a line) and `/template run`.
 */
export const recordEntry = withAfterRecord(write);
