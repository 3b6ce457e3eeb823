import { budgetAlertsFor, type BudgetAlert } from '../../domain/statistics/budget-alerts.js';
import { budgetProgress, budgetsNow, changeBudget } from '../../domain/statistics/budget.js';
import { formatMoney } from '../../domain/money/money.js';
import type { Recorded } from '../../domain/ports.js';
import type { Language } from '../../domain/types.js';
import { t } from '../i18n/index.js';
import type { CommandContext, CommandDef } from '../registry.js';
import { table, type Reply } from '../reply.js';
import { budgetRows, budgetTarget } from './stats-format.js';
import { periodText } from '../format.js';

/** The chat message of a budget alert. */
export function alertText(alert: BudgetAlert, lang: Language): string {
  const { budget, spentMinor, percent, period } = alert.progress;
  return t(lang, alert.threshold >= 100 ? 'budget.alert_100' : 'budget.alert_80', {
    target: budgetTarget(budget.label, lang),
    percent,
    spent: formatMoney(spentMinor, budget.currency, { lang }),
    amount: formatMoney(budget.amountMinor, budget.currency, { lang }),
    period: periodText(period, lang),
  });
}

/**
 * `services.afterRecord`: after a new expense, the budget alerts it triggered (each threshold
 * once per budget period, see `budgetAlertsFor`). A failure here must not hide the record's
 * confirmation, so it is logged and swallowed.
 */
export async function budgetAfterRecord(ctx: CommandContext, rec: Recorded): Promise<Reply[]> {
  if (!rec.created) return [];
  // The membership lookup already told whether the book has budgets: skip a query per record.
  if (ctx.actor.snapshot?.hasBudgets === false) return [];
  try {
    const alerts = await budgetAlertsFor(ctx.actor.store, ctx.actor.book, rec.event);
    return alerts.map((a) => ({ text: alertText(a, ctx.lang) }));
  } catch (err) {
    ctx.services.logger.error({ err: String(err), book: ctx.actor.book.id }, 'budget alert check failed');
    return [];
  }
}

/** `/budget`, `/budgets`. */
export const budgetCommands: CommandDef[] = [
  {
    name: 'budget',
    description: 'Set a spending limit per label or in total',
    usage: '/budget <#label|total> <amount> [monthly|weekly] (or off)',
    options: [
      { name: 'label', description: '#label or total', type: 'string', required: true, autocomplete: 'label' },
      { name: 'amount', description: 'Limit, e.g. 300; or off to remove', type: 'string', required: true },
      { name: 'period', description: 'monthly (default) or weekly', type: 'string', choices: ['monthly', 'weekly'] },
    ],
    run: async (ctx, args) => {
      const res = await changeBudget(ctx.actor, args);
      if (!res.budget) return { text: t(ctx.lang, 'budget.deleted', { target: budgetTarget(res.deleted ?? null, ctx.lang) }) };
      const b = res.budget;
      const [p] = await budgetProgress(ctx.actor.store, ctx.actor.book, [b], ctx.actor.clock.now());
      return {
        text: t(ctx.lang, 'budget.set', {
          target: budgetTarget(b.label, ctx.lang),
          amount: formatMoney(b.amountMinor, b.currency, { lang: ctx.lang }),
          period: t(ctx.lang, b.period === 'weekly' ? 'budget.weekly' : 'budget.monthly'),
          current: periodText(p!.period, ctx.lang),
          spent: formatMoney(p!.spentMinor, b.currency, { lang: ctx.lang }),
          percent: p!.percent,
        }),
      };
    },
  },
  {
    name: 'budgets',
    description: 'Budgets and their progress',
    usage: '/budgets',
    run: async (ctx) => {
      const list = await budgetsNow(ctx.actor);
      if (list.length === 0) return { text: t(ctx.lang, 'budgets.empty') };
      const missing = [...new Set(list.flatMap((p) => p.missing))];
      const text = [t(ctx.lang, 'budgets.title')];
      if (missing.length) text.push(t(ctx.lang, 'budgets.missing', { currencies: missing }));
      return { text: text.join('\n'), pre: table(budgetRows(list, ctx.lang), ['l', 'l', 'r', 'r', 'l']) };
    },
  },
];
