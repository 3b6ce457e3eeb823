import type { BudgetProgress } from '../../domain/statistics/budget.js';
import { formatDate } from '../../domain/parsing/dates.js';
import { formatMoney } from '../../domain/money/money.js';
import { rateText } from '../../domain/money/rates.js';
import type { Figure } from '../../domain/statistics/math.js';
import type { Rate } from '../../domain/statistics/ports.js';
import type { Language } from '../../domain/types.js';
import { t } from '../i18n/index.js';

/** `1,234.50` (book currency, code left to the header) or with a sign; `1 234,50` in Russian. */
export const amountText = (minor: number, currency: string, lang: Language, sign = false): string =>
  formatMoney(minor, currency, { code: false, sign, lang });

/** A figure for a table cell: the book-currency amount without code, other currencies with theirs. */
export function compactFigure(f: Figure, currency: string, lang: Language, sign = false): string {
  return [amountText(f.minor, currency, lang, sign), ...f.rest.map((r) => formatMoney(r.minor, r.currency, { sign, lang }))].join(' + ');
}

/** `+12%`, `−3%`, or the word for "new" when there was nothing before. */
export function percentText(p: number | undefined, lang: Language): string {
  if (p === undefined) return t(lang, 'stats.compare_new');
  return p > 0 ? `+${p}%` : p < 0 ? `−${-p}%` : '0%';
}

/** Ten cells, full when spent reaches the limit; over the limit the bar ends with `!`. */
export function progressBar(percent: number): string {
  const cells = Math.max(0, Math.min(10, Math.floor(percent / 10)));
  return '█'.repeat(cells) + '░'.repeat(10 - cells) + (percent > 100 ? '!' : ' ');
}

/** `#food` or the word for the total budget. */
export const budgetTarget = (label: string | null, lang: Language): string => (label === null ? t(lang, 'budget.total') : `#${label}`);

/** One table row per budget: target, bar, percent, spent / limit, period. */
export function budgetRows(list: readonly BudgetProgress[], lang: Language): string[][] {
  return list.map((p) => [
    budgetTarget(p.budget.label, lang),
    progressBar(p.percent),
    `${p.percent}%`,
    `${amountText(p.spentMinor, p.budget.currency, lang)} / ${formatMoney(p.budget.amountMinor, p.budget.currency, { lang })}`,
    t(lang, p.budget.period === 'weekly' ? 'budget.weekly' : 'budget.monthly'),
  ]);
}

/** `1 USD = 0.92 EUR` (`0,92` in Russian) */
export const rateLine = (r: Pick<Rate, 'currency' | 'perMinor' | 'bookMinor'>, bookCurrency: string, lang: Language): string =>
  `1 ${r.currency} = ${rateText(r, bookCurrency, lang)} ${bookCurrency}`;

/** `1 USD = 0.92 EUR (transfer 2026-11-20)` */
export function rateLineWithSource(r: Rate, bookCurrency: string, tz: string, lang: Language): string {
  const when = t(lang, r.source === 'rate' ? 'rates.from_rate' : 'rates.from_transfer', { date: formatDate(r.at, tz) });
  return `${rateLine(r, bookCurrency, lang)} (${when})`;
}
