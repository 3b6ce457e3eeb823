import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { accounts, books, eventLabels, events, labels } from '../schema.js';
import type { ImportEvent, StatsStore } from '../../domain/statistics/ports.js';
import type { LedgerEvent } from '../../domain/types.js';
import { balanceEffect, selectEvents } from './event-rows.js';
import { rowsOf } from './rows.js';

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
        const labelIds = await ensureLabels(tx, bookId, [...new Set(fresh.flatMap((r) => r.labels))]);

        const effects = new Map<number, number>();
        let seq = book.lastSeq;
        for (const part of chunks(fresh)) {
          const values = part.map((r) => {
            const accountId = accountIds.get(r.account.toLowerCase())!;
            const toAccountId = r.toAccount ? accountIds.get(r.toAccount.toLowerCase())! : undefined;
            const row = {
              bookId,
              seq: ++seq,
              kind: r.kind,
              accountId,
              amountMinor: r.amountMinor,
              currency: r.currency,
              toAccountId: toAccountId ?? null,
              toAmountMinor: r.kind === 'transfer' ? (r.toAmountMinor ?? r.amountMinor) : null,
              toCurrency: r.kind === 'transfer' ? (r.toCurrency ?? r.currency) : null,
              note: r.note,
              authorId,
              occurredAt: r.occurredAt,
              sourceKey: r.sourceKey,
            };
            for (const { accountId: id, delta } of balanceEffect(row)) effects.set(id, (effects.get(id) ?? 0) + delta);
            return row;
          });
          const inserted = await tx.insert(events).values(values).returning({ id: events.id, seq: events.seq });
          const bySeq = new Map(inserted.map((x) => [x.seq, x.id]));
          const links = part.flatMap((r, i) =>
            r.labels.map((name) => ({ eventId: bySeq.get(values[i]!.seq)!, labelId: labelIds.get(name.toLowerCase())! })),
          );
          for (const linkPart of chunks(links)) await tx.insert(eventLabels).values(linkPart).onConflictDoNothing();
        }
        for (const [accountId, delta] of effects) {
          if (delta !== 0)
            await tx.update(accounts).set({ balanceMinor: sql`${accounts.balanceMinor} + ${delta}` }).where(eq(accounts.id, accountId));
        }
        await tx.update(books).set({ lastSeq: seq }).where(eq(books.id, bookId));
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

/** Label ids by lower-cased name, creating the labels that do not exist. */
async function ensureLabels(tx: Tx, bookId: number, names: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const unique = [...new Set(names.map((n) => n.toLowerCase()))];
  for (const part of chunks(unique)) {
    await tx
      .insert(labels)
      .values(part.map((name) => ({ bookId, name })))
      .onConflictDoNothing();
    const res = await tx.execute(sql`select id, lower(name) as name from labels
      where book_id = ${bookId} and lower(name) in (${sql.join(part.map((n) => sql`${n}`), sql`, `)})`);
    for (const r of rowsOf<{ id: number; name: string }>(res)) ids.set(r.name, r.id);
  }
  return ids;
}
