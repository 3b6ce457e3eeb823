import { formatMoney, minorDigits } from '../../domain/money/money.js';
import type { Language } from '../../domain/types.js';
import { t } from '../../bot/i18n/index.js';
import { groupTop, isEmptySpec, emptyMessage } from '../../workers/charts/chart-spec.js';
import type { ChartSpec } from '../../bot/presentation/chart-types.js';
import { EXPENSE_COLOR, INCOME_COLOR, OTHER_COLOR, PALETTE, assignColors } from '../../workers/charts/palette.js';

/**
 * What the browser draws: Chart.js data built from the same {@link ChartSpec} as the PNG charts,
 * grouped (top 8 + other) and coloured by the same functions, with the money already formatted
 * in the book's language and a records link per slice or bar.
 */
export interface WebChart {
  type: 'doughnut' | 'bar' | 'line';
  horizontal: boolean;
  title: string;
  subtitle: string;
  /** Minor digits of the chart currency (axis ticks). */
  digits: number;
  labels: string[];
  datasets: { label: string; data: number[]; colors: string[]; text: string[] }[];
  /** Per index: the records behind that slice or bar, or null (the "other" group, balances). */
  links: (string | null)[];
  /** The sentence shown instead of a chart when there is nothing to draw. */
  empty: string | null;
}

/**
 * `linkOf(rawLabel)` answers the records URL of one entry by its label as the spec names it;
 * grouped "other" never links (it is many labels).
 */
export function webChart(spec: ChartSpec, linkOf: (label: string, index: number) => string | null): WebChart {
  const lang: Language = spec.lang ?? 'en';
  const money = (m: number) => formatMoney(m, spec.currency, { lang });
  const base = { title: spec.title, subtitle: spec.subtitle, digits: minorDigits(spec.currency), horizontal: false };
  const empty = isEmptySpec(spec) ? emptyMessage(spec.kind, lang) : null;
  switch (spec.kind) {
    case 'pie': {
      const items = groupTop(spec.slices.filter((s) => s.minor > 0));
      const named = assignColors(items.filter((i) => !i.other).map((i) => i.label));
      let next = 0;
      const colors = items.map((i) => (i.other ? OTHER_COLOR : named[next++]!));
      return {
        ...base,
        type: 'doughnut',
        labels: items.map((i) => (i.other ? t(lang, 'chart.other') : i.label)),
        datasets: [{ label: '', data: items.map((i) => i.minor), colors, text: items.map((i) => money(i.minor)) }],
        links: items.map((i, n) => (i.other ? null : linkOf(i.label, n))),
        empty,
      };
    }
    case 'bars':
      return {
        ...base,
        type: 'bar',
        labels: spec.months.map((m) => m.label),
        datasets: [
          { label: t(lang, 'stats.income'), data: spec.months.map((m) => m.incomeMinor), colors: [INCOME_COLOR], text: spec.months.map((m) => money(m.incomeMinor)) },
          { label: t(lang, 'stats.expenses'), data: spec.months.map((m) => m.expenseMinor), colors: [EXPENSE_COLOR], text: spec.months.map((m) => money(m.expenseMinor)) },
        ],
        links: spec.months.map((m, n) => linkOf(m.label, n)),
        empty,
      };
    case 'balance': {
      const colors = assignColors(spec.series.map((s) => s.account));
      return {
        ...base,
        type: 'line',
        labels: spec.series[0]?.points.map((p) => p.label) ?? [],
        datasets: spec.series.map((s, n) => ({
          label: `${s.account} (${s.currency})`,
          data: s.points.map((p) => p.minor),
          colors: [colors[n] ?? PALETTE[0]!],
          text: s.points.map((p) => formatMoney(p.minor, s.currency, { lang })),
        })),
        links: (spec.series[0]?.points ?? []).map((p, n) => linkOf(p.label, n)),
        empty,
      };
    }
    case 'members': {
      const rows = [...spec.rows].sort((a, b) => b.minor - a.minor);
      return {
        ...base,
        type: 'bar',
        horizontal: true,
        labels: rows.map((r) => r.member),
        datasets: [{ label: t(lang, 'stats.expenses'), data: rows.map((r) => r.minor), colors: assignColors(rows.map((r) => r.member)), text: rows.map((r) => money(r.minor)) }],
        links: rows.map((r, n) => linkOf(r.member, n)),
        empty,
      };
    }
  }
}
