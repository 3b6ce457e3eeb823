import type { Account, Book, EventKind, Label, LedgerEvent, Role } from '../types.js';

/** A stored token: everything but the token itself, which is never stored. */
export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** Storage port of personal API tokens (`drizzle/store/token-store.ts`). */
export interface TokenStore {
  insertToken(t: { userId: number; name: string; hash: string; createdAt: Date; expiresAt: Date }): Promise<ApiToken>;
  findTokenByHash(hash: string): Promise<ApiToken | undefined>;
  /** The user's tokens that are not revoked, newest first. */
  listTokens(userId: number): Promise<ApiToken[]>;
  /** Revokes one token of the user; `undefined` when the user has no such unrevoked token. */
  revokeToken(userId: number, tokenId: number, at: Date): Promise<ApiToken | undefined>;
  /** Revokes every unrevoked token of the user; returns how many. */
  revokeAllTokens(userId: number, at: Date): Promise<number>;
  /** Sets `last_used_at = at` unless it was set less than `TOUCH_INTERVAL_MS` before `at`. */
  touchToken(tokenId: number, at: Date): Promise<void>;
  /**
   * An API request's way in, in ONE statement: the token by hash, marked used (as `touchToken`
   * does) when it is live, and — with `book` — the token user's membership of that book, with the
   * book's accounts, labels and whether it has budgets when `book.snapshot` is set.
   * `undefined` when no token has this hash.
   */
  enterApi(hash: string, at: Date, book?: { id: number; snapshot: boolean }): Promise<ApiEntry | undefined>;
}

/** What {@link TokenStore.enterApi} found. */
export interface ApiEntry {
  token: ApiToken;
  /** Present when a book was asked for and the user is a member of it. */
  member?: {
    book: Book;
    role: Role;
    snapshot?: { accounts: Account[]; labels: Label[]; hasBudgets: boolean };
  };
}

/** A position in the event list (newest first): events strictly after it come next. */
export interface EventCursor {
  occurredAt: Date;
  seq: number;
}

/** Filters of the API event list; every field narrows, none widens past one book. */
export interface EventPageFilter {
  limit: number;
  kind?: EventKind | undefined;
  /** Label name, case-insensitive. */
  label?: string | undefined;
  accountId?: number | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Substring of the note, case-insensitive, taken literally (no wildcards). */
  q?: string | undefined;
  /** Only events written by this user. */
  authorId?: number | undefined;
  /** Amount bounds in minor units of the event's own currency, inclusive. */
  minMinor?: number | undefined;
  maxMinor?: number | undefined;
  after?: EventCursor | undefined;
}

/** Reads the HTTP API needs beyond the chat ledger (`drizzle/store/api-store.ts`). */
export interface ApiReadStore {
  /** The books `userId` is a member of, with their role in each, by book id. */
  booksOfUser(userId: number): Promise<(Book & { role: Role })[]>;
  /** The book and the user's role in it; `undefined` when the user is not a member (or no such book). */
  membership(bookId: number, userId: number): Promise<{ book: Book; role: Role } | undefined>;
  /** Live events ordered by `occurredAt` desc, `seq` desc (a stable order for keyset cursors). */
  eventPage(bookId: number, f: EventPageFilter): Promise<LedgerEvent[]>;
}
