import type { Logger } from 'pino';
import { alertKey, alertText } from '../bot/presentation/budget-alert.js';
import { alertsAfter } from '../domain/ledger/record-entry.js';
import type { Clock } from '../domain/clock.js';
import type { LedgerStore } from '../domain/ports.js';
import { sweepTemplates, type BatchResult, type SweepStore, type SweepSummary } from '../domain/schedules/sweep.js';
import type { DeliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { outbound, type Outbox } from './notifier.js';
import { asLedgerEvent, templateNotices } from './template-notices.js';

export interface TemplateSweepDeps {
  sweepStore: SweepStore;
  /** For budget alerts on template records. */
  ledger: LedgerStore;
  delivery: DeliveryStore;
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
  batchSize?: number;
}

export interface SweepRunOptions {
  /** Ends the sweep after the batch in hand (SIGTERM). */
  signal?: AbortSignal;
  /** Called once when a batch came back full: more is due than one worker does at once. */
  onBusy?: () => void;
}

/** One sweep run: what the every-minute job (BullMQ or the in-process timer) calls. */
export type TemplateSweep = (opts?: SweepRunOptions) => Promise<SweepSummary>;

/**
 * The sweep as a job: applies every due occurrence (domain/schedules/sweep.ts), then for each
 * committed batch tells the chats what was recorded, which templates had to be paused, and which
 * budget thresholds the new expenses crossed, all through the outbound queue. Telling happens
 * after the commit, so a rolled-back batch never announces anything; a crash between commit and
 * queueing loses that batch's message (never its records).
 */
export function createTemplateSweep(deps: TemplateSweepDeps): TemplateSweep {
  const batchSize = deps.batchSize ?? 500;

  async function afterCommit(r: BatchResult): Promise<void> {
    for (const n of templateNotices(r)) await deps.outbox.send(outbound(n.target.platform, n.target.chatId, n.reply, n.key));
    await budgetAlerts(r);
  }

  /** Budget thresholds crossed by the new expenses, told in the chat of the template that made them. */
  async function budgetAlerts(r: BatchResult): Promise<void> {
    const expenses = r.applied.filter((e) => e.kind === 'expense');
    if (expenses.length === 0) return;
    const withBudgets = await deps.delivery.booksWithBudgets([...new Set(expenses.map((e) => e.bookId))]);
    const notifyOf = new Map(r.templates.map((x) => [x.id, x.notify]));
    for (const e of expenses) {
      const book = r.books.get(e.bookId);
      const target = notifyOf.get(e.templateId);
      if (!book || !withBudgets.has(e.bookId)) continue;
      try {
        for (const alert of await alertsAfter(deps.ledger, book, { event: asLedgerEvent(e, r.now), balances: [], created: true })) {
          if (!target) continue;
          await deps.outbox.send(outbound(target.platform, target.chatId, { text: alertText(alert, book.language) }, alertKey(alert)));
        }
      } catch (err) {
        deps.logger.error({ err: String(err), book: e.bookId }, 'budget alert check failed for a template record');
      }
    }
  }

  return async (opts = {}) => {
    let busy = false;
    const summary = await sweepTemplates(deps.sweepStore, {
      now: () => deps.clock.now(),
      batchSize,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onBatch: async (r) => {
        if (!busy && r.templates.length >= batchSize) {
          busy = true;
          opts.onBusy?.();
        }
        await afterCommit(r);
      },
      onError: (err, ids) => deps.logger.error({ err: String(err), templates: ids.slice(0, 20) }, 'template batch failed; rolled back'),
    });
    if (summary.applied || summary.failed || summary.duplicates)
      deps.logger.info(summary, 'templates applied');
    return summary;
  };
}
