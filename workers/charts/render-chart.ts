import { PngFilter, type Canvas, type PngEncodeOptions } from '@napi-rs/canvas';
import type { Chart, ChartConfiguration, Plugin, Scale } from 'chart.js';
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import { assertMinor, formatMoney, minorDigits } from '../../domain/money/money.js';
import { compactMinor, compactScaled, percentText } from './chart-format.js';
import {
  backgroundPlugin,
  barLabelsPlugin,
  centerTextPlugin,
  emptyMessagePlugin,
  keyHeight,
  keyTablePlugin,
  sliceLabelsPlugin,
  type KeyRow,
} from './chart-plugins.js';
import type { ChartSpec } from '../../bot/presentation/chart-types.js';
import { TOP_N, emptyMessage, groupTop, isEmptySpec } from './chart-spec.js';
import { t } from '../../bot/i18n/index.js';
import type { Language } from '../../domain/types.js';
import { CHART_SIZE, FONT, FONT_FAMILY, GRID_COLOR, MARGIN, MUTED_TEXT_COLOR, TEXT_COLOR, cssFont } from './chart-theme.js';
import { fitText, textWidth, wrapText } from './chart-text.js';
import { registerChartFonts } from './fonts.js';
import { EXPENSE_COLOR, INCOME_COLOR, OTHER_COLOR, assignColors } from './palette.js';

export { CHART_SIZE } from './chart-theme.js';
export { labelColor } from './palette.js';

type Size = { readonly width: number; readonly height: number };

// A ChartJSNodeCanvas loads its own copy of Chart.js, which takes far longer than a render, so
// there is one per image size. chartjs-node-canvas draws on @napi-rs/canvas (Skia, prebuilt
// binaries inside npm) through the `canvas` alias in package.json's `overrides`; rendering is
// synchronous there, so calls never interleave.
const renderers = new Map<string, ChartJSNodeCanvas>();

/**
 * PNG settings: zlib level 3 without row filters. libpng's defaults (level 6, every row filter
 * tried per row) took 30–40 ms of CPU per 1080² chart, three quarters of the render; charts are
 * large flat colour areas, which deflate's fast levels pack nearly as well unfiltered: 5–8 ms,
 * files 0.9–1.5× the default size (Telegram recompresses photos anyway). Figures and reasons in
 * bench/README.md. Fixed settings, so a spec still always gives the same bytes.
 */
export const PNG_OPTIONS = { compressionLevel: 3, filters: PngFilter.None } as const;

/**
 * chartjs-node-canvas encodes with default settings only (`renderToBufferSync` passes no
 * options), so the chart is drawn through its `renderChart` (TypeScript-private, the step every
 * public render method starts with) and the canvas is encoded here.
 */
interface ChartDrawer {
  renderChart(config: ChartConfiguration): Chart;
}

/** Chart.js defaults every COIN chart is drawn with (font, size, colour, one device pixel per pixel). */
export function applyChartDefaults(chartJs: typeof import('chart.js').Chart): void {
  chartJs.defaults.font.family = FONT_FAMILY;
  chartJs.defaults.font.size = FONT.tick;
  chartJs.defaults.color = TEXT_COLOR;
  chartJs.defaults.devicePixelRatio = 1;
}

function rendererFor(size: Size): ChartJSNodeCanvas {
  const key = `${size.width}x${size.height}`;
  let renderer = renderers.get(key);
  if (!renderer) {
    registerChartFonts();
    renderer = new ChartJSNodeCanvas({
      width: size.width,
      height: size.height,
      chartCallback: applyChartDefaults,
    });
    renderers.set(key, renderer);
  }
  return renderer;
}

/**
 * Renders a chart as a CHART_SIZE PNG on a white background, with title, subtitle and every
 * amount painted on the image (a PNG has no tooltips). Empty data gives a "No expenses in this
 * period"-style image rather than an error. Throws `currency_unknown` for an unknown currency
 * and a plain Error for non-integer amounts (a caller bug). `png` other than the shipped
 * {@link PNG_OPTIONS} is for benchmarks.
 */
export async function renderChart(spec: ChartSpec, png: PngEncodeOptions = PNG_OPTIONS): Promise<Buffer> {
  const config = buildConfig(spec, CHART_SIZE);
  // Drawing is synchronous (Chart.js on Skia, ~5–8 ms); encoding runs on libuv's thread pool
  // (`encode`), so the event loop is free while the PNG is compressed. Every call draws on a
  // canvas of its own, so concurrent renders cannot disturb each other.
  const chart = (rendererFor(CHART_SIZE) as unknown as ChartDrawer).renderChart(config);
  try {
    return await (chart.canvas as unknown as Canvas).encode('png', png);
  } finally {
    chart.destroy();
  }
}

