/**
 * Which way imports may point, checked by `npm test` (test/dependencies.test.ts) and
 * `npx depcruise -c .dependency-cruiser.cjs .`. Type-only imports count too.
 */
const PLATFORM = '^node_modules/(grammy|@grammyjs|discord[.]js|@discordjs|hono|@hono|bullmq|@bull-board|ioredis|drizzle-orm|postgres|@electric-sql|pino|prom-client|chart[.]js|chartjs-node-canvas|@napi-rs)/';
const TESTS = '([.]test[.]ts|[.]bench[.]ts)$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Modules form no import cycle (type imports included).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment: 'The domain imports nothing outside domain/: no app folder, no platform, database or queue library.',
      severity: 'error',
      from: { path: '^domain/', pathNot: TESTS },
      to: { pathNot: ['^domain/', '^node_modules/', '^(node:)?[a-z_]+$'] },
    },
    {
      name: 'domain-no-platform',
      severity: 'error',
      from: { path: '^domain/' },
      to: { path: PLATFORM },
    },
    {
      name: 'adapters-do-not-import-each-other',
      comment: 'Each adapter (telegram, discord, console, http, …) stands alone; shared code lives in bot/ or workers/.',
      severity: 'error',
      from: { path: '^adapters/([^/]+)/', pathNot: TESTS },
      to: { path: '^adapters/', pathNot: '^adapters/$1/' },
    },
    {
      name: 'workers-do-not-import-commands',
      comment: 'Workers share texts through bot/presentation/, never through a command module.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: '^bot/commands/' },
    },
    {
      name: 'only-the-bot-imports-commands',
      comment: 'Commands are reached through the registry; nothing below the bot imports one.',
      severity: 'error',
      from: { path: '^(domain|drizzle|workers|adapters)/', pathNot: TESTS },
      to: { path: '^bot/commands/' },
    },
    {
      name: 'store-implements-domain-ports',
      comment: 'drizzle/ implements the domain ports and imports no bot, adapter or worker code.',
      severity: 'error',
      from: { path: '^drizzle/' },
      to: { path: '^(bot|adapters|workers)/' },
    },
    {
      name: 'production-does-not-import-tests',
      comment: 'Test helpers live in test/ and are imported by tests, benchmarks and the chaos suite only.',
      severity: 'error',
      from: { pathNot: ['^test/', '^bench/', '^chaos/', TESTS] },
      to: { path: ['^test/', TESTS] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(coverage|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'], exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    moduleSystems: ['es6'],
  },
};
