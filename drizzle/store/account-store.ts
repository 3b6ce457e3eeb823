import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { accounts, books, events } from '../schema.js';
import type { Account } from '../../domain/types.js';
import { DomainError } from '../../domain/errors.js';
import type { LedgerStore } from '../../domain/ports.js';
import { pgCode, rowsOf } from './rows.js';

const accountCols = {
  id: accounts.id,
  bookId: accounts.bookId,
  name: accounts.name,
  currency: accounts.currency,
  openingMinor: accounts.openingMinor,
  balanceMinor: accounts.balanceMinor,
};


/** Accounts of a book; balances are maintained by the event store. */
export function accountStore(db: Db) {
  return {
    async listAccounts(bookId: number): Promise<Account[]> {
      return db
        .select(accountCols)
        .from(accounts)
        .where(and(eq(accounts.bookId, bookId), isNull(accounts.deletedAt)))
        .orderBy(asc(accounts.id));
    },

    async createAccount(bookId: number, a: { name: string; currency: string; openingMinor: number }): Promise<Account> {
      // One statement: the account, and the book's default when it had none (its first account).
      // A name clash inserts nothing (no savepoint needed: the enclosing transaction, a chat
      // update's, stays usable, and a batch of chats can share it).
      const res = await db.execute(sql`
        with ins as (
          insert into accounts (book_id, name, currency, opening_minor, balance_minor)
          values (${bookId}, ${a.name}, ${a.currency}, ${a.openingMinor}, ${a.openingMinor})
          on conflict do nothing
          returning id, name, currency, opening_minor, balance_minor
        ), def as (
          update books set default_account_id = (select id from ins) where id = ${bookId} and default_account_id is null and exists (select 1 from ins)
        )
        select id, name, currency, opening_minor::text as opening, balance_minor::text as balance from ins`);
      const [row] = rowsOf<{ id: number; name: string; currency: string; opening: string; balance: string }>(res);
      if (!row) throw new DomainError('account_exists', { account: a.name });
      return { id: row.id, bookId, name: row.name, currency: row.currency, openingMinor: Number(row.opening), balanceMinor: Number(row.balance) };
    },

    async renameAccount(bookId: number, accountId: number, name: string): Promise<void> {
      try {
        await db.transaction((tx) => tx.update(accounts).set({ name }).where(and(eq(accounts.bookId, bookId), eq(accounts.id, accountId))));
      } catch (e) {
        if (pgCode(e) === '23505') throw new DomainError('account_exists', { account: name });
        throw e;
      }
    },

    async deleteAccount(bookId: number, accountId: number): Promise<void> {
      await db.transaction(async (tx) => {
        const [used] = await tx
          .select({ n: sql<number>`count(*)`.mapWith(Number) })
          .from(events)
          .where(and(eq(events.bookId, bookId), isNull(events.deletedAt), sql`(${events.accountId} = ${accountId} or ${events.toAccountId} = ${accountId})`));
        if ((used?.n ?? 0) > 0) throw new DomainError('account_in_use', { count: used!.n });
        await tx.update(accounts).set({ deletedAt: new Date() }).where(and(eq(accounts.bookId, bookId), eq(accounts.id, accountId)));
        // Keep a default when another account is left.
        await tx.execute(sql`
          update books set default_account_id = (
            select id from accounts where book_id = ${bookId} and deleted_at is null order by id limit 1)
          where id = ${bookId} and (default_account_id = ${accountId} or default_account_id is null)`);
      });
    },

    async setDefaultAccount(bookId: number, accountId: number): Promise<void> {
      await db.update(books).set({ defaultAccountId: accountId }).where(eq(books.id, bookId));
    },
  } satisfies Partial<LedgerStore>;
}
