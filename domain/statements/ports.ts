import type { BatchRecorded, BatchWriteOptions, NewEvent } from '../event-write.js';
import type { RuleStore } from '../rules/ports.js';
import type { Account } from '../types.js';
import type { CsvMapping } from './csv.js';

/** The book account a bank account is linked to, and the CSV mapping remembered for it. */
export interface StatementLink {
  accountId: number;
  csvMapping: CsvMapping | null;
}

/** A statement waiting for its person's choice (stored, so a restart does not lose it). */
export interface PendingStatement {
  id: string;
  bookId: number;
  userId: number;
  fileName: string;
  content: Buffer;
  /** The account chosen (or linked) so far. */
  accountId: number | null;
  /** Bank CSV: the mapping guessed, remembered or given so far. */
  csvMapping: CsvMapping | null;
  createdAt: Date;
  expiresAt: Date;
}

/** A book event as statement matching reads it. */
export interface StatementEventRow {
  seq: number;
  kind: 'expense' | 'income' | 'transfer';
  accountId: number;
  toAccountId: number | null;
  amountMinor: number;
  currency: string;
  toAmountMinor: number | null;
  toCurrency: string | null;
  occurredAt: Date;
  note: string;
  labels: string[];
  sourceKey: string | null;
}

export interface StatementImported {
  created: number;
  merged: number;
  /** Rows the book held already (imported before, or by an import that ran at the same time). */
  skipped: number;
}

/** Storage for statement links, pending previews and the import write (drizzle/store/statement-store.ts). */
export interface StatementStore extends Pick<RuleStore, 'listRules'> {
  listAccounts(bookId: number): Promise<Account[]>;
  findStatementLink(bookId: number, externalAccountId: string): Promise<StatementLink | undefined>;
  /**
   * Stores a pending statement; the person's older ones beyond `keep` and every expired one go.
   */
  savePendingStatement(p: PendingStatement, keep: number): Promise<void>;
  /** The person's pending statement `id` in this book, unless expired (`now`). */
  getPendingStatement(bookId: number, userId: number, id: string, now: Date): Promise<PendingStatement | undefined>;
  /** The person's newest pending statement in this book (`/import map`). */
  latestPendingStatement(bookId: number, userId: number, now: Date): Promise<PendingStatement | undefined>;
  updatePendingStatement(bookId: number, userId: number, id: string, patch: { accountId?: number; csvMapping?: CsvMapping }): Promise<void>;
  /** True when it was there. */
  deletePendingStatement(bookId: number, userId: number, id: string): Promise<boolean>;
  /**
   * The account's live events between `from` and `to` except rows imported from statements (they
   * matter only by id), and any of its live events (any date) whose source key is one of
   * `sourceKeys` (all `st:` keys).
   */
  statementEvents(bookId: number, accountId: number, from: Date, to: Date, sourceKeys: readonly string[]): Promise<StatementEventRow[]>;
  /**
   * The import's write (`recordBatch` brings the events and the twins to merge), in one
   * transaction, only if the pending statement `previewId` is still there (it is taken away): the
   * book row is locked (two imports of one file cannot both write a row; the batch write skips
   * rows whose key the book holds), and the bank account is linked to `accountId` with its CSV
   * mapping. Undefined when the preview was gone (imported, cancelled or expired).
   */
  importStatement(
    bookId: number,
    authorId: number,
    w: { previewId: string; accountId: number; externalAccountId: string | null; csvMapping: CsvMapping | null; events: readonly NewEvent[]; opts: BatchWriteOptions },
  ): Promise<BatchRecorded | undefined>;
}
