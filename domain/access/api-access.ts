import type { Actor } from './actor.js';
import type { Clock } from '../clock.js';
import { DomainError } from '../errors.js';
import { assertCan } from './permissions.js';
import type { LedgerStore } from '../ports.js';
import type { Book, EventKind, LedgerEvent, Role } from '../types.js';

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

/**
 * The actor for an API request on a book. A book the user is not a member of answers exactly
 * like one that does not exist (`not_found`), so ids cannot be probed.
 */
export async function apiActor(store: LedgerStore, clock: Clock, userId: number, bookId: number): Promise<Actor> {
  const m = await store.membership(bookId, userId);
  if (!m) throw new DomainError('not_found', { what: 'book' });
  return { store, clock, book: m.book, userId, role: m.role };
}

/** One page of events plus the cursor of the next page (`undefined` on the last page). */
export async function listEventPage(a: Actor, f: EventPageFilter): Promise<{ events: LedgerEvent[]; next: EventCursor | undefined }> {
  assertCan(a.role, 'read');
  const rows = await a.store.eventPage(a.book.id, { ...f, limit: f.limit + 1 });
  const events = rows.slice(0, f.limit);
  const last = events[events.length - 1];
  const next = rows.length > f.limit && last ? { occurredAt: last.occurredAt, seq: last.seq } : undefined;
  return { events, next };
}

/** Opaque cursor text for clients: base64url of `<epoch ms>.<seq>`. */
export const encodeCursor = (c: EventCursor): string => Buffer.from(`${c.occurredAt.getTime()}.${c.seq}`).toString('base64url');

/** Reads a cursor from `encodeCursor`; anything else is `undefined`. */
export function decodeCursor(text: string): EventCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(text)) return undefined;
  const m = /^(-?\d{1,15})\.(\d{1,9})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!m) return undefined;
  const at = new Date(Number(m[1]));
  if (Number.isNaN(at.getTime())) return undefined;
  return { occurredAt: at, seq: Number(m[2]) };
}
