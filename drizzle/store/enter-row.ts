import { sql, type SQL } from 'drizzle-orm';
import { jsonItems } from './json-items.js';
import type { ChatRef, Entered, IdentityRef } from '../../domain/ports.js';
import type { Db } from '../db.js';
import { rowsOf } from './rows.js';
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

/** The columns both enter reads answer, for the identity `i`, user `u`, book `b` and membership `m` joined. */
const enterColumns = sql`u.id as user_id, u.name as user_name, u.locale, i.username, i.name as identity_name,
  b.id as book_id, b.title, b.currency, b.timezone, b.language, b.default_account_id,
  m.role, m.role_set_explicitly,
  ${snapshotColumns(sql.raw('b.id'))}`;

/**
 * The enter read of one update: marks `updateKey` processed (when given), unblocks the chat, and
 * reads user, book, membership and the book's snapshot — one statement, one row.
 */
export async function enterRow(db: Db, chat: ChatRef, from: IdentityRef, updateKey: string | undefined): Promise<EnterRow> {
  const res = await db.execute(sql`
    with mark as (
      insert into processed_updates (key) select ${updateKey ?? null}::text where ${updateKey ?? null}::text is not null
      on conflict do nothing returning key
    ), unblock as (
      -- A chat that writes again has unblocked the bot: notifications may flow again.
      update chats set blocked_at = null
      where platform = ${chat.platform} and chat_id = ${chat.chatId} and blocked_at is not null
    )
    select (select count(*) from mark)::int as fresh, ${enterColumns}
    from (select 1) as one
    left join identities i on i.platform = ${from.platform} and i.external_id = ${from.externalId}
    left join users u on u.id = i.user_id
    left join chats c on c.platform = ${chat.platform} and c.chat_id = ${chat.chatId}
    left join books b on b.id = c.book_id
    left join members m on m.book_id = b.id and m.user_id = u.id`);
  return rowsOf<EnterRow>(res)[0]!;
}

/**
 * The enter read of several updates (no update keys: the chat inbox marks its own) in one
 * statement — the chats of a shared batch transaction (issue 19) — a row each, in `asks` order.
 */
export async function enterRows(db: Db, asks: readonly { chat: ChatRef; from: IdentityRef }[]): Promise<EnterRow[]> {
  const keys = asks.map((a, ord) => ({ ord, platform: a.chat.platform, chat_id: a.chat.chatId, from_platform: a.from.platform, external_id: a.from.externalId }));
  const res = await db.execute(sql`
    with k as (
      select k.* from ${jsonItems(keys)} j cross join jsonb_to_record(j) as k(ord int, platform text, chat_id text, from_platform text, external_id text)
    ), unblock as (
      update chats set blocked_at = null from k
      where chats.platform = k.platform and chats.chat_id = k.chat_id and chats.blocked_at is not null
    )
    -- Each row looked up by its keys (a lateral subquery each, \`limit 1\`: never flattened into a
    -- join), whatever the planner guesses of the batch's size and the tables': a hash join over a
    -- whole table costs more with every user (migration 0025, docs/scaling.md).
    select k.ord, 0 as fresh, ${enterColumns}
    from k
    left join lateral (select * from identities i where i.platform = k.from_platform and i.external_id = k.external_id limit 1) i on true
    left join lateral (select * from users u where u.id = i.user_id limit 1) u on true
    left join lateral (select * from chats c where c.platform = k.platform and c.chat_id = k.chat_id limit 1) c on true
    left join lateral (select * from books b where b.id = c.book_id limit 1) b on true
    left join lateral (select * from members m where m.book_id = b.id and m.user_id = u.id limit 1) m on true
    order by k.ord`);
  const rows = rowsOf<EnterRow & { ord: number }>(res);
  if (rows.length !== asks.length) throw new Error(`enter read ${rows.length} rows for ${asks.length} updates`);
  return rows;
}
