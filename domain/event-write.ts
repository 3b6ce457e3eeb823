import type { Minor } from './money/money.js';
import type { EventKind, LedgerEvent } from './types.js';

/**
 * What a write of events takes and answers — one record (`EventStore.record`) or a batch
 * (`EventStore.recordBatch`, a statement import's own write). A leaf of the ports, so the ports
 * of each area (statements) can name it without a cycle through `ports.ts`.
 */

/** An event to record, checked by its use case. */
export interface NewEvent {
  bookId: number;
  kind: EventKind;
  accountId: number;
  amountMinor: Minor;
  currency: string;
  toAccountId?: number | undefined;
  toAmountMinor?: Minor | undefined;
  toCurrency?: string | undefined;
  labels: string[];
  note: string;
  authorId: number | null;
  occurredAt: Date;
  templateId?: number | undefined;
  occurrenceAt?: Date | undefined;
  sourceKey?: string | undefined;
  /** With `sourceKey` from the API: a hash of the request; the same key with another hash is refused. */
  sourceHash?: string | undefined;
  /** A batch with `keepNumbers`: the `#N` this event wants (kept where the book has not used it). */
  seq?: number | undefined;
  /** Kept beside the record (`events.meta`): what a bank said of it (payee, memo). */
  meta?: Record<string, string> | undefined;
}

/** An account's balance after a write. */
export interface WrittenAccountBalance {
  accountId: number;
  accountName: string;
  currency: string;
  balanceMinor: number;
}

/** One event of a batch write (`EventStore.recordBatch`). */
export type BatchItemRecorded =
  | { outcome: 'created'; event: LedgerEvent }
  | { outcome: 'replayed'; id: number; seq: number }
  | { outcome: 'mismatch' };

export interface BatchRecorded {
  items: BatchItemRecorded[];
  /** The touched accounts' balances after the write. */
  balances: WrittenAccountBalance[];
  /** Twins merged ({@link BatchWriteOptions.merges}). */
  merged?: number;
}

/** A record typed by hand that is a statement row (a likely twin): it gains the row's key and bank text. */
export interface BatchMerge {
  seq: number;
  /** Only a live record of this account without a key of its own is merged. */
  accountId: number;
  sourceKey: string;
  meta: Record<string, string>;
}

/** What a batch write may do besides recording its events. */
export interface BatchWriteOptions {
  /**
   * COIN's CSV (an export read back): each event keeps the `#N` it wants where the book has not
   * used it (the rest are numbered after), and an event identical to this book's record `#N`
   * (deleted or not) is not written but answers `replayed`: a book's own export adds nothing.
   */
  keepNumbers?: boolean;
  /** Twins to merge in the same transaction; one whose key the book holds already is left alone. */
  merges?: readonly BatchMerge[];
}
