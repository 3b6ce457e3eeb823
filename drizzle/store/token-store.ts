import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { apiTokens } from '../schema.js';
import { TOUCH_INTERVAL_MS } from '../../domain/access/api-tokens.js';
import type { ApiEntry, ApiToken, TokenStore } from '../../domain/access/ports.js';
import type { Role } from '../../domain/types.js';
import { snapshotColumns, toBook, type EnterRow } from './enter-row.js';
import { rowsOf } from './rows.js';
import { prebuilt } from './prebuilt.js';

const toToken = (r: typeof apiTokens.$inferSelect): ApiToken => ({
  id: r.id,
  userId: r.userId,
  name: r.name,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  expiresAt: r.expiresAt,
  revokedAt: r.revokedAt,
});

interface EntryRow extends Pick<EnterRow, 'book_id' | 'title' | 'currency' | 'timezone' | 'language' | 'default_account_id' | 'role'> {
  id: number;
  user_id: number;
  name: string;
  created_at: Date | string;
  last_used_at: Date | string | null;
  expires_at: Date | string;
  revoked_at: Date | string | null;
  touched: boolean;
  accounts?: EnterRow['accounts'];
  labels?: EnterRow['labels'];
  has_budgets?: boolean | null;
  has_rules?: boolean | null;
}

const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
// postgres.js parses json columns; PGlite may hand them over as text.
const json = <T>(v: T[] | string | null | undefined): T[] => (typeof v === 'string' ? (JSON.parse(v) as T[]) : (v ?? []));

function toEntry(r: EntryRow, at: Date, snapshot: boolean): ApiEntry {
  const token: ApiToken = {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    createdAt: date(r.created_at),
    lastUsedAt: r.touched ? at : r.last_used_at === null ? null : date(r.last_used_at),
    expiresAt: date(r.expires_at),
    revokedAt: r.revoked_at === null ? null : date(r.revoked_at),
  };
  if (r.book_id === null || r.role === null) return { token };
  const book = toBook({
    id: r.book_id,
    title: r.title!,
    currency: r.currency!,
    timezone: r.timezone!,
    language: r.language!,
    defaultAccountId: r.default_account_id,
    lastSeq: 0,
    createdAt: at,
  });
  const member: NonNullable<ApiEntry['member']> = { book, role: r.role as Role };
  if (snapshot) {
    member.snapshot = {
      accounts: json(r.accounts).map((a) => ({
        id: a.id,
        bookId: book.id,
        name: a.name,
        currency: a.currency,
        openingMinor: Number(a.opening),
        balanceMinor: Number(a.balance),
      })),
      labels: json(r.labels),
      hasBudgets: r.has_budgets === true,
      hasRules: r.has_rules === true,
    };
  }
  return { token, member };
}

/**
 * The token by its hash, its once-a-minute `last_used_at` touch, and the membership of the book
 * the path names — with the book's accounts, labels and flags when the request records. A writing
 * CTE runs whether or not it is read: the touch rides along with the lookup, so a request costs
 * one statement (one commit) however often it marks the token used. Built once per variant.
 */
const enterStatement = (snapshot: boolean) =>
  prebuilt(['hash', 'now', 'before', 'book'], (p) => sql`
    with t as (
      select * from api_tokens where hash = ${p.hash}::text
    ), touch as (
      update api_tokens set last_used_at = ${p.now}::timestamptz
      where id = (select id from t) and revoked_at is null and expires_at > ${p.now}::timestamptz
        and (last_used_at is null or last_used_at < ${p.before}::timestamptz)
      returning id
    )
    select t.id, t.user_id, t.name, t.created_at, t.last_used_at, t.expires_at, t.revoked_at,
      exists (select 1 from touch) as touched,
      b.id as book_id, b.title, b.currency, b.timezone, b.language, b.default_account_id, m.role
      ${snapshot ? sql`, ${snapshotColumns(sql.raw('b.id'))}` : sql``}
    from t
    left join members m on m.book_id = ${p.book}::int and m.user_id = t.user_id
    left join books b on b.id = m.book_id`);
const enterPlain = enterStatement(false);
const enterWithSnapshot = enterStatement(true);

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

    async enterApi(hash, at, book) {
      const snapshot = book?.snapshot === true;
      const res = await (snapshot ? enterWithSnapshot : enterPlain)(db, {
        hash,
        now: at.toISOString(),
        before: new Date(at.getTime() - TOUCH_INTERVAL_MS).toISOString(),
        book: book?.id ?? null,
      });
      const [row] = rowsOf<EntryRow>(res);
      return row ? toEntry(row, at, snapshot) : undefined;
    },
  };
}
