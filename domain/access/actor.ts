import type { Clock } from '../clock.js';
import type { BookSnapshot, LedgerStore } from '../ports.js';
import type { Book, Role } from '../types.js';

/**
 * Who is acting in which book: the input of every ledger operation. `S` is the storage port the
 * operation needs (`Actor<RecordStore>`); callers holding the whole store pass it unchanged.
 */
export interface Actor<S = LedgerStore> {
  store: S;
  clock: Clock;
  book: Book;
  userId: number;
  role: Role;
  /**
   * Accounts and labels read when the request entered (same round trip as the membership);
   * valid for this request only. Operations that change them read the store instead.
   */
  snapshot?: BookSnapshot | undefined;
}
