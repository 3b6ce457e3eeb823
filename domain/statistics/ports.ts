import type { EventKind, LedgerEvent } from '../types.js';

/**
 * Local calendar day `YYYY-MM-DD` in the book's timezone. Statistics are cut at local midnights,
 * so the store is asked for days rather than instants.
 */
export type LocalDay = string;

/** What a statistics row is grouped by: `t` all, `l` label, `a` author (member). */
export type StatDim = 't' | 'l' | 'a';

/** One aggregate of expenses or incomes of a period, per currency (never mixed). */
export interface StatRow {
  dim: StatDim;
  /** Label id or user id; 0 for "no label" / "no author" and for `t`. */
  key: number;
  /** Label or member name; null for key 0 or a label deleted meanwhile. */
  name: string | null;
  kind: Exclude<EventKind, 'transfer'>;
  currency: string;
  minor: number;
  count: number;
}

/** Income and expense of one bucket (`YYYY-MM-DD` or `YYYY-MM`) in one currency. */
export interface StatBucket {
  bucket: string;
  currency: string;
  incomeMinor: number;
  expenseMinor: number;
}

/** Balance change of one account in one bucket; transfers included. */
export interface BalanceBucket {
  accountId: number;
  bucket: string;
  deltaMinor: number;
}

/**
 * An exchange rate into the book currency: `perMinor` minor units of `currency` are worth
 * `bookMinor` minor units of the book currency.
 */
export interface Rate {
  currency: string;
  perMinor: number;
  bookMinor: number;
  /** `/rate` command or the latest two-amount transfer. */
  source: 'rate' | 'transfer';
  at: Date;
}

/**
 * Storage port of statistics, exchange rates and export. Reads of aggregates are
 * served from a per-day rollup the store keeps up to date itself.
 */
export interface StatsStore {
  /**
   * Aggregates of `[from, to)` local days for the dimensions asked. `readOnly`: the read neither
   * brings the rollup up to date nor waits for anyone doing so (the record path's checks).
   */
  statTotals(bookId: number, from: LocalDay, to: LocalDay, dims: readonly StatDim[], opts?: { readOnly?: boolean }): Promise<StatRow[]>;
  /** Income and expense per day or per month of `[from, to)`. */
  statBuckets(bookId: number, from: LocalDay, to: LocalDay, bucket: 'day' | 'month'): Promise<StatBucket[]>;
  /**
   * Balance changes per account and bucket in `[from, to)`, plus each account's balance at the
   * start of `from` (opening balance and everything before) as `opening`.
   */
  balanceBuckets(
    bookId: number,
    from: LocalDay,
    to: LocalDay,
    bucket: 'day' | 'month',
  ): Promise<{ opening: Map<number, number>; buckets: BalanceBucket[] }>;

  /** Known rates into `bookCurrency`: the newest of `/rate` and two-amount transfers per currency. */
  listRates(bookId: number, bookCurrency: string): Promise<Rate[]>;
  /** Sets the `/rate` of a currency against `base` (the book currency now), as of `at`. */
  setRate(bookId: number, rate: { currency: string; perMinor: number; bookMinor: number; base: string; at: Date }): Promise<void>;

  /**
   * The events in time order (then `#N`); with `limit`, at most that many, and with `after` only
   * those after that event (pages for a streamed export).
   */
  exportEvents(bookId: number, from?: Date, to?: Date, limit?: number, after?: { occurredAt: Date; seq: number }): Promise<LedgerEvent[]>;
}
