import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { books, chats, identities, linkCodes, members, users } from '../schema.js';
import { DomainError } from '../../domain/errors.js';
import { isEmptyBook } from '../../domain/sharing/link.js';
import type { BookContents, LinkCode, LinkKind, LinkStore } from '../../domain/sharing/ports.js';
import type { Book, Platform } from '../../domain/types.js';
import { rowsOf } from './rows.js';
import { toBook } from './enter-row.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type ChatKey = { platform: Platform; chatId: string };

async function contents(q: Db | Tx, bookId: number): Promise<BookContents> {
  const res = await q.execute(sql`
    select
      (select count(*) from events where book_id = ${bookId})::int as events,
      (select count(*) from settlements where book_id = ${bookId} and deleted_at is null)::int as settlements,
      (select count(*) from templates where book_id = ${bookId} and deleted_at is null)::int as templates,
      (select count(*) from budgets where book_id = ${bookId})::int as budgets,
      (select count(*) from accounts where book_id = ${bookId} and deleted_at is null
         and (opening_minor <> 0 or balance_minor <> 0))::int as accounts`);
  const r = rowsOf<Record<'events' | 'settlements' | 'templates' | 'budgets' | 'accounts', number | string>>(res)[0]!;
  return {
    events: Number(r.events),
    settlements: Number(r.settlements),
    templates: Number(r.templates),
    budgets: Number(r.budgets),
    accountsWithMoney: Number(r.accounts),
  };
}

/** Consumes a code of `kind` for `bookId` inside the transaction; a used or expired code fails. */
async function consume(tx: Tx, hash: string, now: Date, kind: LinkKind): Promise<{ bookId: number | null; userId: number | null }> {
  const [row] = await tx
    .delete(linkCodes)
    .where(and(eq(linkCodes.hash, hash), eq(linkCodes.kind, kind), gt(linkCodes.expiresAt, now)))
    .returning({ bookId: linkCodes.bookId, userId: linkCodes.userId });
  if (!row) throw new DomainError('link_code_invalid', {});
  return row;
}

/**
 * Moves the chat from its (empty) book to `toBookId`. The book row is locked first: recording
 * bumps `books.last_seq` on that row, so no record can slip in between the check and the move.
 */
async function moveChatTx(tx: Tx, chat: ChatKey, fromBookId: number, toBookId: number): Promise<void> {
  if (fromBookId === toBookId) throw new DomainError('link_code_invalid', { context: 'same_book' });
  await tx.execute(sql`select id from books where id = ${fromBookId} for update`);
  if (!isEmptyBook(await contents(tx, fromBookId))) throw new DomainError('link_code_invalid', { context: 'has_data' });
  const moved = await tx
    .update(chats)
    .set({ bookId: toBookId })
    .where(and(eq(chats.platform, chat.platform), eq(chats.chatId, chat.chatId), eq(chats.bookId, fromBookId)))
    .returning({ chatId: chats.chatId });
  if (moved.length !== 1) throw new DomainError('link_code_invalid', {});
}

/** Deletes a book nobody writes to any more (it was checked to be empty). */
async function dropIfOrphan(tx: Tx, bookId: number): Promise<void> {
  await tx.execute(sql`delete from books b where b.id = ${bookId} and not exists (select 1 from chats c where c.book_id = b.id)`);
}

const RANK = (col: string) => sql.raw(`case ${col} when 'owner' then 3 when 'admin' then 2 when 'member' then 1 else 0 end`);

/**
 * Re-points everything of user `from` to user `into`. Rows that would collide are combined first
 * (a membership in the same book keeps the higher role; shares of the same event add up); every
 * other column referencing `users` is found in the catalogue, so tables added later are covered.
 */
async function mergeUsers(tx: Tx, from: number, into: number): Promise<void> {
  await tx.execute(sql`
    update members m set
      role = case when ${RANK('o.role')} > ${RANK('m.role')} then o.role else m.role end,
      role_set_explicitly = m.role_set_explicitly or o.role_set_explicitly
    from members o
    where m.user_id = ${into} and o.user_id = ${from} and m.book_id = o.book_id`);
  await tx.execute(sql`delete from members where user_id = ${from} and book_id in (select book_id from members where user_id = ${into})`);
  await tx.execute(sql`
    update event_shares s set share_minor = s.share_minor + o.share_minor
    from event_shares o
    where s.user_id = ${into} and o.user_id = ${from} and s.event_id = o.event_id`);
  await tx.execute(sql`delete from event_shares where user_id = ${from} and event_id in (select event_id from event_shares where user_id = ${into})`);
  const refs = rowsOf<{ tbl: string; col: string }>(
    await tx.execute(sql`
      select cl.relname as tbl, a.attname as col
      from pg_constraint c
      join pg_class cl on cl.oid = c.conrelid
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
      where c.contype = 'f' and c.confrelid = 'users'::regclass
      order by 1, 2`),
  );
  for (const { tbl, col } of refs) {
    await tx.execute(sql`update ${sql.identifier(tbl)} set ${sql.identifier(col)} = ${into} where ${sql.identifier(col)} = ${from}`);
  }
  await tx.execute(sql`delete from users where id = ${from}`);
}

/**
 * Moves `chat` out of `from` into a new, empty book titled `title` with the settings of `from`,
 * owned by `ownerId` (`/unlink`). The chat must still be in `from` (`unlink_alone` otherwise).
 */
