import { alertKey, alertText } from '../bot/presentation/budget-alert.js';
import type { BudgetAlert } from '../domain/statistics/budget-alerts.js';
import type { Book } from '../domain/types.js';
import type { DeliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { outbound, type Outbox } from './notifier.js';

/**
 * Delivers budget alerts of records made outside a chat (the HTTP API): every chat of the book
 * that has not blocked the bot gets each alert through the outbound queue. Which alerts are owed
 * is decided by the record use case (`alertsAfter`), once per budget, period and threshold.
 */
export function createBookAlerts(deps: { delivery: Pick<DeliveryStore, 'chatsOfBook'>; outbox: Outbox }) {
  return async (book: Book, alerts: readonly BudgetAlert[]): Promise<void> => {
    if (alerts.length === 0) return;
    const chats = await deps.delivery.chatsOfBook(book.id);
    for (const alert of alerts)
      for (const chat of chats)
        await deps.outbox.send(outbound(chat.platform, chat.chatId, { text: alertText(alert, book.language) }, `${alertKey(alert)}-${chat.platform}-${chat.chatId}`));
  };
}
