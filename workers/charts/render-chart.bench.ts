import type { ChartKind } from './chart-spec.js';
import { renderChart } from './render-chart.js';
import { SAMPLE_SPECS } from '../../test/chart-samples.js';

const RUNS = 10;

/**
 * Milliseconds to render each chart kind once the renderer is warm (Chart.js loaded, fonts
 * cached): median of {@link RUNS} sequential renders, so one GC pause does not skew it.
 */
export async function benchCharts(): Promise<{ kind: string; ms: number }[]> {
  const results: { kind: string; ms: number }[] = [];
  for (const kind of Object.keys(SAMPLE_SPECS) as ChartKind[]) {
    const spec = SAMPLE_SPECS[kind];
    await renderChart(spec); // warm-up: the first render per process loads Chart.js and fonts
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = process.hrtime.bigint();
      await renderChart(spec);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    const median = (times[RUNS / 2 - 1]! + times[RUNS / 2]!) / 2;
    results.push({ kind, ms: Math.round(median * 10) / 10 });
  }
  return results;
}