async function startBook(tx: Tx, from: typeof books.$inferSelect, title: string, chat: ChatKey, ownerId: number) {
  const [made] = await tx.insert(books).values({ title, currency: from.currency, timezone: from.timezone, language: from.language }).returning();
  const moved = await tx
    .update(chats)
    .set({ bookId: made!.id })
    .where(and(eq(chats.platform, chat.platform), eq(chats.chatId, chat.chatId), eq(chats.bookId, from.id)))
    .returning({ chatId: chats.chatId });
  if (moved.length !== 1) throw new DomainError('unlink_alone', {});
  await tx.insert(members).values({ bookId: made!.id, userId: ownerId, role: 'owner' });
  return made!;
}

/** Link codes, and moving chats and identities between books and users. */
export function linkStore(db: Db) {
  return {
    async saveLinkCode(hash: string, code: LinkCode): Promise<void> {
      await db.insert(linkCodes).values({ hash, kind: code.kind, bookId: code.bookId, userId: code.userId, expiresAt: code.expiresAt });
    },

    async findLinkCode(hash: string, now: Date): Promise<LinkCode | undefined> {
      const [row] = await db
        .select()
        .from(linkCodes)
        .where(and(eq(linkCodes.hash, hash), gt(linkCodes.expiresAt, now)));
      if (!row || row.bookId === null || row.userId === null) return undefined;
      return { kind: row.kind === 'identity' ? 'identity' : 'book', bookId: row.bookId, userId: row.userId, expiresAt: row.expiresAt };
    },

    bookContents: (bookId: number) => contents(db, bookId),

    async chatCount(bookId: number): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(chats).where(eq(chats.bookId, bookId));
      return Number(row?.n ?? 0);
    },

    async identitiesOf(userId: number) {
      const rows = await db
        .select({ platform: identities.platform, externalId: identities.externalId })
        .from(identities)
        .where(eq(identities.userId, userId))
        .orderBy(asc(identities.platform));
      return rows.map((r) => ({ platform: r.platform as Platform, externalId: r.externalId }));
    },

    async moveChat(p: { hash: string; now: Date; chat: ChatKey; fromBookId: number; toBookId: number }): Promise<void> {
      await db.transaction(async (tx) => {
        const code = await consume(tx, p.hash, p.now, 'book');
        if (code.bookId !== p.toBookId) throw new DomainError('link_code_invalid', {});
        await moveChatTx(tx, p.chat, p.fromBookId, p.toBookId);
        // The new chat's people join with their roles; the book already has owners, so owners come in as admins.
        await tx.execute(sql`
          insert into members (book_id, user_id, role, role_set_explicitly, joined_at)
          select ${p.toBookId}, user_id, case when role = 'owner' then 'admin' else role end, role_set_explicitly, joined_at
          from members where book_id = ${p.fromBookId}
          on conflict do nothing`);
        await dropIfOrphan(tx, p.fromBookId);
      });
    },

    async mergeIdentity(p: {
      hash: string;
      now: Date;
      chat: ChatKey;
      fromBookId: number;
      toBookId: number;
      fromUserId: number;
      intoUserId: number;
    }): Promise<void> {
      if (p.fromUserId === p.intoUserId) throw new DomainError('link_code_invalid', { context: 'same_user' });
      await db.transaction(async (tx) => {
        const code = await consume(tx, p.hash, p.now, 'identity');
        if (code.bookId !== p.toBookId || code.userId !== p.intoUserId) throw new DomainError('link_code_invalid', {});
        await moveChatTx(tx, p.chat, p.fromBookId, p.toBookId);
        await dropIfOrphan(tx, p.fromBookId);
        await mergeUsers(tx, p.fromUserId, p.intoUserId);
      });
    },

    async detachChat(p: { chat: ChatKey; fromBookId: number; title: string; ownerId: number }): Promise<Book> {
      return db.transaction(async (tx) => {
        const [from] = await tx.select().from(books).where(eq(books.id, p.fromBookId)).for('update');
        const [others] = await tx.select({ n: sql<number>`count(*)::int` }).from(chats).where(eq(chats.bookId, p.fromBookId));
        if (!from || Number(others?.n ?? 0) < 2) throw new DomainError('unlink_alone', {});
        const made = await startBook(tx, from, p.title, p.chat, p.ownerId);
        // Templates of the shared book that told this chat what they recorded tell a chat that stays.
        await tx.execute(sql`
          update templates t set notify_platform = c.platform, notify_chat_id = c.chat_id
          from (select platform, chat_id from chats where book_id = ${p.fromBookId} order by platform, chat_id limit 1) c
          where t.book_id = ${p.fromBookId} and t.notify_platform = ${p.chat.platform} and t.notify_chat_id = ${p.chat.chatId}`);
        return toBook(made);
      });
    },

    async detachIdentity(p: {
      identity: { platform: Platform; externalId: string };
      userId: number;
      name: string;
      chat: ChatKey;
      fromBookId: number;
      title: string;
    }): Promise<Book> {
      return db.transaction(async (tx) => {
        // The user row lock serialises two unlinks of one person (each would leave the other alone).
        await tx.execute(sql`select id from users where id = ${p.userId} for update`);
        const [count] = await tx.select({ n: sql<number>`count(*)::int` }).from(identities).where(eq(identities.userId, p.userId));
        const [from] = await tx.select().from(books).where(eq(books.id, p.fromBookId));
        if (!from || Number(count?.n ?? 0) < 2) throw new DomainError('unlink_alone', {});
        const [user] = await tx.insert(users).values({ name: p.name }).returning({ id: users.id });
        const moved = await tx
          .update(identities)
          .set({ userId: user!.id })
          .where(and(eq(identities.platform, p.identity.platform), eq(identities.externalId, p.identity.externalId), eq(identities.userId, p.userId)))
          .returning({ id: identities.externalId });
        if (moved.length !== 1) throw new DomainError('unlink_alone', {});
        return toBook(await startBook(tx, from, p.title, p.chat, user!.id));
      });
    },
  } satisfies LinkStore;
}
