// Statistics page: draws the chart described by the server (the same ChartSpec as the PNG
// charts, grouped and coloured by the same functions) and makes slices and bars links.
import { Chart, ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';
import type { WebChart } from '../chart-view.js';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip);

const compact = (v: number, digits: number): string =>
  new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(v / 10 ** digits);

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function draw(canvas: HTMLCanvasElement): void {
  const spec = JSON.parse(canvas.dataset.chart ?? '{}') as WebChart;
  const text = cssVar('--text', '#222');
  const grid = cssVar('--line', '#e3e3e3');
  Chart.defaults.color = text;
  const isPie = spec.type === 'doughnut';
  const amountAxis = {
    grid: { color: grid },
    ticks: { precision: 0, callback: (v: number | string) => compact(Number(v), spec.digits) },
  };
  const chart = new Chart(canvas, {
    type: spec.type,
    data: {
      labels: spec.labels,
      datasets: spec.datasets.map((d) => ({
        label: d.label,
        data: d.data,
        backgroundColor: d.colors.length === 1 ? d.colors[0] : d.colors,
        borderColor: isPie ? cssVar('--bg', '#fff') : d.colors.length === 1 ? d.colors[0] : d.colors,
        borderWidth: isPie ? 2 : spec.type === 'line' ? 3 : 0,
        pointRadius: spec.type === 'line' ? 2 : undefined,
      })),
    },
    options: {
      responsive: true,
      animation: matchMedia('(prefers-reduced-motion: reduce)').matches ? false : { duration: 250 },
      maintainAspectRatio: false,
      indexAxis: spec.horizontal ? 'y' : 'x',
      plugins: {
        legend: { display: isPie || spec.datasets.length > 1, position: 'bottom' },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label ? ctx.dataset.label + ': ' : ''}${spec.datasets[ctx.datasetIndex]?.text[ctx.dataIndex] ?? ''}` } },
      },
      scales: isPie ? {} : spec.horizontal ? { x: amountAxis, y: { grid: { display: false } } } : { x: { grid: { display: false } }, y: amountAxis },
      onHover: (ev, elements) => {
        const target = ev.native?.target as HTMLElement | undefined;
        if (target) target.style.cursor = elements.some((e) => spec.links[e.index]) ? 'pointer' : 'default';
      },
      onClick: (_ev, elements) => {
        const hit = elements[0];
        const link = hit ? spec.links[hit.index] : undefined;
        if (link) location.assign(link);
      },
    },
  });
  // Where each slice or bar sits (CSS pixels in the canvas): lets keyboard-less automation and
  // tests aim at one; people use the pointer or the table under the chart.
  const points = chart.getDatasetMeta(spec.datasets.length - 1).data.map((el) => {
    const p = el.tooltipPosition(true);
    return [Math.round(p.x ?? 0), Math.round(p.y ?? 0)];
  });
  canvas.setAttribute('data-points', JSON.stringify(points));
  canvas.setAttribute('data-ready', String(chart.id));
}

for (const canvas of document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')) draw(canvas);
