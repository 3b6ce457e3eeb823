import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../drizzle/db.js';
import type { LedgerStore } from '../domain/ports.js';
import { createStore } from '../drizzle/store/index.js';

/**
 * For a `describe` block over one engine (`describe.each(ENGINES)`): opens a migrated database with
 * `open` before its tests and hands it and the ledger store on it to `use`; closes it after them.
 */
export function storeOn(open: () => Promise<Database>, use: (db: Database, store: LedgerStore) => void): void {
  let db: Database | undefined;
  beforeAll(async () => {
    db = await open();
    use(db, createStore(db.db));
  });
  afterAll(async () => db?.close());
}
