import type { Db } from '../db.js';
import type { LedgerStore } from '../../domain/ports.js';
import { accountStore } from './account-store.js';
import { eventStore } from './event-store.js';
import { identityStore } from './identity-store.js';
import { labelStore } from './label-store.js';
import { totalsStore } from './totals-store.js';

/** The ledger store on a drizzle database (postgres.js or PGlite). */
export function createStore(db: Db): LedgerStore {
  return { ...identityStore(db), ...accountStore(db), ...labelStore(db), ...eventStore(db), ...totalsStore(db) };
}
