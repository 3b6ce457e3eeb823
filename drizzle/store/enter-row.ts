import { sql, type SQL } from 'drizzle-orm';
import type { Entered } from '../../domain/ports.js';
import type { Book, Role } from '../../domain/types.js';
import type { books } from '../schema.js';

/** A `books` row as the domain's Book. */
export const toBook = (r: typeof books.$inferSelect): Book => ({
  id: r.id,
  title: r.title,
  currency: r.currency,
  timezone: r.timezone,
  language: r.language === 'ru' ? 'ru' : 'en',
  defaultAccountId: r.defaultAccountId,
});

/** The columns the `enter` read and the sign-up statement answer with (one row). */
export interface EnterRow {
  fresh: number;
  user_id: number | null;
  user_name: string | null;
  username: string | null;
  /** The name the identity's platform gave last time (the user's name may come from another). */
  identity_name: string | null;
  locale: string | null;
  book_id: number | null;
  title: string | null;
  currency: string | null;
  timezone: string | null;
  language: string | null;
  default_account_id: number | null;
  role: string | null;
  role_set_explicitly: boolean | null;
  accounts: { id: number; name: string; currency: string; opening: string; balance: string }[] | string | null;
  labels: { id: number; name: string }[] | string | null;
  has_budgets: boolean | null;
  has_rules: boolean | null;
}

/** The snapshot columns of an enter row (`accounts`, `labels`, `has_budgets`, `has_rules`) for the book `bookId` names. */
export const snapshotColumns = (bookId: SQL): SQL => sql`
  (select coalesce(json_agg(json_build_object('id', a.id, 'name', a.name, 'currency', a.currency,
      'opening', a.opening_minor::text, 'balance', a.balance_minor::text) order by a.id), '[]')
    from accounts a where a.book_id = ${bookId} and a.deleted_at is null) as accounts,
  (select coalesce(json_agg(json_build_object('id', l.id, 'name', l.name) order by l.name), '[]')
    from labels l where l.book_id = ${bookId}) as labels,
  exists (select 1 from budgets bu where bu.book_id = ${bookId}) as has_budgets,
  exists (select 1 from rules ru where ru.book_id = ${bookId} and ru.deleted_at is null) as has_rules`;

/** Whether the row holds a user, a book and a membership. */
export const isComplete = (r: EnterRow): boolean => r.user_id !== null && r.book_id !== null && r.role !== null;

/** User, book, membership and the book's snapshot from a complete row. */
export function toEntered(r: EnterRow): Entered {
  const book = toBook({ id: r.book_id!, title: r.title!, currency: r.currency!, timezone: r.timezone!, language: r.language!, defaultAccountId: r.default_account_id, lastSeq: 0, createdAt: new Date() });
  const user = { id: r.user_id!, name: r.user_name!, locale: r.locale };
  // postgres.js parses json columns; PGlite may hand them over as text.
  const json = <T>(v: T[] | string | null): T[] => (typeof v === 'string' ? (JSON.parse(v) as T[]) : (v ?? []));
  const accounts = json(r.accounts).map((a) => ({
    id: a.id,
    bookId: book.id,
    name: a.name,
    currency: a.currency,
    openingMinor: Number(a.opening),
    balanceMinor: Number(a.balance),
  }));
  return {
    user,
    book,
    member: { bookId: book.id, userId: user.id, role: r.role as Role, name: user.name },
    snapshot: { accounts, labels: json(r.labels), hasBudgets: r.has_budgets === true, hasRules: r.has_rules === true },
  };
}