/** The Chart.js configuration for `spec`; exported for tests and for other sizes later. */
export function buildConfig(spec: ChartSpec, size: Size): ChartConfiguration {
  minorDigits(spec.currency); // fail fast on an unknown currency, before any drawing
  if (isEmptySpec(spec)) return emptyConfig(spec, size);
  switch (spec.kind) {
    case 'pie':
      return pieConfig(spec, size) as unknown as ChartConfiguration;
    case 'bars':
      return barsConfig(spec, size) as unknown as ChartConfiguration;
    case 'balance':
      return balanceConfig(spec, size) as unknown as ChartConfiguration;
    case 'members':
      return membersConfig(spec, size) as unknown as ChartConfiguration;
  }
}

/** Title, subtitle and page margins shared by every kind. */
function frame(spec: ChartSpec, size: Size, opts: { bottom?: number; gapBelowSubtitle?: number } = {}) {
  // Shrink a long title towards the 40px floor before wrapping it: one line reads faster.
  const maxWidth = size.width - 2 * MARGIN;
  let titleSize: number = FONT.title;
  while (titleSize > FONT.minTitle && textWidth(spec.title, cssFont(titleSize, true)) > maxWidth) titleSize -= 1;
  return {
    layout: { padding: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + (opts.bottom ?? 0) } },
    plugins: {
      title: {
        display: true,
        text: wrapText(spec.title, cssFont(titleSize, true), maxWidth, 2),
        font: { size: titleSize, weight: 'bold' as const },
        color: TEXT_COLOR,
        padding: { top: 0, bottom: 10 },
      },
      subtitle: {
        display: true,
        text: fitText(spec.subtitle, cssFont(FONT.subtitle), maxWidth),
        font: { size: FONT.subtitle },
        color: MUTED_TEXT_COLOR,
        padding: { top: 0, bottom: opts.gapBelowSubtitle ?? 28 },
      },
      legend: { display: false },
      tooltip: { enabled: false },
    },
    // No pointer ever reaches a PNG; skipping event wiring saves work per render.
    events: [] as [],
  };
}

function emptyConfig(spec: ChartSpec, size: Size): ChartConfiguration {
  const base = frame(spec, size);
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: { ...base, scales: { x: { display: false }, y: { display: false } } },
    plugins: [backgroundPlugin<'bar'>(), emptyMessagePlugin<'bar'>(emptyMessage(spec.kind, spec.lang ?? 'en'))],
  };
  return config as unknown as ChartConfiguration;
}

/** Colours for grouped entries: stable per label, grey for the "other" group. */
/** The "other" entry named in the chart's language. */
const named = <T extends { label: string; other: boolean }>(items: T[], lang: Language): T[] =>
  items.map((i) => (i.other ? { ...i, label: t(lang, 'chart.other') } : i));

function colorsFor(items: readonly { label: string; other: boolean }[], fixed?: Record<string, string>): string[] {
  const named = assignColors(items.filter((i) => !i.other).map((i) => i.label));
  let next = 0;
  return items.map((i) => (i.other ? OTHER_COLOR : (fixed?.[i.label.trim().toLowerCase()] ?? named[next++]!)));
}

function pieConfig(spec: Extract<ChartSpec, { kind: 'pie' }>, size: Size): ChartConfiguration<'doughnut'> {
  const lang = spec.lang ?? 'en';
  const items = named(groupTop(spec.slices.filter((s) => assertMinor(s.minor) > 0)), lang);
  const total = spec.totalMinor ?? items.reduce((sum, i) => assertMinor(sum + i.minor), 0);
  const colors = colorsFor(items, spec.colors);
  const percents = items.map((i) => percentText(i.minor, total));
  const rows: KeyRow[] = items.map((item, i) => ({
    color: colors[i]!,
    label: item.label,
    value: formatMoney(item.minor, spec.currency, { lang }),
    extra: percents[i]!,
  }));
  return {
    type: 'doughnut',
    data: {
      labels: items.map((i) => i.label),
      datasets: [{ data: items.map((i) => i.minor), backgroundColor: colors, borderColor: '#FFFFFF', borderWidth: 3 }],
    },
    options: { ...frame(spec, size, { bottom: keyHeight(rows), gapBelowSubtitle: 16 }), cutout: '52%' },
    plugins: [
      backgroundPlugin<'doughnut'>(),
      sliceLabelsPlugin(percents, colors),
      centerTextPlugin(t(lang, 'chart.total'), formatMoney(total, spec.currency, { lang })),
      keyTablePlugin<'doughnut'>(rows),
    ],
  };
}

