import { bigserial, customType, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * Which book account a bank account is (issue 17): the statement's own id for it (OFX `ACCTID`,
 * CAMT IBAN, or `csv:<hash of the header>` for bank CSV) and the CSV mapping remembered for it.
 * `book_id`, `account_id`: foreign keys (on delete cascade) are in migration 0009.
 */
export const statementAccounts = pgTable(
  'statement_accounts',
  {
    id: serial('id').primaryKey(),
    bookId: integer('book_id').notNull(),
    accountId: integer('account_id').notNull(),
    externalAccountId: text('external_account_id').notNull(),
    csvMapping: jsonb('csv_mapping'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('statement_accounts_book_external_uq').on(t.bookId, t.externalAccountId), index('statement_accounts_account_idx').on(t.accountId)],
);

/**
 * A statement sent and previewed, waiting for the person's choice (import, merge twins, cancel):
 * the file itself, the account and mapping chosen so far. Scoped to the book and the person who
 * sent it, expiring, a few per person (see `drizzle/store/statement-store.ts`).
 */
export const statementPreviews = pgTable(
  'statement_previews',
  {
    id: text('id').primaryKey(),
    /** Order of arrival (the newest is the one `/import map` answers). */
    n: bigserial('n', { mode: 'number' }).notNull(),
    bookId: integer('book_id').notNull(),
    userId: integer('user_id').notNull(),
    fileName: text('file_name').notNull(),
    content: bytea('content').notNull(),
    accountId: integer('account_id'),
    csvMapping: jsonb('csv_mapping'),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('statement_previews_owner_idx').on(t.bookId, t.userId, t.n), index('statement_previews_expires_idx').on(t.expiresAt)],
);
