import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const money = (name: string) => bigint(name, { mode: 'number' });

/** A person, whatever platform they write from. */
export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  locale: text('locale'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** A user's account on a platform (`telegram:12345`, `discord:9876`). */
export const identities = pgTable(
  'identities',
  {
    platform: text('platform').notNull(),
    externalId: text('external_id').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    username: text('username'),
    /** The name this platform last gave; the user's name changes only when this one does. */
    name: text('name'),
  },
  (t) => [primaryKey({ columns: [t.platform, t.externalId] }), index('identities_user_idx').on(t.userId)],
);

/** The budget of one chat (or several linked chats). */
export const books = pgTable('books', {
  id: serial('id').primaryKey(),
  title: text('title').notNull(),
  currency: text('currency').notNull(),
  timezone: text('timezone').notNull(),
  language: text('language').notNull().default('en'),
  defaultAccountId: integer('default_account_id'),
  lastSeq: integer('last_seq').notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** A platform chat and the book it writes to. */
export const chats = pgTable(
  'chats',
  {
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
    bookId: integer('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(), // private | group
    title: text('title'),
    blockedAt: ts('blocked_at'),
  },
  (t) => [primaryKey({ columns: [t.platform, t.chatId] }), index('chats_book_idx').on(t.bookId)],
);

export const members = pgTable(
  'members',
  {
    bookId: integer('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').notNull(), // owner | admin | member | viewer
    roleSetExplicitly: boolean('role_set_explicitly').notNull().default(false),
    joinedAt: ts('joined_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.bookId, t.userId] })],
);

export const accounts = pgTable(
  'accounts',
  {
    id: serial('id').primaryKey(),
    bookId: integer('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    currency: text('currency').notNull(),
    openingMinor: money('opening_minor').notNull().default(0),
    /** Kept in the same transaction as every event change, so a reply never sums a whole ledger. */
    balanceMinor: money('balance_minor').notNull().default(0),
    deletedAt: ts('deleted_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('accounts_book_name_uq')
      .on(t.bookId, sql`lower(${t.name})`)
      .where(sql`${t.deletedAt} is null`),
  ],
);

export const labels = pgTable(
  'labels',
  {
    id: serial('id').primaryKey(),
    bookId: integer('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('labels_book_name_uq').on(t.bookId, sql`lower(${t.name})`)],
);

export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bookId: integer('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    kind: text('kind').$type<'expense' | 'income' | 'transfer'>().notNull(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    amountMinor: money('amount_minor').notNull(),
    currency: text('currency').notNull(),
    toAccountId: integer('to_account_id').references(() => accounts.id),
    toAmountMinor: money('to_amount_minor'),
    toCurrency: text('to_currency'),
    note: text('note').notNull().default(''),
    authorId: integer('author_id').references(() => users.id),
    occurredAt: ts('occurred_at').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    deletedAt: ts('deleted_at'),
    templateId: integer('template_id'),
    occurrenceAt: ts('occurrence_at'),
    /** Idempotency key for imports and other replays (`import:<hash>`). */
    sourceKey: text('source_key'),
    /** Hash of the API request body that first used `sourceKey` (a reused key must repeat it). */
    sourceHash: text('source_hash'),
    meta: jsonb('meta'),
  },
  (t) => [
    uniqueIndex('events_book_seq_uq').on(t.bookId, t.seq),
    // Only rows with a template / a source key (migration 0026): NULLs never clash, and a chat
    // record, which has neither, then writes two index entries less.
    uniqueIndex('events_template_occurrence_uq').on(t.templateId, t.occurrenceAt).where(sql`${t.templateId} is not null`),
    uniqueIndex('events_book_source_uq').on(t.bookId, t.sourceKey).where(sql`${t.sourceKey} is not null`),
    index('events_book_occurred_idx').on(t.bookId, t.occurredAt).where(sql`${t.deletedAt} is null`),
    index('events_author_idx').on(t.bookId, t.authorId, t.seq),
    // Exchange rates implied by two-amount transfers (stats); tiny, since such transfers are rare.
    index('events_book_fx_idx')
      .on(t.bookId, t.occurredAt)
      .where(sql`${t.kind} = 'transfer' and ${t.toCurrency} <> ${t.currency} and ${t.deletedAt} is null`),
  ],
);

export const eventLabels = pgTable(
  'event_labels',
  {
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    labelId: integer('label_id')
      .notNull()
      .references(() => labels.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.labelId] }), index('event_labels_label_idx').on(t.labelId)],
);

export const templates = pgTable(
  'templates',
  {
    id: serial('id').primaryKey(),
    bookId: integer('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(), // expense | income
    schedule: jsonb('schedule').notNull(),
    scheduleText: text('schedule_text').notNull(),
    record: text('record').notNull(),
    authorId: integer('author_id').references(() => users.id),
    /** Where to tell the book what was applied. */
    notifyPlatform: text('notify_platform'),
    notifyChatId: text('notify_chat_id'),
    anchorAt: ts('anchor_at').notNull(),
    nextDueAt: ts('next_due_at'),
    paused: boolean('paused').notNull().default(false),
    deletedAt: ts('deleted_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('templates_due_idx').on(t.nextDueAt).where(sql`${t.paused} = false and ${t.deletedAt} is null`)],
);

export const budgets = pgTable(
  'budgets',
  {
    id: serial('id').primaryKey(),
    bookId: integer('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    labelId: integer('label_id').references(() => labels.id, { onDelete: 'cascade' }),
    amountMinor: money('amount_minor').notNull(),
    currency: text('currency').notNull(),
    period: text('period').notNull(), // monthly | weekly
    /** From when the budget counts (its periods start there); set by the book's clock. */
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('budgets_book_label_uq').on(t.bookId, sql`coalesce(${t.labelId}, 0)`)],
);

/** One row per budget, period and threshold: the primary key makes each alert fire once. */
export const budgetAlerts = pgTable(
  'budget_alerts',
  {
    budgetId: integer('budget_id')
      .notNull()
      .references(() => budgets.id, { onDelete: 'cascade' }),
    periodStart: ts('period_start').notNull(),
    threshold: integer('threshold').notNull(),
    sentAt: ts('sent_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.budgetId, t.periodStart, t.threshold] })],
);

/** Exchange rates known to a book (from two-amount transfers or `/rate`), as a ratio of minor units. */
export const rates = pgTable(
  'rates',
  {
    bookId: integer('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    currency: text('currency').notNull(),
    /** `perMinor` minor units of `currency` are worth `bookMinor` minor units of the book currency. */
    perMinor: money('per_minor').notNull(),
    bookMinor: money('book_minor').notNull(),
    /** The book currency the rate was given against; a rate set before `/currency` changed is not used. */
    base: text('base'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.bookId, t.currency] })],
);

/** Platform update / interaction ids already applied: a redelivery is dropped here. */
export const processedUpdates = pgTable(
  'processed_updates',
  {
    key: text('key').primaryKey(),
    processedAt: ts('processed_at').notNull().defaultNow(),
  },
  (t) => [index('processed_updates_at_idx').on(t.processedAt)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** SHA-256 of the token; the token itself is shown once and never stored. */
    hash: text('hash').notNull().unique(),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastUsedAt: ts('last_used_at'),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);

/** One-time codes for `/link` (stored hashed, expire after 10 minutes). */
export const linkCodes = pgTable('link_codes', {
  hash: text('hash').primaryKey(),
  kind: text('kind').notNull(), // book | identity
  bookId: integer('book_id').references(() => books.id, { onDelete: 'cascade' }),
  userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: ts('expires_at').notNull(),
});

/** Who owes what for a split expense (`/spend 90 #dinner split`); shares add up to the event amount. */
export const eventShares = pgTable(
  'event_shares',
  {
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Who paid the whole amount. */
    paidBy: integer('paid_by')
      .notNull()
      .references(() => users.id),
    shareMinor: money('share_minor').notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.userId] })],
);

/** A debt paid back between members (`/settle`). */
export const settlements = pgTable(
  'settlements',
  {
    id: serial('id').primaryKey(),
    bookId: integer('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    fromUserId: integer('from_user_id')
      .notNull()
      .references(() => users.id),
    toUserId: integer('to_user_id')
      .notNull()
      .references(() => users.id),
    amountMinor: money('amount_minor').notNull(),
    currency: text('currency').notNull(),
    authorId: integer('author_id').references(() => users.id),
    createdAt: ts('created_at').notNull().defaultNow(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [index('settlements_book_idx').on(t.bookId)],
);

/**
 * Statistics rollup: sums per book, local day (in `stat_books.timezone`), dimension and currency.
 * Derived from events and rebuilt from them (never the source of truth): `t` totals, `l` per
 * label (key 0: no label), `a` per author (key 0: none), `b` balance change per account
 * (transfers included); the same letters in upper case hold whole local months (day = the 1st).
 * Kind is expense/income for t/l/a and empty for b.
 */
export const statDays = pgTable(
  'stat_days',
  {
    bookId: integer('book_id')
      .notNull()
      .references(() => books.id, { onDelete: 'cascade' }),
    dim: text('dim').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    key: integer('key').notNull(),
    kind: text('kind').notNull(),
    currency: text('currency').notNull(),
    amountMinor: money('amount_minor').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bookId, t.dim, t.day, t.key, t.kind, t.currency] })],
);

/** Hours (UTC) whose events changed since the rollup was refreshed; filled by triggers on events and event_labels. */
export const statDirty = pgTable(
  'stat_dirty',
  {
    bookId: integer('book_id').notNull(),
    hour: ts('hour').notNull(),
  },
  (t) => [index('stat_dirty_book_idx').on(t.bookId)],
);

/** Which books have a rollup and in which timezone its days were cut (a `/timezone` change rebuilds it). */
export const statBooks = pgTable('stat_books', {
  bookId: integer('book_id')
    .primaryKey()
    .references(() => books.id, { onDelete: 'cascade' }),
  timezone: text('timezone').notNull(),
  builtAt: ts('built_at').notNull().defaultNow(),
});
export * from './schema-web.js';
export * from './schema-chat-durability.js';
export * from './schema-notice-outbox.js';
export * from './schema-statements.js';
export * from './schema-rules.js';
export * from './schema-digests.js';
export * from './schema-receipts.js';
