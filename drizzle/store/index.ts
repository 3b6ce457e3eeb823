import type { Db } from '../db.js';
import type { LedgerStore } from '../../domain/ports.js';
import { accountStore } from './account-store.js';
import { eventStore } from './event-store.js';
import { identityStore } from './identity-store.js';
import { labelStore } from './label-store.js';
import { totalsStore } from './totals-store.js';
import { tokenStore } from './token-store.js';
import { apiStore } from './api-store.js';
import { memberStore } from './member-store.js';
import { splitStore } from './split-store.js';
import { linkStore } from './link-store.js';
import { statsStore } from './stats-store.js';
import { budgetStore } from './budget-store.js';
import { exportStore } from './export-store.js';
import { templateStore } from './template-store.js';
import { webStore } from './web-store.js';
import { statementStore } from './statement-store.js';
import { ruleStore } from './rule-store.js';
import { digestSettingsStore } from './digest-store.js';
import { receiptStore } from './receipt-store.js';

/**
 * What a store gathers per turn of the event loop (`turn-batch.ts`): `combineRecords` — plain
 * records in one write (a shared batch transaction of several chats; the API's and web app's
 * single records from many books: `record-combiner.ts`); `combineEnters` — the chats' enter reads
 * in one statement (a shared batch transaction: `enterRows`).
 */
export interface StoreOptions {
  combineRecords?: boolean;
  combineEnters?: boolean;
}

/** The ledger store on a drizzle database (postgres.js or PGlite). */
export function createStore(db: Db, opts: StoreOptions = {}): LedgerStore {
  return { ...identityStore(db, opts), ...accountStore(db), ...labelStore(db), ...eventStore(db, opts), ...totalsStore(db), ...tokenStore(db), ...apiStore(db), ...memberStore(db), ...splitStore(db), ...linkStore(db), ...statsStore(db), ...budgetStore(db), ...exportStore(db), ...templateStore(db), ...webStore(db), ...ruleStore(db), ...digestSettingsStore(db), ...statementStore(db), ...receiptStore(db) };
}