/** y axis in minor units with integer ticks shown as compact major units. */
function amountAxis(format: (value: number) => string) {
  return {
    grid: { color: GRID_COLOR },
    border: { display: false },
    ticks: { precision: 0, font: { size: FONT.tick }, callback: (value: number | string) => format(Number(value)) },
  };
}

const categoryAxis = { grid: { display: false }, ticks: { font: { size: FONT.tick } } };

// Chart.js's default bar geometry, spelled out because label placement depends on it.
const CATEGORY_PERCENTAGE = 0.8;
const BAR_PERCENTAGE = 0.92;

function barsConfig(spec: Extract<ChartSpec, { kind: 'bars' }>, size: Size): ChartConfiguration<'bar'> {
  const { currency, months } = spec;
  const lang = spec.lang ?? 'en';
  const income = months.map((m) => assertMinor(m.incomeMinor));
  const expense = months.map((m) => assertMinor(m.expenseMinor));
  const label = (v: number): string => (v === 0 ? '' : formatMoney(v, currency, { code: false, lang }));
  const texts = [income.map(label), expense.map(label)];

  // Label layout must be known before Chart.js lays out, to reserve room above the bars, so the
  // bar width is estimated from the plot width (canvas minus margins and the y-axis ticks).
  const longest = Math.max(...texts.flat().map((t) => textWidth(t, cssFont(FONT.dataLabel))));
  const slot = ((size.width - 2 * MARGIN - 110) / Math.max(months.length, 1)) * (CATEGORY_PERCENTAGE / 2);
  const rotate = longest > slot - 8;
  // Rotated text is one line high across the bar (digits are ~0.75em tall, so it may exceed the
  // bar a little). Bars too narrow for FONT.minLabel get no values: the axis and the key still
  // carry the numbers, and smaller text is unreadable on a phone anyway (many months).
  const fontSize = rotate ? Math.min(FONT.dataLabel, Math.floor(slot * BAR_PERCENTAGE) + 4) : FONT.dataLabel;
  const showLabels = fontSize >= FONT.minLabel;
  const room = showLabels ? (rotate ? (longest * fontSize) / FONT.dataLabel + 16 : fontSize + 14) : 0;

  const sum = (values: number[]): number => values.reduce((a, b) => assertMinor(a + b), 0);
  const totalIncome = sum(income);
  const totalExpense = sum(expense);
  const rows: KeyRow[] = [
    { color: INCOME_COLOR, label: t(lang, 'stats.income'), value: formatMoney(totalIncome, currency, { lang }) },
    { color: EXPENSE_COLOR, label: t(lang, 'stats.expenses'), value: formatMoney(totalExpense, currency, { lang }) },
    { label: t(lang, 'stats.net'), value: formatMoney(assertMinor(totalIncome - totalExpense), currency, { sign: true, lang }), bold: true },
  ];
  const plugins: Plugin<'bar'>[] = [backgroundPlugin<'bar'>(), keyTablePlugin<'bar'>(rows)];
  if (showLabels) plugins.push(barLabelsPlugin({ texts, fontSize, rotate }));
  return {
    type: 'bar',
    data: {
      labels: months.map((m) => m.label),
      datasets: [
        { label: t(lang, 'stats.income'), data: income, backgroundColor: INCOME_COLOR },
        { label: t(lang, 'stats.expenses'), data: expense, backgroundColor: EXPENSE_COLOR },
      ],
    },
    options: {
      ...frame(spec, size, { bottom: keyHeight(rows), gapBelowSubtitle: 12 + room }),
      datasets: { bar: { categoryPercentage: CATEGORY_PERCENTAGE, barPercentage: BAR_PERCENTAGE } },
      scales: {
        x: categoryAxis,
        y: { ...amountAxis((v) => compactMinor(v, currency)), beginAtZero: true },
      },
    },
    plugins,
  };
}

const POINT_STYLES = ['circle', 'rect', 'triangle', 'rectRot', 'crossRot', 'star', 'rectRounded', 'cross', 'line'] as const;

