import type { Actor } from './actor.js';
import type { Clock } from '../clock.js';
import { DomainError } from '../errors.js';
import { assertCan } from './permissions.js';
import type { LedgerStore } from '../ports.js';
import type { LedgerEvent } from '../types.js';
import type { EventCursor, EventPageFilter } from './ports.js';

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
