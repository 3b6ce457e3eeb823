import type { BudgetAlert } from '../../domain/statistics/budget-alerts.js';
import { formatMoney } from '../../domain/money/money.js';
import type { Language } from '../../domain/types.js';
import { periodText } from '../format.js';
import { t } from '../i18n/index.js';
import { budgetTarget } from './stats-format.js';

/** The message of a budget alert: the same text in a chat reply, an API-made record's notice and a template's. */
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

/** Idempotency key of one alert's message: a threshold is told once per budget and period. */
export const alertKey = (alert: BudgetAlert): string =>
  `budget-${alert.progress.budget.id}-${alert.progress.period.start.getTime()}-${alert.threshold}`;
