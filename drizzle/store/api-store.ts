import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db.js';
import { books, members } from '../schema.js';
import type { ApiReadStore, EventPageFilter } from '../../domain/access/ports.js';
import type { Role } from '../../domain/types.js';
import { toBook } from './enter-row.js';
import { selectEvents } from './event-rows.js';

/** `%`, `_` and `\` are LIKE wildcards; a search for them must match them literally. */
const likeLiteral = (s: string): string => s.replace(/[\\%_]/g, (c) => '\\' + c);

/** Reads behind the HTTP API: a user's books, one membership, keyset-paged events. */
export function apiStore(db: Db): ApiReadStore {
  return {
    async booksOfUser(userId) {
      const rows = await db
        .select({ book: books, role: members.role })
        .from(members)
        .innerJoin(books, eq(books.id, members.bookId))
        .where(eq(members.userId, userId))
        .orderBy(asc(books.id));
      return rows.map((r) => ({ ...toBook(r.book), role: r.role as Role }));
    },

    async membership(bookId, userId) {
      const [row] = await db
        .select({ book: books, role: members.role })
        .from(members)
        .innerJoin(books, eq(books.id, members.bookId))
        .where(and(eq(members.bookId, bookId), eq(members.userId, userId)));
      return row ? { book: toBook(row.book), role: row.role as Role } : undefined;
    },

    async eventPage(bookId: number, f: EventPageFilter) {
      const conds: SQL[] = [sql`e.book_id = ${bookId}`, sql`e.deleted_at is null`];
      if (f.kind) conds.push(sql`e.kind = ${f.kind}`);
      if (f.accountId !== undefined) conds.push(sql`(e.account_id = ${f.accountId} or e.to_account_id = ${f.accountId})`);
      if (f.from) conds.push(sql`e.occurred_at >= ${f.from.toISOString()}`);
      if (f.to) conds.push(sql`e.occurred_at < ${f.to.toISOString()}`);
      if (f.q) conds.push(sql`e.note ilike ${'%' + likeLiteral(f.q) + '%'}`);
      if (f.authorId !== undefined) conds.push(sql`e.author_id = ${f.authorId}`);
      if (f.minMinor !== undefined) conds.push(sql`e.amount_minor >= ${f.minMinor}`);
      if (f.maxMinor !== undefined) conds.push(sql`e.amount_minor <= ${f.maxMinor}`);
      if (f.label)
        conds.push(sql`exists (select 1 from event_labels el join labels l on l.id = el.label_id
          where el.event_id = e.id and l.book_id = ${bookId} and lower(l.name) = ${f.label.toLowerCase()})`);
      if (f.after) conds.push(sql`(e.occurred_at, e.seq) < (${f.after.occurredAt.toISOString()}::timestamptz, ${f.after.seq})`);
      return selectEvents(db, sql.join(conds, sql` and `), sql`order by e.occurred_at desc, e.seq desc limit ${f.limit}`);
    },
  };
}
