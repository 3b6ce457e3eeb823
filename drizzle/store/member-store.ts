import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { identities, members, users } from '../schema.js';
import { DomainError } from '../../domain/errors.js';
import type { MemberProfile, MemberSpending, MemberStore } from '../../domain/sharing/ports.js';
import type { Platform, Role } from '../../domain/types.js';
import { rowsOf } from './rows.js';

/** Members with their handles, spending per member, and owner-safe role changes. */
export function memberStore(db: Db) {
  return {
    async listMemberProfiles(bookId: number): Promise<MemberProfile[]> {
      const rows = await db
        .select({ userId: members.userId, role: members.role, name: users.name })
        .from(members)
        .innerJoin(users, eq(users.id, members.userId))
        .where(eq(members.bookId, bookId))
        .orderBy(asc(members.joinedAt), asc(members.userId));
      if (rows.length === 0) return [];
      const handles = await db
        .select({ userId: identities.userId, platform: identities.platform, externalId: identities.externalId, username: identities.username })
        .from(identities)
        .where(inArray(identities.userId, rows.map((r) => r.userId)))
        .orderBy(asc(identities.platform), asc(identities.externalId));
      return rows.map((r) => ({
        bookId,
        userId: r.userId,
        role: r.role as Role,
        name: r.name,
        handles: handles
          .filter((h) => h.userId === r.userId)
          .map((h) => ({ platform: h.platform as Platform, externalId: h.externalId, username: h.username })),
      }));
    },

    async memberSpending(bookId: number, from: Date, to: Date): Promise<MemberSpending[]> {
      const res = await db.execute(sql`
        select author_id, currency, sum(amount_minor)::text as spent
        from events
        where book_id = ${bookId} and deleted_at is null and kind = 'expense' and author_id is not null
          and occurred_at >= ${from.toISOString()} and occurred_at < ${to.toISOString()}
        group by author_id, currency
        order by author_id, currency`);
      return rowsOf<{ author_id: number; currency: string; spent: string }>(res).map((r) => ({
        userId: Number(r.author_id),
        currency: r.currency,
        expenseMinor: Number(r.spent),
      }));
    },

    async changeRole(bookId: number, userId: number, role: Role): Promise<Role> {
      return db.transaction(async (tx) => {
        // Locking every membership row of the book serialises role changes, so the owner count holds.
        const rows = await tx
          .select({ userId: members.userId, role: members.role })
          .from(members)
          .where(eq(members.bookId, bookId))
          .for('update');
        const cur = rows.find((r) => r.userId === userId);
        if (!cur) throw new DomainError('member_unknown', { member: String(userId) });
        const owners = rows.filter((r) => r.role === 'owner').length;
        if (cur.role === 'owner' && role !== 'owner' && owners <= 1) throw new DomainError('last_owner', {});
        await tx
          .update(members)
          .set({ role, roleSetExplicitly: true })
          .where(and(eq(members.bookId, bookId), eq(members.userId, userId)));
        return cur.role as Role;
      });
    },
  } satisfies MemberStore;
}
