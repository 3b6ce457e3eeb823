import { assertMinor } from '../../domain/money/money.js';
import type { Language } from '../../domain/types.js';
import type { ChartKind, ChartSpec } from '../../bot/presentation/chart-types.js';
import { t } from '../../bot/i18n/index.js';


/** A chart shows at most this many named entries; the rest are summed into {@link OTHER_LABEL}. */
export const TOP_N = 8;
export const OTHER_LABEL = 'other';

export interface NamedAmount {
  label: string;
  minor: number;
  /** True for the synthetic group of everything beyond the top {@link TOP_N}. */
  other: boolean;
}

/**
 * Largest first, top {@link TOP_N} kept, the rest summed into one "other" entry. A real label
 * called "other" joins that group, so the legend never shows "other" twice. Ties are broken by
 * label so the same data always gives the same picture.
 */
export function groupTop(items: readonly { label: string; minor: number }[]): NamedAmount[] {
  let otherSum = 0;
  let hasOther = false;
  const named: { label: string; minor: number }[] = [];
  for (const item of items) {
    assertMinor(item.minor);
    if (item.label.trim().toLowerCase() === OTHER_LABEL) {
      otherSum = assertMinor(otherSum + item.minor);
      hasOther = true;
    } else named.push(item);
  }
  named.sort((a, b) => b.minor - a.minor || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  for (const item of named.slice(TOP_N)) otherSum = assertMinor(otherSum + item.minor);
  hasOther ||= named.length > TOP_N;
  const result: NamedAmount[] = named.slice(0, TOP_N).map((i) => ({ label: i.label, minor: i.minor, other: false }));
  if (hasOther) result.push({ label: OTHER_LABEL, minor: otherSum, other: true });
  return result;
}

/** True when the chart would have nothing to draw; it then shows a "no data" message instead. */
export function isEmptySpec(spec: ChartSpec): boolean {
  switch (spec.kind) {
    case 'pie':
      // A doughnut cannot show refunds (negative) or zero slices, so only positive ones count.
      return !spec.slices.some((s) => s.minor > 0);
    case 'bars':
      return !spec.months.some((m) => m.incomeMinor !== 0 || m.expenseMinor !== 0);
    case 'balance':
      return !spec.series.some((s) => s.points.length > 0);
    case 'members':
      return !spec.rows.some((r) => r.minor !== 0);
  }
}

/** The sentence shown on an empty chart, phrased for what the chart would have shown. */
export function emptyMessage(kind: ChartKind, lang: Language = 'en'): string {
  switch (kind) {
    case 'pie':
    case 'members':
      return t(lang, 'chart.empty_expenses');
    case 'bars':
      return t(lang, 'chart.empty_flows');
    case 'balance':
      return t(lang, 'chart.empty_balance');
  }
}
