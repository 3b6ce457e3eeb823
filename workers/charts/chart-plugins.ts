import type { ArcElement, BarElement, Chart, ChartType, Plugin } from 'chart.js';
import { BACKGROUND, FONT, MARGIN, MUTED_TEXT_COLOR, TEXT_COLOR, cssFont } from './chart-theme.js';
import { fitText, textWidth } from './chart-text.js';
import { textColorOn } from './palette.js';

// Small inline plugins instead of chartjs-plugin-datalabels & co: a PNG has no tooltips, so
// everything a reader needs must be painted, and these few dozen lines are all we need.

/** Paints the whole canvas white first; node-canvas PNGs are transparent otherwise. */
export function backgroundPlugin<T extends ChartType>(): Plugin<T> {
  return {
    id: 'coinBackground',
    beforeDraw(chart) {
      const { ctx, width, height } = chart;
      ctx.save();
      ctx.fillStyle = BACKGROUND;
      ctx.fillRect(0, 0, width, height);
      ctx.restore();
    },
  };
}

/** A centred sentence in the plot area, for charts with no data. */
export function emptyMessagePlugin<T extends ChartType>(message: string): Plugin<T> {
  return {
    id: 'coinEmptyMessage',
    afterDraw(chart) {
      const { ctx, chartArea } = chart;
      const font = cssFont(FONT.empty);
      ctx.save();
      ctx.font = font;
      ctx.fillStyle = MUTED_TEXT_COLOR;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      const x = (chartArea.left + chartArea.right) / 2;
      ctx.fillText(fitText(message, font, chart.width - 2 * MARGIN), x, (chartArea.top + chartArea.bottom) / 2);
      ctx.restore();
    },
  };
}

/** One line of the key printed under a chart: swatch, label, amount, optional percent. */
export interface KeyRow {
  /** Swatch colour; omitted for summary rows such as "Net". */
  color?: string;
  label: string;
  value: string;
  extra?: string;
  bold?: boolean;
}

const KEY_ROW_HEIGHT = 46;
const KEY_GAP = 24;
const KEY_MAX_WIDTH = 860;

/** Pixels the key needs under the plot (reserved through `layout.padding.bottom`). */
export const keyHeight = (rows: readonly KeyRow[]): number => (rows.length ? KEY_GAP + rows.length * KEY_ROW_HEIGHT : 0);

/**
 * A receipt-like key under the plot: amounts right-aligned in one column so they compare at a
 * glance, which Chart.js's flowing legend cannot do. Drawn into the bottom layout padding.
 */
export function keyTablePlugin<T extends ChartType>(rows: readonly KeyRow[]): Plugin<T> {
  return {
    id: 'coinKeyTable',
    afterDraw(chart) {
      if (!rows.length) return;
      const { ctx } = chart;
      const width = Math.min(KEY_MAX_WIDTH, chart.width - 2 * MARGIN);
      const left = (chart.width - width) / 2;
      const right = left + width;
      const extraWidth = Math.max(0, ...rows.map((r) => (r.extra ? textWidth(r.extra, cssFont(FONT.legend)) : 0)));
      const extraGap = extraWidth ? 20 : 0;
      const valueRight = right - extraWidth - extraGap;
      let y = chart.height - MARGIN - rows.length * KEY_ROW_HEIGHT + KEY_ROW_HEIGHT / 2;
      const swatch = FONT.legend;
      ctx.save();
      ctx.textBaseline = 'middle';
      for (const row of rows) {
        const font = cssFont(FONT.legend, row.bold);
        ctx.font = font;
        if (row.color) {
          ctx.fillStyle = row.color;
          ctx.fillRect(left, y - swatch / 2, swatch, swatch);
        }
        const valueWidth = textWidth(row.value, font);
        const labelLeft = left + swatch + 14;
        ctx.fillStyle = TEXT_COLOR;
        ctx.textAlign = 'left';
        ctx.fillText(fitText(row.label, font, valueRight - valueWidth - 24 - labelLeft), labelLeft, y);
        ctx.textAlign = 'right';
        ctx.fillText(row.value, valueRight, y);
        if (row.extra) {
          ctx.fillStyle = MUTED_TEXT_COLOR;
          ctx.fillText(row.extra, right, y);
        }
        y += KEY_ROW_HEIGHT;
      }
      ctx.restore();
    },
  };
}

