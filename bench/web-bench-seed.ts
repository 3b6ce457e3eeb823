import { FixedClock } from '../domain/clock.js';
import type { LedgerStore } from '../domain/ports.js';
import { changeBudget } from '../domain/statistics/budget.js';
import { addTemplate } from '../domain/schedules/templates.js';

/** A budget and a template through the domain, as `/budget` and `/template add` make them. */
export async function addBudgetAndTemplate(store: LedgerStore, bookId: number, userId: number): Promise<void> {
  const book = await store.getBook(bookId);
  const actor = { store, clock: new FixedClock(new Date()), book, userId, role: 'owner' as const };
  await changeBudget(actor, '#label3 300 monthly');
  await addTemplate(actor, 'monthly:1 900 #rent', null);
}
