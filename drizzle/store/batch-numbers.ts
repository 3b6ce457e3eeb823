import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { NewEvent } from '../../domain/ports.js';
import type { WrittenEvent } from './event-writer.js';
import { chunks, rowsOf } from './rows.js';

/** The largest `#N` (an `int` column). */
const MAX_SEQ = 2_147_483_647;

/**
 * What makes an exported row the same record: kind, amounts, currencies, accounts, the second it
 * happened and the note (labels may have been renamed since; they do not make another record).
 */
export function identity(r: {
  kind: string;
  amountMinor: number;
  currency: string;
  accountId: number;
  toAmountMinor?: number | null | undefined;
  toAccountId?: number | null | undefined;
  occurredAt: Date;
  note: string;
}): string {
  const transfer = r.kind === 'transfer';
  return JSON.stringify([
    r.kind,
    r.amountMinor,
    r.currency,
    r.accountId,
    transfer ? (r.toAmountMinor ?? r.amountMinor) : null,
    transfer ? (r.toAccountId ?? null) : null,
    Math.floor(r.occurredAt.getTime() / 1000),
    r.note,
  ]);
}

/** This book's records (deleted too) under the `#N`s the events want, by number. */
export async function ownRecords(q: Db, bookId: number, events: readonly NewEvent[]): Promise<Map<number, { id: number; identity: string }>> {
  const out = new Map<number, { id: number; identity: string }>();
  const seqs = [...new Set(events.flatMap((e) => (e.seq !== undefined && e.seq <= MAX_SEQ ? [e.seq] : [])))];
  for (const part of chunks(seqs)) {
    const res = await q.execute(sql`
      select e.id, e.seq, e.kind, e.amount_minor::text as amount, e.currency, e.account_id, e.to_amount_minor::text as to_amount,
        e.to_account_id, e.occurred_at, e.note
      from events e where e.book_id = ${bookId} and e.seq = any(${`{${part.join(',')}}`}::int[])`);
    type Row = { id: number | string; seq: number; kind: string; amount: string; currency: string; account_id: number; to_amount: string | null; to_account_id: number | null; occurred_at: Date | string; note: string };
    for (const e of rowsOf<Row>(res))
      out.set(e.seq, {
        id: Number(e.id),
        identity: identity({
          kind: e.kind,
          amountMinor: Number(e.amount),
          currency: e.currency,
          accountId: e.account_id,
          toAmountMinor: e.to_amount === null ? null : Number(e.to_amount),
          toAccountId: e.to_account_id,
          occurredAt: e.occurred_at instanceof Date ? e.occurred_at : new Date(e.occurred_at),
          note: e.note,
        }),
      });
  }
  return out;
}

/** Locks the book row for the rest of the transaction; its last `#N`. */
export async function lockBook(q: Db, bookId: number): Promise<number> {
  const [book] = rowsOf<{ last_seq: number }>(await q.execute(sql`select last_seq from books where id = ${bookId} for update`));
  if (!book) throw new Error(`no book ${bookId}`);
  return book.last_seq;
}

/**
 * The `#N`s of events about to be written: the one each wants where this book has not used it
 * (a new book gets the file's numbers, so its export is the same file); the rest are numbered
 * after everything else (`lastSeq`: the book's, read under {@link lockBook}). `apply`
 * puts the numbers on the events the writer numbered after the book's last `#N`, in two steps
 * (through negatives) so no two events ever share a number on the way.
 */
export function keepNumbers(q: Db, bookId: number, lastSeq: number, fresh: readonly NewEvent[]): { apply(written: WrittenEvent[]): Promise<void> } {
  const kept = new Set<number>();
  let next = lastSeq;
  for (const e of fresh)
    if (e.seq !== undefined && e.seq > lastSeq && e.seq <= MAX_SEQ) {
      kept.add(e.seq);
      next = Math.max(next, e.seq);
    }
  const wanted: number[] = [];
  for (const e of fresh) wanted.push(e.seq !== undefined && kept.delete(e.seq) ? e.seq : ++next);
  return {
    async apply(written) {
      const renumber: { id: number; seq: number }[] = [];
      written.forEach((w, i) => {
        if (w.seq !== wanted[i]) renumber.push({ id: w.id, seq: wanted[i]! });
        w.seq = wanted[i]!;
      });
      for (const step of [-1, 1] as const)
        for (const part of chunks(renumber))
          await q.execute(sql`update events e set seq = ${step === -1 ? sql`-v.seq` : sql`v.seq`}
            from (select unnest(${`{${part.map((x) => x.id).join(',')}}`}::bigint[]) as id, unnest(${`{${part.map((x) => x.seq).join(',')}}`}::int[]) as seq) v
            where e.id = v.id`);
      if (renumber.length) await q.execute(sql`update books set last_seq = ${next} where id = ${bookId}`);
    },
  };
}
