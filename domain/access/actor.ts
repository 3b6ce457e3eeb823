import type { Clock } from '../clock.js';
import type { LedgerStore } from '../ports.js';
import type { Book, Role } from '../types.js';

/** Who is acting in which book: the input of every ledger operation. */
export interface Actor {
  store: LedgerStore;
  clock: Clock;
  book: Book;
  userId: number;
  role: Role;
  /**
   * Accounts and labels read when the request entered (same round trip as the membership);
   * valid for this request only. Operations that change them read the store instead.
   */
  snapshot?: import('../ports.js').BookSnapshot | undefined;
}
