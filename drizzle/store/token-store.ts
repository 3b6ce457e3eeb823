import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../db.js';
import { apiTokens } from '../schema.js';
import { TOUCH_INTERVAL_MS } from '../../domain/access/api-tokens.js';
import type { ApiToken, TokenStore } from '../../domain/access/ports.js';

const toToken = (r: typeof apiTokens.$inferSelect): ApiToken => ({
  id: r.id,
  userId: r.userId,
  name: r.name,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  expiresAt: r.expiresAt,
  revokedAt: r.revokedAt,
});

/** Personal API tokens: only hashes are stored; lookups go through the unique hash index. */
export function tokenStore(db: Db): TokenStore {
  return {
    async insertToken(t) {
      const [row] = await db
        .insert(apiTokens)
        .values({ userId: t.userId, name: t.name, hash: t.hash, createdAt: t.createdAt, expiresAt: t.expiresAt })
        .returning();
      return toToken(row!);
    },

    async findTokenByHash(hash) {
      const [row] = await db.select().from(apiTokens).where(eq(apiTokens.hash, hash));
      return row ? toToken(row) : undefined;
    },

    async listTokens(userId) {
      const rows = await db
        .select()
        .from(apiTokens)
        .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
      return rows.map(toToken);
    },

    async revokeToken(userId, tokenId, at) {
      const [row] = await db
        .update(apiTokens)
        .set({ revokedAt: at })
        .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .returning();
      return row ? toToken(row) : undefined;
    },

    async revokeAllTokens(userId, at) {
      const rows = await db
        .update(apiTokens)
        .set({ revokedAt: at })
        .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      return rows.length;
    },

    async touchToken(tokenId, at) {
      // The condition lives in SQL too: concurrent requests of one client write once a minute.
      const before = new Date(at.getTime() - TOUCH_INTERVAL_MS);
      await db
        .update(apiTokens)
        .set({ lastUsedAt: at })
        .where(and(eq(apiTokens.id, tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, before))));
    },
  };
}
