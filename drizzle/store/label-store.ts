import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { eventLabels, labels } from '../schema.js';
import type { Label } from '../../domain/types.js';
import type { LabelTotal, LedgerStore } from '../../domain/ports.js';
import { pgCode, rowsOf } from './rows.js';
import { DomainError } from '../../domain/errors.js';

/** Labels of a book and their totals. */
export function labelStore(db: Db) {
  return {
    async listLabels(bookId: number): Promise<Label[]> {
      return db.select({ id: labels.id, name: labels.name }).from(labels).where(eq(labels.bookId, bookId)).orderBy(asc(labels.name));
    },

    async labelTotals(bookId: number, from: Date, to: Date): Promise<LabelTotal[]> {
      const res = await db.execute(sql`
        select l.name, e.currency,
          coalesce(sum(e.amount_minor) filter (where e.kind = 'expense'), 0)::text as expense,
          coalesce(sum(e.amount_minor) filter (where e.kind = 'income'), 0)::text as income
        from labels l
        join event_labels el on el.label_id = l.id
        join events e on e.id = el.event_id
        where l.book_id = ${bookId} and e.book_id = ${bookId} and e.deleted_at is null
          and e.occurred_at >= ${from.toISOString()} and e.occurred_at < ${to.toISOString()}
        group by l.name, e.currency
        order by sum(e.amount_minor) filter (where e.kind = 'expense') desc nulls last, l.name`);
      return rowsOf<{ name: string; currency: string; expense: string; income: string }>(res).map((r) => ({
        name: r.name,
        currency: r.currency,
        expenseMinor: Number(r.expense),
        incomeMinor: Number(r.income),
      }));
    },

    async renameLabel(bookId: number, labelId: number, name: string): Promise<void> {
      try {
        // In a savepoint: a clash leaves the enclosing transaction (a chat update's) usable.
        await db.transaction((tx) => tx.update(labels).set({ name }).where(and(eq(labels.bookId, bookId), eq(labels.id, labelId))));
      } catch (e) {
        if (pgCode(e) === '23505') throw new DomainError('label_invalid', { label: name, reason: 'exists' });
        throw e;
      }
    },

    async mergeLabels(bookId: number, fromId: number, intoId: number): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.execute(sql`
          insert into event_labels (event_id, label_id)
          select el.event_id, ${intoId} from event_labels el
          join labels l on l.id = el.label_id and l.book_id = ${bookId}
          where el.label_id = ${fromId}
          on conflict do nothing`);
        await tx.execute(sql`update budgets set label_id = ${intoId} where book_id = ${bookId} and label_id = ${fromId}
          and not exists (select 1 from budgets b2 where b2.book_id = ${bookId} and b2.label_id = ${intoId})`);
        await tx.delete(labels).where(and(eq(labels.bookId, bookId), eq(labels.id, fromId)));
      });
    },

    async deleteLabel(bookId: number, labelId: number): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.delete(eventLabels).where(eq(eventLabels.labelId, labelId));
        await tx.delete(labels).where(and(eq(labels.bookId, bookId), eq(labels.id, labelId)));
      });
    },
  } satisfies Partial<LedgerStore>;
}
