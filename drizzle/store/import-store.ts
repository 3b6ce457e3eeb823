import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { accounts, books, events } from '../schema.js';
import type { ImportEvent, StatsStore } from '../../domain/statistics/ports.js';
import type { LedgerEvent } from '../../domain/types.js';
import { selectEvents } from './event-rows.js';
import { writeEvents } from './event-writer.js';

/** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters. */
const CHUNK = 1000;

const chunks = <T>(list: readonly T[], size = CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

/** Export (every live event, oldest first) and the all-or-nothing CSV import. */
export function importStore(db: Db) {
  return {
    async exportEvents(bookId: number, from?: Date, to?: Date, limit?: number, after?: { occurredAt: Date; seq: number }): Promise<LedgerEvent[]> {
      const conds = [sql`e.book_id = ${bookId}`, sql`e.deleted_at is null`];
      if (after) conds.push(sql`(e.occurred_at, e.seq) > (${after.occurredAt.toISOString()}::timestamptz, ${after.seq}::int)`);
      if (from) conds.push(sql`e.occurred_at >= ${from.toISOString()}`);
      if (to) conds.push(sql`e.occurred_at < ${to.toISOString()}`);
      const tail = limit === undefined ? sql`order by e.occurred_at, e.seq` : sql`order by e.occurred_at, e.seq limit ${limit}`;
      return selectEvents(db, sql.join(conds, sql` and `), tail);
    },

    async importEvents(bookId: number, authorId: number, rows: readonly ImportEvent[]): Promise<{ created: number; skipped: number }> {
      return db.transaction(async (tx) => {
        // The book row lock serialises imports (and records) of one book, so two imports of the
        // same file cannot both find a row new.
        const [book] = await tx.select({ lastSeq: books.lastSeq }).from(books).where(eq(books.id, bookId)).for('update');
        if (!book) throw new Error(`no book ${bookId}`);

        const seen = new Set<string>();
        for (const part of chunks(rows.map((r) => r.sourceKey))) {
          const hits = await tx
            .select({ key: events.sourceKey })
            .from(events)
            .where(and(eq(events.bookId, bookId), inArray(events.sourceKey, part)));
          for (const h of hits) if (h.key) seen.add(h.key);
        }
        const fresh: ImportEvent[] = [];
        for (const r of rows) {
          if (seen.has(r.sourceKey)) continue;
          seen.add(r.sourceKey);
          fresh.push(r);
        }
        if (fresh.length === 0) return { created: 0, skipped: rows.length };

        const accountIds = await ensureAccounts(tx, bookId, fresh);
        for (const part of chunks(fresh))
          await writeEvents(
            tx,
            part.map((r) => ({
              bookId,
              kind: r.kind,
              accountId: accountIds.get(r.account.toLowerCase())!,
              amountMinor: r.amountMinor,
              currency: r.currency,
              toAccountId: r.toAccount ? accountIds.get(r.toAccount.toLowerCase())! : undefined,
              toAmountMinor: r.toAmountMinor,
              toCurrency: r.toCurrency,
              labels: r.labels,
              note: r.note,
              authorId,
              occurredAt: r.occurredAt,
              sourceKey: r.sourceKey,
            })),
          );
        return { created: fresh.length, skipped: rows.length - fresh.length };
      });
    },
  } satisfies Partial<StatsStore>;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Account ids by lower-cased name; accounts the rows name but the book lacks are created. */
async function ensureAccounts(tx: Tx, bookId: number, rows: readonly ImportEvent[]): Promise<Map<string, number>> {
  const existing = await tx
    .select({ id: accounts.id, name: accounts.name })
    .from(accounts)
    .where(and(eq(accounts.bookId, bookId), isNull(accounts.deletedAt)));
  const ids = new Map(existing.map((a) => [a.name.toLowerCase(), a.id]));
  const wanted = new Map<string, { name: string; currency: string }>();
  for (const r of rows) {
    wanted.set(r.account.toLowerCase(), { name: r.account, currency: r.currency });
    if (r.toAccount) wanted.set(r.toAccount.toLowerCase(), { name: r.toAccount, currency: r.toCurrency ?? r.currency });
  }
  const missing = [...wanted].filter(([key]) => !ids.has(key)).map(([, a]) => a);
  if (missing.length) {
    const created = await tx
      .insert(accounts)
      .values(missing.map((a) => ({ bookId, name: a.name, currency: a.currency, openingMinor: 0, balanceMinor: 0 })))
      .returning({ id: accounts.id, name: accounts.name });
    for (const a of created) ids.set(a.name.toLowerCase(), a.id);
    // A fresh book's first account becomes its default, as with /account add.
    await tx.execute(sql`update books set default_account_id = ${created[0]!.id} where id = ${bookId} and default_account_id is null`);
  }
  return ids;
}
