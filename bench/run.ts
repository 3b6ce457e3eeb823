import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { registerPostgresMends } from '../drizzle/db.js';

// As in COIN's own processes, postgres.js loads mended (drizzle/postgres-mends.mjs); the
// benchmarks below import it themselves, so the mends are registered before any of them loads.
registerPostgresMends();

/**
 * `npm run bench`: prints every benchmark's figures. `npm run bench -- telegram stats` runs some.
 * Benchmarks need the local PostgreSQL (and Redis for the worker figures), like the tests.
 * Each benchmark runs in a process of its own, so one's leftovers (pools, timers, memory)
 * cannot disturb the next one's figures.
 */
const benches: Record<string, () => Promise<string[]>> = {
  telegram: async () => (await import('./telegram.bench.js')).benchTelegram(),
  replies: async () => (await import('./replies.bench.js')).benchReplies(),
  outage: async () => (await import('./outage.bench.js')).benchOutage(),
  stats: async () => (await import('./stats.bench.js')).benchStats(),
  api: async () => (await import('./api.bench.js')).benchApi(),
  templates: async () => (await import('./templates.bench.js')).benchTemplates(),
  web: async () => (await import('./web.bench.js')).benchWeb(),
  replicas: async () => (await import('./replicas.bench.js')).benchReplicas(),
  startup: async () => (await import('./startup.bench.js')).benchStartup(),
  charts: async () => (await import('./charts.bench.js')).benchCharts(),
  statements: async () => (await import('./statements.bench.js')).benchStatements(),
  'statement-import': async () => (await import('./statements.bench.js')).benchStatementImport(),
  embedded: async () => (await import('./embedded.bench.js')).benchEmbedded(),
  actual: async () => (await import('./actual.bench.js')).benchActual(),
  rules: async () => (await import('./rules.bench.js')).benchRules(),
  digests: async () => (await import('./digests.bench.js')).benchDigests(),
  receipts: async () => (await import('./receipts.bench.js')).benchReceipts(),
};

const args = process.argv.slice(2);
const only = args.indexOf('--only');
if (only >= 0) {
  const name = args[only + 1]!;
  try {
    for (const line of await benches[name]!()) process.stdout.write(line + '\n');
    process.exit(0);
  } catch (err) {
    process.stdout.write(`failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  }
}

const wanted = args.filter((a) => !a.startsWith('-'));
let failed = false;
for (const name of Object.keys(benches)) {
  if (wanted.length && !wanted.includes(name)) continue;
  process.stdout.write(`\n== ${name}\n`);
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--only', name], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
