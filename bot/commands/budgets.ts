import { budgetProgress, budgetsNow, changeBudget } from '../../domain/statistics/budget.js';
import { formatMoney } from '../../domain/money/money.js';
import { t } from '../i18n/index.js';
import type { CommandDef } from '../registry.js';
import { table } from '../reply.js';
import { budgetRows, budgetTarget } from '../presentation/stats-format.js';
import { periodText } from '../format.js';

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
