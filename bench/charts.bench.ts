import type { ChartConfiguration } from 'chart.js';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { ChartKind, ChartSpec } from '../bot/presentation/chart-types.js';
import { CHART_SIZE } from '../workers/charts/chart-theme.js';
import { applyChartDefaults, buildConfig, renderChart } from '../workers/charts/render-chart.js';
import { SAMPLE_SPECS } from '../test/chart-samples.js';
import { percentile } from './stats-util.js';

const RUNS = Number(process.env.BENCH_CHART_RUNS ?? 40);
const WARM_UP = 3;

type Render = (spec: ChartSpec) => Buffer | Promise<Buffer>;

interface Figures {
  /** Wall-clock milliseconds per render. */
  p50: number;
  p99: number;
  /** Median CPU milliseconds per render, all threads of the process (what a render costs). */
  cpu50: number;
  bytes: number;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Renders `spec` RUNS times after a warm-up (Chart.js loaded, fonts cached); spec to PNG bytes. */
async function measure(render: Render, spec: ChartSpec): Promise<Figures> {
  let bytes = 0;
  for (let i = 0; i < WARM_UP; i++) bytes = (await render(spec)).length;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cpuStart = cpuMs();
    const start = process.hrtime.bigint();
    await render(spec);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu.push(cpuMs() - cpuStart);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), cpu50: percentile(cpu, 50), bytes };
}

/**
 * The renderer before issue 11: chartjs-node-canvas on node-canvas 3 (cairo + pango, fonts from
 * fontconfig), encoding through node-canvas's asynchronous `toBuffer` with libpng's defaults.
 * It is loaded from a folder outside the repository (`BENCH_CANVAS_BEFORE`), where it was built
 * against the system's cairo (see bench/README.md); the chart configuration is COIN's own.
 */
function beforeRenderer(dir: string): Render {
  const require = createRequire(path.join(path.resolve(dir), 'package.json'));
  let ChartJSNodeCanvas: typeof import('chartjs-node-canvas').ChartJSNodeCanvas;
  try {
    ({ ChartJSNodeCanvas } = require('chartjs-node-canvas') as typeof import('chartjs-node-canvas'));
    require('canvas');
  } catch (err) {
    throw new Error(`BENCH_CANVAS_BEFORE=${dir} holds no working canvas@3 + chartjs-node-canvas (see bench/README.md): ${String(err)}`);
  }
  const renderer = new ChartJSNodeCanvas({
    width: CHART_SIZE.width,
    height: CHART_SIZE.height,
    chartCallback: applyChartDefaults,
  });
  return (spec) => renderer.renderToBuffer(buildConfig(spec, CHART_SIZE) as ChartConfiguration, 'image/png');
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
const figures = (f: Figures): string =>
  `p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms (CPU p50 ${f.cpu50.toFixed(1)} ms), ${kb(f.bytes)}`;

/**
 * `npm run bench -- charts`: time from a chart spec to PNG bytes per chart kind at 1080×1080
 * (wall-clock p50/p99 of RUNS sequential renders in one process, and the median CPU time, which
 * a busy machine does not inflate) and the PNG size. Beside the shipped
 * settings it measures the same renderer with libpng's default encoding, so the share of
 * encoding shows. With `BENCH_CANVAS_BEFORE=/tmp/canvas-before` it also measures the old
 * node-canvas renderer in the same run and prints the ratio. Target (issue 19): ≤ 40 ms each;
 * judged on wall time when the machine is idle (load average below its cores), else on CPU time.
 */
export async function benchCharts(): Promise<string[]> {
  const beforeDir = process.env.BENCH_CANVAS_BEFORE;
  const before = beforeDir ? beforeRenderer(beforeDir) : undefined;
  const load = os.loadavg()[0]!;
  const cores = os.availableParallelism();
  const idle = load < cores;
  const lines = [`load average ${load.toFixed(2)} on ${cores} cores: target judged on ${idle ? 'wall' : 'CPU'} p50`];
  for (const kind of Object.keys(SAMPLE_SPECS) as ChartKind[]) {
    const spec = SAMPLE_SPECS[kind];
    const after = await measure((s) => renderChart(s), spec);
    const defaultZlib = await measure((s) => renderChart(s, {}), spec);
    const judged = idle ? after.p50 : after.cpu50;
    lines.push(`chart ${kind}: ${figures(after)} (target ≤ 40 ms: ${judged <= 40 ? 'met' : 'MISSED'})`);
    lines.push(`  same renderer, libpng default encoding: ${figures(defaultZlib)}`);
    if (before) {
      const old = await measure(before, spec);
      lines.push(
        `  before (node-canvas 3, ${beforeDir}): ${figures(old)}; now ×${(old.p50 / after.p50).toFixed(1)} faster (p50), ×${(old.cpu50 / after.cpu50).toFixed(1)} less CPU`,
      );
    }
  }
  return lines;
}
