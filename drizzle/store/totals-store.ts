import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { CurrencyTotal, LedgerStore } from '../../domain/ports.js';
import { rowsOf } from './rows.js';

/** Income and expense totals of a period, per currency (never mixed). */
export function totalsStore(db: Db) {
  return {
    async periodTotals(bookId: number, from: Date, to: Date): Promise<CurrencyTotal[]> {
      const res = await db.execute(sql`
        select currency,
          coalesce(sum(amount_minor) filter (where kind = 'expense'), 0)::text as expense,
          coalesce(sum(amount_minor) filter (where kind = 'income'), 0)::text as income
        from events
        where book_id = ${bookId} and deleted_at is null and kind <> 'transfer'
          and occurred_at >= ${from.toISOString()} and occurred_at < ${to.toISOString()}
        group by currency order by currency`);
      return rowsOf<{ currency: string; expense: string; income: string }>(res).map((r) => ({
        currency: r.currency,
        expenseMinor: Number(r.expense),
        incomeMinor: Number(r.income),
      }));
    },
  } satisfies Partial<LedgerStore>;
}
