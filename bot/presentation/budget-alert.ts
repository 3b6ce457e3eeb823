import { PACE_THRESHOLD, type BudgetAlert } from '../../domain/statistics/budget-alerts.js';
import { formatMoney } from '../../domain/money/money.js';
import type { Language } from '../../domain/types.js';
import { periodText } from '../format.js';
import { t } from '../i18n/index.js';
import { budgetTarget } from './stats-format.js';
import { runOutDay } from './digest-text.js';

/** The message of a budget alert: the same text in a chat reply, an API-made record's notice and a template's. */
export function alertText(alert: BudgetAlert, lang: Language): string {
  const { budget, spentMinor, percent, period } = alert.progress;
  const vars = {
    target: budgetTarget(budget.label, lang),
    percent,
    spent: formatMoney(spentMinor, budget.currency, { lang }),
    amount: formatMoney(budget.amountMinor, budget.currency, { lang }),
    period: periodText(period, lang),
  };
  const day = alert.runsOut ? runOutDay(alert.runsOut, lang) : '';
  // The early warning alone, or with the threshold the same record reached.
  if (alert.threshold === PACE_THRESHOLD) return t(lang, 'budget.pace', { ...vars, day });
  const text = t(lang, alert.threshold >= 100 ? 'budget.alert_100' : 'budget.alert_80', vars);
  return alert.runsOut ? `${text} ${t(lang, 'budget.pace_also', { day })}` : text;
}

/** Idempotency key of one alert's message: a threshold is told once per budget and period. */
export const alertKey = (alert: BudgetAlert): string =>
  `budget-${alert.progress.budget.id}-${alert.progress.period.start.getTime()}-${alert.threshold}`;
