/** Plain domain records: what the store returns and the ledger reasons about. */

export type Platform = 'telegram' | 'discord' | 'console' | 'api';
export type Role = 'owner' | 'admin' | 'member' | 'viewer';
export type EventKind = 'expense' | 'income' | 'transfer';
export type Language = 'en' | 'ru';

export interface Book {
  id: number;
  title: string;
  currency: string;
  timezone: string;
  language: Language;
  defaultAccountId: number | null;
}

export interface User {
  id: number;
  name: string;
  locale: string | null;
}

export interface Member {
  bookId: number;
  userId: number;
  role: Role;
  name: string;
}

export interface Account {
  id: number;
  bookId: number;
  name: string;
  currency: string;
  openingMinor: number;
  balanceMinor: number;
}

export interface Label {
  id: number;
  name: string;
}

export interface LedgerEvent {
  id: number;
  bookId: number;
  seq: number;
  kind: EventKind;
  accountId: number;
  accountName: string;
  amountMinor: number;
  currency: string;
  toAccountId: number | null;
  toAccountName: string | null;
  toAmountMinor: number | null;
  toCurrency: string | null;
  labels: string[];
  note: string;
  authorId: number | null;
  authorName: string | null;
  occurredAt: Date;
  createdAt: Date;
  deletedAt: Date | null;
  templateId: number | null;
}

/** Role order: a role can do everything the roles after it can. */
export const ROLE_RANK: Record<Role, number> = { owner: 3, admin: 2, member: 1, viewer: 0 };

export const atLeast = (role: Role, min: Role): boolean => ROLE_RANK[role] >= ROLE_RANK[min];
