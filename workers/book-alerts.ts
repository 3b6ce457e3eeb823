import { alertText } from '../bot/commands/budgets.js';
import { budgetAlertsFor } from '../domain/statistics/budget-alerts.js';
import type { LedgerStore, Recorded } from '../domain/ports.js';
import type { Book } from '../domain/types.js';
import type { DeliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { outbound, type Outbox } from './notifier.js';

/**
 * Budget alerts for records made outside a chat (the HTTP API): every chat of the book that has
 * not blocked the bot gets each alert through the outbound queue. The alert claim in the store
 * keeps it to once per budget, period and threshold, as for chat records.
 */
export function createBookAlerts(deps: { store: LedgerStore; delivery: Pick<DeliveryStore, 'chatsOfBook'>; outbox: Outbox }) {
  return async (book: Book, rec: Recorded): Promise<void> => {
    const alerts = await budgetAlertsFor(deps.store, book, rec.event);
    if (alerts.length === 0) return;
    const chats = await deps.delivery.chatsOfBook(book.id);
    for (const alert of alerts) {
      const key = `budget-${alert.progress.budget.id}-${alert.progress.period.start.getTime()}-${alert.threshold}`;
      for (const chat of chats) await deps.outbox.send(outbound(chat.platform, chat.chatId, { text: alertText(alert, book.language) }, `${key}-${chat.platform}-${chat.chatId}`));
    }
  };
}
