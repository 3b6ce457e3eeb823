import { integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * A book's rules (issue 17): a pattern over payee/memo/note that sets a label, maybe an account
 * and a note. The foreign keys (books cascade, accounts and users set null) are in migration 0010;
 * no import of schema.ts, no cycle.
 */
export const rules = pgTable(
  'rules',
  {
    id: serial('id').primaryKey(),
    bookId: integer('book_id').notNull(),
    /** The number people see, per book; never reused (deleted rules keep their row). */
    seq: integer('seq').notNull(),
    pattern: text('pattern').notNull(),
    /** Label name without `#`. */
    label: text('label').notNull(),
    accountId: integer('account_id'),
    note: text('note'),
    createdBy: integer('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [uniqueIndex('rules_book_seq_uq').on(t.bookId, t.seq)],
);
