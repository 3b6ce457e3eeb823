import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { rowsOf } from './rows.js';
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
        const mine = await ownRecords(tx, bookId, rows);
        const fresh: ImportEvent[] = [];
        for (const r of rows) {
          if (seen.has(r.sourceKey) || (r.seq !== undefined && mine.has(r.seq) && mine.get(r.seq) === identity(r))) continue;
          seen.add(r.sourceKey);
          fresh.push(r);
        }
        if (fresh.length === 0) return { created: 0, skipped: rows.length };
        // `#N` is kept where this book has not used it yet (a new book gets the file's numbers,
        // so its export is the same file); the rest are numbered after everything else.
        const kept = new Set<number>();
        for (const r of fresh) if (r.seq !== undefined && r.seq > book.lastSeq && r.seq <= 2_147_483_647 && !kept.has(r.seq)) kept.add(r.seq);
        const numberOf = new Map<ImportEvent, number>();
        let next = Math.max(book.lastSeq, ...kept);
        for (const r of fresh) {
          if (r.seq !== undefined && kept.delete(r.seq)) numberOf.set(r, r.seq);
          else numberOf.set(r, ++next);
        }

        const accountIds = await ensureAccounts(tx, bookId, fresh);
        const renumber: { id: number; seq: number }[] = [];
        for (const part of chunks(fresh)) {
          const written = await writeEvents(
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
          written.events.forEach((w, i) => {
            const wanted = numberOf.get(part[i]!)!;
            if (w.seq !== wanted) renumber.push({ id: w.id, seq: wanted });
          });
        }
        // The writer numbers after the book's last #N; the file's own numbers are put back in two
        // steps (through negatives) so no two events ever share a number on the way.
        for (const step of [-1, 1] as const)
          for (const part of chunks(renumber))
            await tx.execute(sql`update events e set seq = ${step === -1 ? sql`-v.seq` : sql`v.seq`}
              from (select unnest(${`{${part.map((x) => x.id).join(',')}}`}::bigint[]) as id, unnest(${`{${part.map((x) => x.seq).join(',')}}`}::int[]) as seq) v
              where e.id = v.id`);
        if (renumber.length) await tx.update(books).set({ lastSeq: next }).where(eq(books.id, bookId));
        return { created: fresh.length, skipped: rows.length - fresh.length };
      });
    },
  } satisfies Partial<StatsStore>;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * What makes an exported row the same record: kind, amounts, currencies, accounts, the second it
 * happened and the note (labels may have been renamed since; they do not make another record).
 */
function identity(r: {
  kind: string;
  amountMinor: number;
  currency: string;
  account: string;
  toAmountMinor?: number | null | undefined;
  toAccount?: string | null | undefined;
  occurredAt: Date;
  note: string;
}): string {
  const transfer = r.kind === 'transfer';
  return JSON.stringify([
    r.kind,
    r.amountMinor,
    r.currency,
    r.account.toLowerCase(),
    transfer ? (r.toAmountMinor ?? r.amountMinor) : null,
    transfer ? (r.toAccount ?? '').toLowerCase() : null,
    Math.floor(r.occurredAt.getTime() / 1000),
    r.note,
  ]);
}

/** This book's records (deleted too) under the `#N`s the rows carry, by number. */
async function ownRecords(tx: Tx, bookId: number, rows: readonly ImportEvent[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const seqs = [...new Set(rows.flatMap((r) => (r.seq !== undefined && r.seq <= 2_147_483_647 ? [r.seq] : [])))];
  for (const part of chunks(seqs)) {
    const res = await tx.execute(sql`
      select e.seq, e.kind, e.amount_minor::text as amount, e.currency, a.name as account, e.to_amount_minor::text as to_amount,
        ta.name as to_account, e.occurred_at, e.note
      from events e join accounts a on a.id = e.account_id left join accounts ta on ta.id = e.to_account_id
      where e.book_id = ${bookId} and e.seq = any(${`{${part.join(',')}}`}::int[])`);
    for (const e of rowsOf<{ seq: number; kind: string; amount: string; currency: string; account: string; to_amount: string | null; to_account: string | null; occurred_at: Date | string; note: string }>(res)) {
      out.set(
        e.seq,
        identity({
          kind: e.kind,
          amountMinor: Number(e.amount),
          currency: e.currency,
          account: e.account,
          toAmountMinor: e.to_amount === null ? null : Number(e.to_amount),
          toAccount: e.to_account,
          occurredAt: e.occurred_at instanceof Date ? e.occurred_at : new Date(e.occurred_at),
          note: e.note,
        }),
      );
    }
  }
  return out;
}

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
