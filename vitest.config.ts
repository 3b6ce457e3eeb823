import { defineConfig } from 'vitest/config';

/**
 * Three projects; `npm test` runs them all, `npm run test:unit` the quick loop.
 * - unit: no database, no Redis, no socket, no child process, no chart drawing (domain, parsers,
 *   texts); threads without isolation, so it must stay free of global state between files;
 * - e2e: real platform doubles (and the clients driven against them), Redis, child processes, whole-process wiring, PNG charts, Chromium,
 *   import rules;
 * - database: everything else (the registry, store and API against PostgreSQL and PGlite), in
 *   the same thread, without isolation too.
 */
const UNIT = [
  'domain/**/*.test.ts',
  'adapters/discord/{autocomplete,command-builder,options-to-args,render}.test.ts',
  'adapters/http/app.test.ts',
  'app/config.test.ts',
  'bot/{rate-limit,coalesce}.test.ts',
  'drizzle/postgres-mends.test.ts',
  'workers/charts/chart-{format,spec,text}.test.ts',
];
const E2E = [
  '**/*.e2e.test.ts',
  'test/contract/**/*.test.ts',
  'app/{main,main-wiring}.test.ts',
  'drizzle/data-dir-lock.test.ts',
  'workers/{bullmq-runner,charts-queue,dashboard}.test.ts',
  'workers/charts/{render-chart,fonts}.test.ts',
  'adapters/http/api/api-docs.test.ts',
  'test/dependencies.test.ts',
  'test/doubles/**/*.test.ts',
  'workers/{telegram,discord}-notifier.test.ts',
  // Receipts: OCR is CPU-heavy (tesseract.js), so these run with the end-to-end tests.
  'workers/receipts/*.test.ts',
];
const EXCLUDE = ['node_modules/**'];

const MENDS = './test/postgres-mends-setup.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    reporters: ['default', './test/summary-reporter.ts'],
    hookTimeout: 60_000,
    pool: 'forks',
    // Two forks on two cores for the end-to-end files (vitest's default leaves one core free), and
    // beside them ONE worker thread, not isolated, for the unit and database files: each file runs
    // after the other on one module graph instead of a fresh process importing drizzle,
    // postgres.js, PGlite... for each (on one machine: 435 s for the suite with every file in a
    // process of its own; 301-319 s with two such threads; 293 s with one, which also keeps the
    // CPU-heavy end-to-end files from sharing two cores with four workers). So a database test
    // file leaves nothing behind another could meet: it closes what it opens (pools, servers,
    // timers) and restores what it changes. The end-to-end files stay one process each: they
    // start servers, install signal handlers, register fonts — a chart rendered after another
    // file's was not byte-identical to one drawn in a fresh process when they shared one.
    poolOptions: { forks: { maxForks: 2, minForks: 1 }, threads: { maxThreads: 1, minThreads: 1, isolate: false } },
    projects: [
      // Pure code: a thread sharing one module graph starts in a fraction of a fork's time.
      { extends: true, test: { name: 'unit', include: UNIT, exclude: EXCLUDE, pool: 'threads', isolate: false } },
      // Both load postgres.js: its mends are registered first (test/postgres-mends-setup.ts).
      { extends: true, test: { name: 'database', include: ['**/*.test.ts'], exclude: [...EXCLUDE, ...UNIT, ...E2E], setupFiles: [MENDS], pool: 'threads' } },
      { extends: true, test: { name: 'e2e', include: E2E, exclude: EXCLUDE, setupFiles: [MENDS] } },
    ],
  },
});
