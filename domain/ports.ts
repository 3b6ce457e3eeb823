import type { DigestSettingsStore } from './digests/ports.js';
export type { BatchItemRecorded, BatchMerge, BatchRecorded, BatchWriteOptions, NewEvent } from './event-write.js';
import type { BatchRecorded, BatchWriteOptions, NewEvent, WrittenAccountBalance } from './event-write.js';
import type { Account, Book, Label, LedgerEvent, Member, Platform, Role, User } from './types.js';
// HTTP API: personal tokens and the API's reads.
import type { ApiReadStore } from './access/ports.js';
import type { TokenStore } from './access/ports.js';
// Group budgets: members, splits and settlements, /link.
import type { MemberStore } from './sharing/ports.js';
import type { SplitStore } from './sharing/ports.js';
import type { LinkStore } from './sharing/ports.js';
// Statistics, budgets, rates, CSV.
import type { StatsStore } from './statistics/ports.js';
import type { BudgetStore } from './statistics/budget-ports.js';
// Recurring templates.
import type { TemplateStore } from './schedules/ports.js';
// The web app: sign-in links and sessions.
import type { WebAccessStore } from './access/web-access.js';
// Bank statements: linked accounts, pending previews, the statement import.
import type { StatementStore } from './statements/ports.js';
// Rules that label records by payee/memo/note.
import type { RuleStore } from './rules/ports.js';
import type { ReceiptStore } from './receipts/ports.js';

/** Defaults applied to a book the first time its chat writes. */
export interface BookDefaults {
  currency: string;
  timezone: string;
  language: 'en' | 'ru';
}

export interface ChatRef {
  platform: Platform;
  chatId: string;
  kind: 'private' | 'group';
  title: string;
}

export interface IdentityRef {
  platform: Platform;
  externalId: string;
  name: string;
  username?: string | undefined;
  locale?: string | undefined;
}

export interface EventPatch {
  amountMinor?: number;
  toAmountMinor?: number;
  accountId?: number;
  labels?: string[];
  occurredAt?: Date;
  note?: string;
}

export interface HistoryFilter {
  limit: number;
  label?: string | undefined;
  accountId?: number | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Cursor: only events with seq below this. */
  beforeSeq?: number | undefined;
}

/** Who is acting where, resolved from a platform message. */
export interface Entered {
  user: User;
  book: Book;
  member: Member;
  /** The book's accounts and labels as of entering, when loaded in the same round trip. */
  snapshot?: BookSnapshot;
}

export interface BookSnapshot {
  accounts: Account[];
  labels: Label[];
  /** Whether the book has any budget (records in books without one need no alert check). */
  hasBudgets?: boolean;
  /** Whether the book has any rule (records in books without one need no rule lookup). */
  hasRules?: boolean;
}

/** Result of recording: the event and the new balance of each touched account. */
export interface Recorded {
  event: LedgerEvent;
  balances: WrittenAccountBalance[];
  /** False when the source key or template occurrence was already recorded. */
  created: boolean;
  /** The rule that gave the record its label (a line typed without one, a template). */
  rule?: { seq: number; label: string };
}

export interface CurrencyTotal {
  currency: string;
  expenseMinor: number;
  incomeMinor: number;
}

export interface LabelTotal {
  name: string;
  expenseMinor: number;
  incomeMinor: number;
  currency: string;
}

/** Who acts where: platform identities, chats and memberships. */
export interface ChatStore {
  /** Records the platform update key; false when it had been seen already. */
  markProcessed(key: string): Promise<boolean>;
  /**
   * Marks `updateKey` processed and resolves user, book (created on first use) and membership;
   * undefined when the update key had been seen (a redelivery).
   */
  enter(chat: ChatRef, from: IdentityRef, platformAdmin: boolean, defaults: BookDefaults, updateKey?: string): Promise<Entered | undefined>;
  resolveUser(ref: IdentityRef): Promise<User>;
  resolveChat(ref: ChatRef, defaults: BookDefaults): Promise<Book>;
  /** Adds the user to the book (owner if first; admin if a platform admin) and returns the membership. */
  ensureMember(bookId: number, userId: number, platformAdmin: boolean): Promise<Member>;
}

