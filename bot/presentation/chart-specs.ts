import { DateTime } from 'luxon';
import type { ChartData } from '../../domain/statistics/charts.js';
import type { Language } from '../../domain/types.js';
import type { ChartSpec } from './chart-types.js';
import { t } from '../i18n/index.js';
import type { Services } from '../services.js';
import { amountText } from './stats-format.js';
import { periodText } from '../format.js';

/** Axis text of a bucket: `Nov` (or `Nov 25` across years), `24 Nov`, `Mon 23` in a week. */
function bucketLabel(key: string, data: Extract<ChartData, { bucket: unknown }>, lang: Language): string {
  const locale = lang === 'ru' ? 'ru' : 'en';
  if (data.bucket === 'month') {
    const d = DateTime.fromFormat(key, 'yyyy-LL', { locale });
    const years = new Set(keysOf(data).map((k) => k.slice(0, 4)));
    return d.toFormat(years.size > 1 ? 'LLL yy' : 'LLL');
  }
  const d = DateTime.fromISO(key, { locale });
  return keysOf(data).length <= 7 ? d.toFormat('ccc d') : d.toFormat('d LLL');
}

const keysOf = (data: Extract<ChartData, { bucket: unknown }>): string[] =>
  data.kind === 'bars' ? data.buckets.map((b) => b.key) : (data.series[0]?.points.map((p) => p.key) ?? []);

/** Title of a chart with the book's name. */
export const chartTitle = (data: ChartData, book: string, lang: Language): string => t(lang, `chart.title.${data.kind}`, { book });

/** The Chart.js spec of chart data, titled with book, period and currency. */
export function chartSpec(data: ChartData, book: string, lang: Language): ChartSpec {
  const title = chartTitle(data, book, lang);
  const converted = 'converted' in data && data.converted.length > 0;
  const subtitle = t(lang, converted ? 'chart.subtitle_converted' : 'chart.subtitle', {
    period: periodText(data.period, lang),
    currency: data.currency,
    converted: 'converted' in data ? data.converted : [],
  });
  const base = { title, subtitle, currency: data.currency, lang };
  switch (data.kind) {
    case 'pie':
      return { kind: 'pie', ...base, slices: data.slices.map((s) => ({ label: s.label ?? t(lang, 'stats.no_label'), minor: s.minor })) };
    case 'members':
      return { kind: 'members', ...base, rows: data.rows.map((r) => ({ member: r.name ?? t(lang, 'stats.unknown_member'), minor: r.minor })) };
    case 'bars':
      return {
        kind: 'bars',
        ...base,
        months: data.buckets.map((b) => ({ label: bucketLabel(b.key, data, lang), incomeMinor: b.incomeMinor, expenseMinor: b.expenseMinor })),
      };
    case 'balance':
      return {
        kind: 'balance',
        ...base,
        series: data.series.map((s) => ({
          account: s.account,
          currency: s.currency,
          points: s.points.map((p) => ({ label: bucketLabel(p.key, data, lang), minor: p.minor })),
        })),
      };
  }
}

/**
 * Renders through the configured renderer (in-process or the charts queue). Undefined when
 * there is none, it timed out or failed: the caller then answers with text only.
 */
export async function drawChart(services: Services, spec: ChartSpec): Promise<Buffer | undefined> {
  if (!services.renderChart) return undefined;
  try {
    return await services.renderChart(spec);
  } catch (err) {
    services.logger.warn({ err: String(err), kind: spec.kind }, 'chart rendering failed; answering with text');
    return undefined;
  }
}

/** The numbers of a chart as monospace rows, for the text-only fallback. */
export function chartRows(spec: ChartSpec): string[][] {
  const lang = spec.lang ?? 'en';
  switch (spec.kind) {
    case 'pie':
      return spec.slices.map((s) => [s.label, amountText(s.minor, spec.currency, lang)]);
    case 'members':
      return spec.rows.map((r) => [r.member, amountText(r.minor, spec.currency, lang)]);
    case 'bars':
      return spec.months.map((m) => [m.label, `+${amountText(m.incomeMinor, spec.currency, lang)}`, `−${amountText(m.expenseMinor, spec.currency, lang)}`]);
    case 'balance':
      return spec.series.map((s) => {
        const last = s.points[s.points.length - 1];
        return [s.account, last ? `${amountText(last.minor, s.currency, lang)} ${s.currency}` : ''];
      });
  }
}
