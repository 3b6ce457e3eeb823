import type { Book, Member, Platform, Role } from '../types.js';

/** A member with the handles others may call them by (`/role @ann admin`, `split:@ann,@bob`). */
export interface MemberProfile extends Member {
  handles: { platform: Platform; externalId: string; username: string | null }[];
}

/** Expenses a member recorded in a period, per currency (never mixed). */
export interface MemberSpending {
  userId: number;
  currency: string;
  expenseMinor: number;
}

/** Storage port for memberships beyond what the ledger needs. */
export interface MemberStore {
  /** Members of the book with their platform handles, in the order they joined. */
  listMemberProfiles(bookId: number): Promise<MemberProfile[]>;
  /** Live expenses per author and currency with `from <= occurred_at < to`. */
  memberSpending(bookId: number, from: Date, to: Date): Promise<MemberSpending[]>;
  /**
   * Sets a member's role in one transaction that also counts the owners, so two admins demoting
   * the last two owners at once cannot leave the book without one.
   * @returns the role the member had before.
   * @throws DomainError `member_unknown` ({member}) when not a member, `last_owner` when the
   *   change would leave no owner.
   */
  changeRole(bookId: number, userId: number, role: Role): Promise<Role>;
}

/**
 * `book`: made by an admin in a group, it lets another group or channel join that book.
 * `identity`: made in a private chat, it lets the same person's account on another platform
 * become the same user with the same personal book.
 */
export type LinkKind = 'book' | 'identity';

export interface LinkCode {
  kind: LinkKind;
  /** The book to join: the group's book, or the personal book of the private chat. */
  bookId: number;
  /** Who made the code. */
  userId: number;
  expiresAt: Date;
}

/** What a book holds that linking would hide; all zero means it is safe to give the book up. */
export interface BookContents {
  /** Events ever recorded, deleted ones included (they can be restored). */
  events: number;
  settlements: number;
  templates: number;
  budgets: number;
  /** Accounts with an opening balance or a balance; empty accounts carry no money. */
  accountsWithMoney: number;
}

/** Storage port for `/link`. The moves re-check their preconditions under lock. */
export interface LinkStore {
  /** Stores a code by its hash (the code itself is never stored). */
  saveLinkCode(hash: string, code: LinkCode): Promise<void>;
  /** The code if it exists and `now` is before its expiry; does not consume it. */
  findLinkCode(hash: string, now: Date): Promise<LinkCode | undefined>;
  bookContents(bookId: number): Promise<BookContents>;
  /** How many chats write to the book. */
  chatCount(bookId: number): Promise<number>;
  /** The user's platform identities. */
  identitiesOf(userId: number): Promise<{ platform: Platform; externalId: string }[]>;
  /**
   * In one transaction: consumes the code (`link_code_invalid` when already used or expired),
   * checks the chat's current book `fromBookId` is still empty (`link_code_invalid` with
   * `{context: 'has_data'}`), points the chat at `toBookId`, copies the old book's members into the
   * new one (owners become admins: the book already has its owners; existing members keep their
   * role), and deletes the old book if no chat uses it any more.
   */
  moveChat(p: { hash: string; now: Date; chat: { platform: Platform; chatId: string }; fromBookId: number; toBookId: number }): Promise<void>;
  /**
   * In one transaction: consumes the code, checks `fromBookId` (the private chat's book) is empty,
   * points the chat at `toBookId`, deletes the old book if unused, and merges user `fromUserId`
   * into `intoUserId`: identities, memberships (the higher role wins), authorship, shares,
   * settlements and tokens move over, then `fromUserId` is removed.
   */
  mergeIdentity(p: {
    hash: string;
    now: Date;
    chat: { platform: Platform; chatId: string };
    fromBookId: number;
    toBookId: number;
    fromUserId: number;
    intoUserId: number;
  }): Promise<void>;
  /**
   * In one transaction, with the book row locked: refuses when `fromBookId` has no other chat
   * (`unlink_alone`), creates a book titled `title` with the settings of `fromBookId`, points the
   * chat at it, makes `ownerId` its owner, and has the shared book's templates that reported to
   * this chat report to one of the chats that stay. Returns the new book.
   */
  detachChat(p: { chat: { platform: Platform; chatId: string }; fromBookId: number; title: string; ownerId: number }): Promise<Book>;
  /**
   * In one transaction: refuses when user `userId` has no other identity (`unlink_alone`), makes
   * the identity a new user named `name`, and gives the private chat a new book titled `title`
   * with the settings of `fromBookId`, owned by the new user. Returns the new book.
   */
  detachIdentity(p: {
    identity: { platform: Platform; externalId: string };
    userId: number;
    name: string;
    chat: { platform: Platform; chatId: string };
    fromBookId: number;
    title: string;
  }): Promise<Book>;
}

/** A live (not deleted) split expense as stored: who paid and each member's share. */
export interface SharedEvent {
  eventId: number;
  seq: number;
  currency: string;
  amountMinor: number;
  paidBy: number;
  shares: { userId: number; minor: number }[];
}

/** Money paid back between two members (`/settle`). */
export interface Settlement {
  id: number;
  bookId: number;
  fromUserId: number;
  toUserId: number;
  amountMinor: number;
  currency: string;
  authorId: number | null;
  createdAt: Date;
  deletedAt: Date | null;
}

export type NewSettlement = Pick<Settlement, 'bookId' | 'fromUserId' | 'toUserId' | 'amountMinor' | 'currency' | 'authorId'>;

/** Storage port of splits and settlements. */
export interface SplitStore {
  /** Stores the shares of a recorded expense in one transaction (they add up to its amount). */
  saveShares(eventId: number, paidBy: number, shares: readonly { userId: number; minor: number }[]): Promise<void>;
  /** Every split expense of the book that is not deleted, oldest first. */
  sharedEvents(bookId: number): Promise<SharedEvent[]>;
  addSettlement(s: NewSettlement): Promise<Settlement>;
  /** Settlements of the book that are not deleted, oldest first. */
  settlements(bookId: number): Promise<Settlement[]>;
  getSettlement(bookId: number, id: number): Promise<Settlement | undefined>;
  /** @throws DomainError `not_found` when there is no such settlement in that state. */
  setSettlementDeleted(bookId: number, id: number, deleted: boolean): Promise<Settlement>;
}