/** A book's settings and roles. */
export interface BookStore {
  getBook(bookId: number): Promise<Book>;
  updateBook(bookId: number, patch: Partial<Pick<Book, 'currency' | 'timezone' | 'language' | 'title'>>): Promise<Book>;
  listMembers(bookId: number): Promise<Member[]>;
  setRole(bookId: number, userId: number, role: Role): Promise<void>;
}

/** A book's accounts. */
export interface AccountStore {
  listAccounts(bookId: number): Promise<Account[]>;
  createAccount(bookId: number, a: { name: string; currency: string; openingMinor: number }): Promise<Account>;
  renameAccount(bookId: number, accountId: number, name: string): Promise<void>;
  deleteAccount(bookId: number, accountId: number): Promise<void>;
  setDefaultAccount(bookId: number, accountId: number): Promise<void>;
}

/** A book's labels. */
export interface LabelStore {
  listLabels(bookId: number): Promise<Label[]>;
  labelTotals(bookId: number, from: Date, to: Date): Promise<LabelTotal[]>;
  renameLabel(bookId: number, labelId: number, name: string): Promise<void>;
  /** Moves every event of `fromId` to `intoId` and removes `fromId`. */
  mergeLabels(bookId: number, fromId: number, intoId: number): Promise<void>;
  deleteLabel(bookId: number, labelId: number): Promise<void>;
}

/** The events of a book; every write goes through the one event writer (drizzle/store/event-writer.ts). */
export interface EventStore {
  record(e: NewEvent): Promise<Recorded>;
  getEvent(bookId: number, seq: number, includeDeleted?: boolean): Promise<LedgerEvent | undefined>;
  lastEventBy(bookId: number, authorId: number): Promise<LedgerEvent | undefined>;
  /** Soft-deletes (or restores) and reverses (or re-applies) the balance effect. */
  setDeleted(bookId: number, seq: number, deleted: boolean): Promise<LedgerEvent>;
  editEvent(bookId: number, seq: number, patch: EventPatch): Promise<LedgerEvent>;
  history(bookId: number, filter: HistoryFilter): Promise<LedgerEvent[]>;
  periodTotals(bookId: number, from: Date, to: Date): Promise<CurrencyTotal[]>;
  /**
   * Records events of ONE book in one transaction through the event writer (the API batch):
   * an event whose `sourceKey` is already recorded (or earlier in the same batch) is a replay
   * when its `sourceHash` matches and a mismatch when it does not; neither is written. Any
   * failure writes nothing. Results are in input order; balances are the touched accounts' after.
   */
  recordBatch(bookId: number, events: readonly NewEvent[], opts?: BatchWriteOptions): Promise<BatchRecorded>;
}


/** What recording an entry needs: accounts (the default one may be created), labels and events. */
export type RecordStore = Pick<AccountStore, 'listAccounts' | 'createAccount'> & Pick<LabelStore, 'listLabels'> & EventStore & Pick<RuleStore, 'listRules'>;

/**
 * Every storage port at once, as implemented on PostgreSQL (postgres.js) and PGlite by
 * `drizzle/store/index.ts`; every method is scoped to one book and runs in its own transaction.
 * Use cases name the narrower port they need (`Actor<RecordStore>`).
 */
export interface LedgerStore
  extends ChatStore,
    BookStore,
    AccountStore,
    LabelStore,
    EventStore,
    TokenStore,
    ApiReadStore,
    MemberStore,
    SplitStore,
    LinkStore,
    StatsStore,
    BudgetStore,
    TemplateStore,
    WebAccessStore,
    StatementStore,
    RuleStore,
    DigestSettingsStore,
    ReceiptStore {}
