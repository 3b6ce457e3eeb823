import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { budgets, chats } from '../schema.js';
import type { Platform } from '../../domain/types.js';
import { rowsOf } from './rows.js';
import { settleChatReplies } from './chat-outbox.js';

/** What the outbound queue and the sweep need to know about chats and books. */
export interface DeliveryStore {
  /** The chat blocked the bot (or is gone); set by the outbound queue. */
  isChatBlocked(platform: Platform, chatId: string): Promise<boolean>;
  /** Marks the chat so nothing more is sent to it, and settles its pending replies (the reply outbox). */
  markChatBlocked(platform: Platform, chatId: string, at: Date): Promise<void>;
  /** Which of these books have any budget (only their template records can raise alerts). */
  booksWithBudgets(bookIds: readonly number[]): Promise<Set<number>>;
  /** The chats that share a book and have not blocked the bot (for alerts without a chat). */
  chatsOfBook(bookId: number): Promise<{ platform: Platform; chatId: string }[]>;
}

/** Chats' delivery state on the database. */
export function deliveryStore(db: Db): DeliveryStore {
  return {
    async isChatBlocked(platform, chatId) {
      const rows = await db
        .select({ at: chats.blockedAt })
        .from(chats)
        .where(and(eq(chats.platform, platform), eq(chats.chatId, chatId), isNotNull(chats.blockedAt)));
      return rows.length > 0;
    },
    async markChatBlocked(platform, chatId, at) {
      await db.execute(sql`
        with settled as (${settleChatReplies(platform, chatId, 'a notice was refused')})
        update chats set blocked_at = ${at.toISOString()}::timestamptz where platform = ${platform} and chat_id = ${chatId}`);
    },
    async booksWithBudgets(bookIds) {
      if (bookIds.length === 0) return new Set();
      const ids = `{${bookIds.map((n) => String(Math.trunc(n))).join(',')}}`;
      const rows = rowsOf<{ book_id: number }>(
        await db.execute(sql`select distinct ${budgets.bookId} as book_id from ${budgets} where ${budgets.bookId} = any(${ids}::int[])`),
      );
      return new Set(rows.map((r) => r.book_id));
    },
    async chatsOfBook(bookId) {
      const rows = await db
        .select({ platform: chats.platform, chatId: chats.chatId })
        .from(chats)
        .where(and(eq(chats.bookId, bookId), sql`${chats.blockedAt} is null`));
      return rows.map((r) => ({ platform: r.platform as Platform, chatId: r.chatId }));
    },
  };
}
