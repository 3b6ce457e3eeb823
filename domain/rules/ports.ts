import type { HistoryItem } from './suggest.js';
import type { Rule } from './types.js';

/** A rule as stored in a book. */
export interface BookRule extends Rule {
  bookId: number;
  accountId: number | null;
  /** The account's name while it exists (a deleted account leaves the rule without one). */
  accountName: string | null;
  note: string | null;
  createdBy: number | null;
  createdAt: Date;
}

export interface NewRule {
  bookId: number;
  pattern: string;
  label: string;
  accountId: number | null;
  note: string | null;
  createdBy: number | null;
}

/** Storage of rules, one book at a time (drizzle/store/rule-store.ts). */
export interface RuleStore {
  /** Live rules of a book, by number. */
  listRules(bookId: number): Promise<BookRule[]>;
  /** Adds a rule with the book's next number (numbers are never reused). */
  addRule(r: NewRule): Promise<BookRule>;
  /** Deletes rule number `seq`; undefined when the book has no such live rule. */
  deleteRule(bookId: number, seq: number): Promise<BookRule | undefined>;
  /** The payee (when imported), note and labels of the book's latest `limit` live records, for `/rule suggest`. */
  ruleHistory(bookId: number, limit: number): Promise<HistoryItem[]>;
}