function balanceConfig(spec: Extract<ChartSpec, { kind: 'balance' }>, size: Size): ChartConfiguration<'line'> {
  const lang = spec.lang ?? 'en';
  const series = groupSeries(spec.series.filter((s) => s.points.length > 0), t(lang, 'chart.other'));
  // Plot every series in the finest minor unit among them, so values stay integers and a JPY
  // account and a EUR account share one honest axis.
  const digits = Math.max(...series.map((s) => minorDigits(s.currency)));
  // x labels: every point label, in order of first appearance (accounts may start late).
  const labels = [...new Set(series.flatMap((s) => s.points.map((p) => p.label)))];
  const named = assignColors(series.filter((s) => !s.other).map((s) => s.account));
  let next = 0;
  const colors = series.map((s) => (s.other ? OTHER_COLOR : named[next++]!));
  const rows: KeyRow[] = series.map((s, i) => ({
    color: colors[i]!,
    label: s.account,
    value: formatMoney(s.points[s.points.length - 1]!.minor, s.currency, { lang }),
  }));
  return {
    type: 'line',
    data: {
      labels,
      datasets: series.map((s, i) => {
        const scale = 10 ** (digits - minorDigits(s.currency));
        const byLabel = new Map(s.points.map((p) => [p.label, assertMinor(p.minor) * scale]));
        return {
          label: s.account,
          data: labels.map((l) => byLabel.get(l) ?? null),
          borderColor: colors[i]!,
          backgroundColor: colors[i]!,
          borderWidth: 5,
          pointRadius: labels.length > 40 ? 0 : 7,
          pointStyle: POINT_STYLES[i % POINT_STYLES.length],
          spanGaps: true,
          tension: 0,
        };
      }),
    },
    options: {
      ...frame(spec, size, { bottom: keyHeight(rows) }),
      scales: {
        // offset: half a slot of air at both ends, so the first and last labels are not clipped.
        x: { ...categoryAxis, offset: true, ticks: { ...categoryAxis.ticks, maxTicksLimit: 12 } },
        y: amountAxis((v) => compactScaled(v, digits)),
      },
    },
    plugins: [backgroundPlugin<'line'>(), keyTablePlugin<'line'>(rows)],
  };
}

type Series = Extract<ChartSpec, { kind: 'balance' }>['series'][number];

/**
 * Top {@link TOP_N} accounts by size of their last balance; the rest are summed point by point
 * into "other" — one per currency, since balances in different currencies cannot be added.
 */
function groupSeries(all: readonly Series[], other: string): (Series & { other: boolean })[] {
  const last = (s: Series): number => Math.abs(s.points[s.points.length - 1]!.minor);
  const sorted = [...all].sort((a, b) => last(b) - last(a));
  const kept = sorted.slice(0, TOP_N).map((s) => ({ ...s, other: false }));
  const rest = sorted.slice(TOP_N);
  const currencies = [...new Set(rest.map((s) => s.currency))].sort();
  for (const currency of currencies) {
    const sums = new Map<string, number>();
    for (const s of rest.filter((r) => r.currency === currency)) {
      for (const p of s.points) sums.set(p.label, assertMinor((sums.get(p.label) ?? 0) + assertMinor(p.minor)));
    }
    kept.push({
      account: currencies.length > 1 ? `${other} (${currency})` : other,
      currency,
      points: [...sums].map(([label, minor]) => ({ label, minor })),
      other: true,
    });
  }
  return kept;
}

function membersConfig(spec: Extract<ChartSpec, { kind: 'members' }>, size: Size): ChartConfiguration<'bar'> {
  const lang = spec.lang ?? 'en';
  const items = named(groupTop(spec.rows.map((r) => ({ label: r.member, minor: r.minor }))), lang);
  const colors = colorsFor(items);
  const texts = items.map((i) => formatMoney(i.minor, spec.currency, { lang }));
  const nameFont = cssFont(FONT.legend);
  const names = items.map((i) => fitText(i.label, nameFont, 300));
  // Room for the amount after the longest bar comes from stretching the axis, once its pixel
  // width is known (padding instead would push the centred title off-centre).
  const labelRoom = Math.max(...texts.map((t) => textWidth(t, cssFont(FONT.dataLabel)))) + 24;
  const largest = Math.max(0, ...items.map((i) => i.minor));
  return {
    type: 'bar',
    data: {
      labels: names,
      datasets: [{ data: items.map((i) => i.minor), backgroundColor: colors, maxBarThickness: 100 }],
    },
    options: {
      ...frame(spec, size),
      indexAxis: 'y',
      scales: {
        x: { ...amountAxis((v) => compactMinor(v, spec.currency)), beginAtZero: true,
          afterDataLimits: (scale: Scale) => {
            if (scale.width > 2 * labelRoom) {
              scale.max = Math.max(scale.max, (largest * scale.width) / (scale.width - labelRoom));
            }
          },
        },
        y: { grid: { display: false }, border: { display: false }, ticks: { font: { size: FONT.legend } } },
      },
    },
    plugins: [backgroundPlugin<'bar'>(), barLabelsPlugin({ texts: [texts], fontSize: FONT.dataLabel, rotate: false })],
  };
}
