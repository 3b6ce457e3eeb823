import { index, integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One-time sign-in links from `/app` (stored hashed; 10 minutes; used once). */
export const webSignInLinks = pgTable(
  'web_sign_in_links',
  {
    hash: text('hash').primaryKey(),
    /** users.id (the foreign key, on delete cascade, is in migration 0008; no import of schema.ts, no cycle). */
    userId: integer('user_id').notNull(),
    /** The book of the chat that asked; the web app opens it first. */
    bookId: integer('book_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [index('web_sign_in_links_expires_idx').on(t.expiresAt)],
);

/** Browser sessions of the web app; the cookie holds a secret whose SHA-256 is `hash`. */
export const webSessions = pgTable(
  'web_sessions',
  {
    id: serial('id').primaryKey(),
    /** users.id (the foreign key, on delete cascade, is in migration 0008; no import of schema.ts, no cycle). */
    userId: integer('user_id').notNull(),
    hash: text('hash').notNull().unique(),
    /** How it was opened: `telegram` (Mini App initData) or `link` (one-time link). */
    via: text('via').notNull(),
    /** The browser's User-Agent (cut to 200 characters), so people recognise their sessions. */
    agent: text('agent').notNull().default(''),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('web_sessions_user_idx').on(t.userId)],
);

/** SHA-256 of every Telegram initData accepted in the last hours: a second use is a replay. */
export const webInitDataSeen = pgTable(
  'web_init_data_seen',
  {
    hash: text('hash').primaryKey(),
    seenAt: ts('seen_at').notNull(),
  },
  (t) => [index('web_init_data_seen_at_idx').on(t.seenAt)],
);
