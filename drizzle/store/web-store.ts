import { and, desc, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../db.js';
import { webInitDataSeen, webSessions, webSignInLinks } from '../schema.js';
import { SESSION_TOUCH_MS, type SessionVia, type WebAccessStore, type WebSession } from '../../domain/access/web-access.js';

const toSession = (r: typeof webSessions.$inferSelect): WebSession => ({
  id: r.id,
  userId: r.userId,
  via: r.via as SessionVia,
  agent: r.agent,
  createdAt: r.createdAt,
  lastSeenAt: r.lastSeenAt,
  expiresAt: r.expiresAt,
  revokedAt: r.revokedAt,
});

/** Sign-in links, sessions and seen initData of the web app: only hashes are stored. */
export function webStore(db: Db): WebAccessStore {
  const live = (userId: number, at: Date) => and(eq(webSessions.userId, userId), isNull(webSessions.revokedAt), gt(webSessions.expiresAt, at));
  return {
    async insertSignInLink(l) {
      // Expired links are of no use to anyone: each new one sweeps them.
      await db.delete(webSignInLinks).where(lt(webSignInLinks.expiresAt, l.createdAt));
      await db.insert(webSignInLinks).values(l);
    },

    async useSignInLink(hash, at) {
      const [row] = await db
        .update(webSignInLinks)
        .set({ usedAt: at })
        .where(and(eq(webSignInLinks.hash, hash), isNull(webSignInLinks.usedAt), gt(webSignInLinks.expiresAt, at)))
        .returning({ userId: webSignInLinks.userId, bookId: webSignInLinks.bookId });
      return row;
    },

    async claimInitData(hash, at, forgetBefore) {
      await db.delete(webInitDataSeen).where(lt(webInitDataSeen.seenAt, forgetBefore));
      const rows = await db.insert(webInitDataSeen).values({ hash, seenAt: at }).onConflictDoNothing().returning({ hash: webInitDataSeen.hash });
      return rows.length === 1;
    },

    async insertSession(s) {
      // Sessions over for a day are of no use to anyone (nor to the sessions list): each sign-in sweeps them.
      const dayAgo = new Date(s.createdAt.getTime() - 86_400_000);
      await db.delete(webSessions).where(or(lt(webSessions.expiresAt, dayAgo), lt(webSessions.revokedAt, dayAgo)));
      const [row] = await db.insert(webSessions).values({ ...s, lastSeenAt: s.createdAt }).returning();
      return toSession(row!);
    },

    async findSessionByHash(hash) {
      const [row] = await db.select().from(webSessions).where(eq(webSessions.hash, hash));
      return row ? toSession(row) : undefined;
    },

    async listSessions(userId, at) {
      const rows = await db.select().from(webSessions).where(live(userId, at)).orderBy(desc(webSessions.createdAt), desc(webSessions.id));
      return rows.map(toSession);
    },

    async revokeSession(userId, sessionId, at) {
      const rows = await db
        .update(webSessions)
        .set({ revokedAt: at })
        .where(and(eq(webSessions.id, sessionId), live(userId, at)))
        .returning({ id: webSessions.id });
      return rows.length === 1;
    },

    async revokeAllSessions(userId, at) {
      const rows = await db.update(webSessions).set({ revokedAt: at }).where(live(userId, at)).returning({ id: webSessions.id });
      return rows.length;
    },

    async touchSession(sessionId, at) {
      const before = new Date(at.getTime() - SESSION_TOUCH_MS);
      await db
        .update(webSessions)
        .set({ lastSeenAt: at })
        .where(and(eq(webSessions.id, sessionId), lt(webSessions.lastSeenAt, before)));
    },
  };
}
