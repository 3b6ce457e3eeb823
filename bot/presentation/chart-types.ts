import type { Language } from '../../domain/types.js';

/**
 * What a chart shows; amounts are integer minor units of `currency` (per series for balance).
 * `lang` (default English) is the language of the few words the chart draws itself and of its
 * amounts.
 */
export type ChartSpec = { lang?: Language } & (
  /** Expenses by label (doughnut). */
  | { kind: 'pie'; title: string; subtitle: string; currency: string; slices: { label: string; minor: number }[] }
  /** Income vs expenses per month (grouped bars). */
  | {
      kind: 'bars';
      title: string;
      subtitle: string;
      currency: string;
      months: { label: string; incomeMinor: number; expenseMinor: number }[];
    }
  /** Balance over time per account (lines). */
  | {
      kind: 'balance';
      title: string;
      subtitle: string;
      currency: string;
      series: { account: string; currency: string; points: { label: string; minor: number }[] }[];
    }
  /** Spending per member (horizontal bars). */
  | { kind: 'members'; title: string; subtitle: string; currency: string; rows: { member: string; minor: number }[] }
);

export type ChartKind = ChartSpec['kind'];

/** Renders a chart spec to PNG; in-process or through the `charts` queue. */
export type ChartRenderer = (spec: ChartSpec) => Promise<Buffer | undefined>;
