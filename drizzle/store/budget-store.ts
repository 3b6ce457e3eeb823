import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import { budgetAlerts, budgets, labels } from '../schema.js';
import type { Budget, BudgetPeriod, BudgetStore } from '../../domain/statistics/budget-ports.js';
import { rowsOf } from './rows.js';

interface BudgetRow {
  id: number;
  label_id: number | null;
  label: string | null;
  amount: string;
  currency: string;
  period: BudgetPeriod;
  created_at: Date | string;
  claimed?: number[] | null;
}

const toBudget = (r: BudgetRow): Budget => ({
  id: r.id,
  labelId: r.label_id,
  label: r.label,
  amountMinor: Number(r.amount),
  currency: r.currency,
  period: r.period,
  createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
  ...(r.claimed !== undefined ? { claimed: (r.claimed ?? []).map(Number) } : {}),
});

const selectBudgets = (bookId: number, extra = sql`true`, alertsIn?: Readonly<Record<BudgetPeriod, Date>>) => sql`
  select b.id, b.label_id, l.name as label, b.amount_minor::text as amount, b.currency, b.period, b.created_at
    ${
      alertsIn
        ? sql`, array(select a.threshold from budget_alerts a where a.budget_id = b.id and a.period_start =
            case b.period when 'weekly' then ${alertsIn.weekly.toISOString()}::timestamptz else ${alertsIn.monthly.toISOString()}::timestamptz end) as claimed`
        : sql``
    }
  from budgets b left join labels l on l.id = b.label_id
  where b.book_id = ${bookId} and ${extra}
  order by b.label_id is not null, lower(l.name)`;

/** Budgets and the once-per-period alert claims. */
export function budgetStore(db: Db) {
  return {
    async listBudgets(bookId, alertsIn) {
      return rowsOf<BudgetRow>(await db.execute(selectBudgets(bookId, sql`true`, alertsIn))).map(toBudget);
    },

    async setBudget(
      bookId: number,
      b: { label: string | null; amountMinor: number; currency: string; period: BudgetPeriod; createdAt?: Date },
    ): Promise<Budget> {
      return db.transaction(async (tx) => {
        let labelId: number | null = null;
        if (b.label !== null) {
          await tx.insert(labels).values({ bookId, name: b.label }).onConflictDoNothing();
          const [l] = await tx
            .select({ id: labels.id })
            .from(labels)
            .where(and(eq(labels.bookId, bookId), sql`lower(${labels.name}) = ${b.label.toLowerCase()}`));
          labelId = l!.id;
        }
        const [before] = rowsOf<{ id: number; amount: string; period: string; currency: string }>(
          await tx.execute(sql`select id, amount_minor::text as amount, period, currency from budgets
            where book_id = ${bookId} and coalesce(label_id, 0) = ${labelId ?? 0} for update`),
        );
        const [row] = rowsOf<{ id: number }>(
          await tx.execute(sql`
            insert into budgets (book_id, label_id, amount_minor, currency, period, created_at)
            values (${bookId}, ${labelId}, ${b.amountMinor}, ${b.currency}, ${b.period}, ${(b.createdAt ?? new Date()).toISOString()}::timestamptz)
            on conflict (book_id, (coalesce(label_id, 0))) do update
              set amount_minor = excluded.amount_minor, currency = excluded.currency, period = excluded.period
            returning id`),
        );
        const changed =
          before && (Number(before.amount) !== b.amountMinor || before.period !== b.period || before.currency !== b.currency);
        if (changed) await tx.delete(budgetAlerts).where(eq(budgetAlerts.budgetId, row!.id));
        const [out] = rowsOf<BudgetRow>(await tx.execute(selectBudgets(bookId, sql`b.id = ${row!.id}`)));
        return toBudget(out!);
      });
    },

    async deleteBudget(bookId: number, budgetId: number): Promise<boolean> {
      const gone = await db
        .delete(budgets)
        .where(and(eq(budgets.bookId, bookId), eq(budgets.id, budgetId)))
        .returning({ id: budgets.id });
      return gone.length > 0;
    },

    async claimBudgetAlerts(claims) {
      if (claims.length === 0) return [];
      // The primary key (budget, period start, threshold) lets exactly one insert of each through.
      // Rows go in key order, so two racing claims never wait on each other crosswise (deadlock).
      const ordered = [...claims].sort(
        (x, y) => x.budgetId - y.budgetId || x.periodStart.getTime() - y.periodStart.getTime() || x.threshold - y.threshold,
      );
      const rows = await db
        .insert(budgetAlerts)
        .values(ordered.map((c) => ({ budgetId: c.budgetId, periodStart: c.periodStart, threshold: c.threshold })))
        .onConflictDoNothing()
        .returning({ budgetId: budgetAlerts.budgetId, periodStart: budgetAlerts.periodStart, threshold: budgetAlerts.threshold });
      return rows;
    },
  } satisfies BudgetStore;
}
