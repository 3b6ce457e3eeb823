/**
 * `npm run bench`: prints every benchmark's figures. `npm run bench -- telegram stats` runs some.
 * Benchmarks need the local PostgreSQL (and Redis for the worker figures), like the tests.
 */
const benches: Record<string, () => Promise<string[]>> = {
  telegram: async () => (await import('./telegram.bench.js')).benchTelegram(),
  stats: async () => (await import('./stats.bench.js')).benchStats(),
  api: async () => (await import('./api.bench.js')).benchApi(),
  templates: async () => (await import('./templates.bench.js')).benchTemplates(),
  charts: async () =>
    (await (await import('../workers/charts/render-chart.bench.js')).benchCharts()).map((r) => `chart ${r.kind}: ${r.ms.toFixed(1)} ms (warm, median of 10)`),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const [name, run] of Object.entries(benches)) {
  if (wanted.length && !wanted.includes(name)) continue;
  process.stdout.write(`\n== ${name}\n`);
  try {
    for (const line of await run()) process.stdout.write(line + '\n');
  } catch (err) {
    process.stdout.write(`failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  }
}
process.exit(process.exitCode ?? 0);
