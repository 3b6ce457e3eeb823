import type { Clock } from './clock.js';
import type { LedgerStore } from './ports.js';
import type { Book, Role } from './types.js';

/** Who is acting in which book: the input of every ledger operation. */
export interface Actor {
  store: LedgerStore;
  clock: Clock;
  book: Book;
  userId: number;
  role: Role;
}