/** Percent written on each doughnut slice that is wide enough to hold it. */
export function sliceLabelsPlugin(texts: readonly string[], colors: readonly string[]): Plugin<'doughnut'> {
  return {
    id: 'coinSliceLabels',
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      const font = cssFont(FONT.dataLabel, true);
      ctx.save();
      ctx.font = font;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      chart.getDatasetMeta(0).data.forEach((element, i) => {
        const arc = element as unknown as ArcElement;
        const { startAngle, endAngle, innerRadius, outerRadius } = arc.getProps(
          ['startAngle', 'endAngle', 'innerRadius', 'outerRadius'],
          true,
        );
        const text = texts[i];
        if (!text) return;
        // The text must fit across the ring and along the arc at the ring's middle.
        const mid = (innerRadius + outerRadius) / 2;
        const w = textWidth(text, font);
        if (outerRadius - innerRadius < w + 8 || (endAngle - startAngle) * mid < w + 10) return;
        const { x, y } = arc.tooltipPosition(true);
        if (x === null || y === null) return;
        ctx.fillStyle = textColorOn(colors[i] ?? '#000000');
        ctx.fillText(text, x, y);
      });
      ctx.restore();
    },
  };
}

/** Two lines in the doughnut hole ("Total" / "1,234.50 EUR"), shrunk until they fit. */
export function centerTextPlugin(caption: string, value: string): Plugin<'doughnut'> {
  return {
    id: 'coinCenterText',
    afterDatasetsDraw(chart) {
      const arc = chart.getDatasetMeta(0).data[0] as unknown as ArcElement | undefined;
      if (!arc) return;
      const { x, y, innerRadius } = arc.getProps(['x', 'y', 'innerRadius'], true);
      if (x === null || y === null) return;
      const maxWidth = innerRadius * 1.7;
      let size: number = FONT.center;
      while (size > 18 && textWidth(value, cssFont(size, true)) > maxWidth) size -= 1;
      const { ctx } = chart;
      ctx.save();
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = MUTED_TEXT_COLOR;
      ctx.font = cssFont(FONT.dataLabel);
      ctx.fillText(caption, x, y - size * 0.75);
      ctx.fillStyle = TEXT_COLOR;
      ctx.font = cssFont(size, true);
      ctx.fillText(fitText(value, cssFont(size, true), maxWidth), x, y + size * 0.55);
      ctx.restore();
    },
  };
}

/** How bar value labels are painted; decided before layout so room can be reserved for them. */
export interface BarLabelOptions {
  /** Per dataset, per bar; empty string = no label. */
  texts: readonly (readonly string[])[];
  fontSize: number;
  /** Vertical bars only: write the value upwards (for narrow bars). */
  rotate: boolean;
}

/**
 * Values painted at the end of every bar. Vertical bars get the text above (or, rotated, running
 * up from) the bar top; horizontal bars get it right after the bar end.
 */
export function barLabelsPlugin(options: BarLabelOptions): Plugin<'bar'> {
  return {
    id: 'coinBarLabels',
    afterDatasetsDraw(chart: Chart<'bar'>) {
      const { ctx } = chart;
      const horizontal = chart.options.indexAxis === 'y';
      const font = cssFont(options.fontSize);
      ctx.save();
      ctx.font = font;
      ctx.fillStyle = TEXT_COLOR;
      options.texts.forEach((texts, datasetIndex) => {
        const meta = chart.getDatasetMeta(datasetIndex);
        if (meta.hidden) return;
        meta.data.forEach((element, i) => {
          const text = texts[i];
          if (!text) return;
          const { x, y, base } = (element as unknown as BarElement).getProps(['x', 'y', 'base'], true);
          if (x === null || y === null) return;
          if (horizontal) {
            const negative = x < base;
            ctx.textAlign = negative ? 'right' : 'left';
            ctx.textBaseline = 'middle';
            ctx.fillText(text, x + (negative ? -10 : 10), y);
            return;
          }
          const negative = y > base;
          if (options.rotate) {
            ctx.save();
            ctx.translate(x, y + (negative ? 8 : -8));
            ctx.rotate(-Math.PI / 2);
            ctx.textAlign = negative ? 'right' : 'left';
            ctx.textBaseline = 'middle';
            ctx.fillText(text, 0, 0);
            ctx.restore();
          } else {
            ctx.textAlign = 'center';
            ctx.textBaseline = negative ? 'top' : 'bottom';
            ctx.fillText(text, x, y + (negative ? 6 : -6));
          }
        });
      });
      ctx.restore();
    },
  };
}
