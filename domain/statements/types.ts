/** The statement formats COIN reads (see `docs/statements.md`). */
export type StatementFormat = 'ofx' | 'qif' | 'camt.053' | 'camt.052' | 'csv';

/** One booked transaction of a bank statement, normalised. */
export interface StatementRow {
  /**
   * The bank's own id for the transaction (OFX FITID, CAMT AcctSvcrRef or NtryRef, a CSV id
   * column), or a stable hash of what the row says when the bank gives none (`externalIdFor`).
   */
  externalId: string;
  /** Booking date, `YYYY-MM-DD`. */
  date: string;
  /** Signed integer minor units of `currency`: negative is money out of the account. */
  amountMinor: number;
  currency: string;
  payee: string;
  memo: string;
}

export interface Statement {
  format: StatementFormat;
  /** The bank account the statement is for (IBAN, account number), when the file says. */
  accountId?: string;
  currency?: string;
  rows: StatementRow[];
  /** Balance before the first row, in minor units of `currency`, when the file says. */
  openingBalance?: number;
  /** Balance after the last row, in minor units of `currency`, when the file says. */
  closingBalance?: number;
}
