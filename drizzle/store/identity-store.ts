import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { books, chats, identities, members, processedUpdates, users } from '../schema.js';
import type { BookDefaults, ChatRef, IdentityRef } from '../../domain/ports.js';
import type { Book, Member, Role, User } from '../../domain/types.js';
import { DomainError } from '../../domain/errors.js';
import type { Entered } from '../../domain/ports.js';
import { enterRow, enterRows, isComplete, toBook, toEntered, type EnterRow } from './enter-row.js';
import { turnBatch } from './turn-batch.js';
import { dropSignUpLeftovers, signUpStatement } from './sign-up-statement.js';

/** Users, chats, books and memberships. */
export function identityStore(db: Db, opts: { combineEnters?: boolean } = {}) {
  /** On a shared batch transaction: the enter reads of one turn in one statement (`enterRows`). */
  const combined = opts.combineEnters
    ? turnBatch<{ chat: ChatRef; from: IdentityRef }, EnterRow>(({ chat, from }) => enterRow(db, chat, from, undefined), (asks) => enterRows(db, asks))
    : undefined;
  async function getBook(bookId: number): Promise<Book> {
    const [row] = await db.select().from(books).where(eq(books.id, bookId));
    if (!row) throw new DomainError('not_found', { what: 'book' });
    return toBook(row);
  }

  const rest = {
    async markProcessed(key: string): Promise<boolean> {
      const rows = await db.insert(processedUpdates).values({ key }).onConflictDoNothing().returning({ key: processedUpdates.key });
      return rows.length === 1;
    },

    async resolveUser(ref: IdentityRef): Promise<User> {
      const [hit] = await db
        .select({ id: users.id, name: users.name, locale: users.locale, identityName: identities.name, username: identities.username })
        .from(identities)
        .innerJoin(users, eq(users.id, identities.userId))
        .where(identityWhere(ref));
      if (hit) {
        const { identityName, username, ...found } = hit;
        // Usernames change and may be set later; keep the identity's current one for @mentions,
        // and the name this platform gives, so that only a real change renames the user.
        if (identityName !== ref.name || (ref.username !== undefined && username !== ref.username))
          await db.update(identities).set({ name: ref.name, ...(ref.username !== undefined ? { username: ref.username } : {}) }).where(identityWhere(ref));
        // A person linked on two platforms keeps one name: it changes when it changes on one of them.
        const name = identityName !== ref.name ? ref.name : found.name;
        if (name !== found.name || (ref.locale && found.locale !== ref.locale)) {
          await db.update(users).set({ name, locale: ref.locale ?? found.locale }).where(eq(users.id, found.id));
          return { ...found, name, locale: ref.locale ?? found.locale };
        }
        return found;
      }
      return db.transaction(async (tx) => {
        const [u] = await tx.insert(users).values({ name: ref.name, locale: ref.locale ?? null }).returning();
        const inserted = await tx
          .insert(identities)
          .values({ platform: ref.platform, externalId: ref.externalId, userId: u!.id, username: ref.username ?? null, name: ref.name })
          .onConflictDoNothing()
          .returning();
        if (inserted.length === 0) {
          // A concurrent first message created the identity; use that user and drop ours.
          await tx.delete(users).where(eq(users.id, u!.id));
          const [other] = await tx
            .select({ id: users.id, name: users.name, locale: users.locale })
            .from(identities)
            .innerJoin(users, eq(users.id, identities.userId))
            .where(identityWhere(ref));
          return other!;
        }
        return { id: u!.id, name: u!.name, locale: u!.locale };
      });
    },

    async resolveChat(ref: ChatRef, d: BookDefaults): Promise<Book> {
      const [found] = await db
        .select()
        .from(chats)
        .innerJoin(books, eq(books.id, chats.bookId))
        .where(and(eq(chats.platform, ref.platform), eq(chats.chatId, ref.chatId)));
      if (found) return toBook(found.books);
      return db.transaction(async (tx) => {
        const [b] = await tx
          .insert(books)
          .values({ title: ref.title, currency: d.currency, timezone: d.timezone, language: d.language })
          .returning();
        const inserted = await tx
          .insert(chats)
          .values({ platform: ref.platform, chatId: ref.chatId, bookId: b!.id, kind: ref.kind, title: ref.title })
          .onConflictDoNothing()
          .returning();
        if (inserted.length === 0) {
          await tx.delete(books).where(eq(books.id, b!.id));
          const [other] = await tx
            .select()
            .from(chats)
            .innerJoin(books, eq(books.id, chats.bookId))
            .where(and(eq(chats.platform, ref.platform), eq(chats.chatId, ref.chatId)));
          return toBook(other!.books);
        }
        return toBook(b!);
      });
    },

    async ensureMember(bookId: number, userId: number, platformAdmin: boolean): Promise<Member> {
      const existing = await db
        .select({ role: members.role, explicit: members.roleSetExplicitly, name: users.name })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .where(and(eq(members.bookId, bookId), eq(members.userId, userId)));
      const cur = existing[0];
      if (cur) {
        let role = cur.role as Role;
        // Platform admins are admins by default, unless someone set their role by hand.
        if (platformAdmin && !cur.explicit && role !== 'owner' && role !== 'admin') {
          role = 'admin';
          await db.update(members).set({ role }).where(and(eq(members.bookId, bookId), eq(members.userId, userId)));
        }
        return { bookId, userId, role, name: cur.name };
      }
      // The first member of a book owns it; the check and the insert share one statement.
      await db.execute(sql`
        insert into members (book_id, user_id, role)
        select ${bookId}, ${userId},
          case when not exists (select 1 from members where book_id = ${bookId}) then 'owner'
               when ${platformAdmin} then 'admin' else 'member' end
        on conflict do nothing`);
      const [row] = await db
        .select({ role: members.role, name: users.name })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .where(and(eq(members.bookId, bookId), eq(members.userId, userId)));
      return { bookId, userId, role: row!.role as Role, name: row!.name };
    },

    getBook,

    async updateBook(bookId, patch): Promise<Book> {
      await db.update(books).set(patch).where(eq(books.id, bookId));
      return getBook(bookId);
    },

    async listMembers(bookId: number): Promise<Member[]> {
      const rows = await db
        .select({ userId: members.userId, role: members.role, name: users.name })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .where(eq(members.bookId, bookId))
        .orderBy(members.joinedAt, members.userId);
      return rows.map((r) => ({ bookId, userId: r.userId, role: r.role as Role, name: r.name }));
    },

    async setRole(bookId: number, userId: number, role: Role): Promise<void> {
      await db
        .update(members)
        .set({ role, roleSetExplicitly: true })
        .where(and(eq(members.bookId, bookId), eq(members.userId, userId)));
    },
  } satisfies Partial<import('../../domain/ports.js').LedgerStore>;

  /**
   * Marks the update as processed and loads user, book and membership in ONE round trip when
   * they all exist (the common case); otherwise falls back to creating what is missing.
   */
  async function enter(chat: ChatRef, from: IdentityRef, platformAdmin: boolean, d: BookDefaults, updateKey?: string): Promise<Entered | undefined> {
    const r = updateKey === undefined && combined ? await combined({ chat, from }) : await enterRow(db, chat, from, updateKey);
    if (updateKey && r.fresh === 0) return undefined;
    const fastPath =
      isComplete(r) && r.identity_name === from.name &&
      (from.username === undefined || from.username === r.username) &&
      !(platformAdmin && !r.role_set_explicitly && (r.role === 'member' || r.role === 'viewer'));
    if (fastPath) return toEntered(r);
    // A first message (or a changed name, or a new chat admin): one more statement does it all.
    const s = await signUpStatement(db, chat, from, platformAdmin, d);
    if (isComplete(s)) return toEntered(s);
    // A concurrent first message won a race: drop our leftovers and resolve the careful way.
    await dropSignUpLeftovers(db, s);
    const user = await rest.resolveUser(from);
    const book = await rest.resolveChat(chat, d);
    const member = await rest.ensureMember(book.id, user.id, platformAdmin);
    return { user, book, member };
  }

  return { ...rest, enter };
}

/** The row of one platform identity. */
const identityWhere = (ref: IdentityRef) => and(eq(identities.platform, ref.platform), eq(identities.externalId, ref.externalId));
