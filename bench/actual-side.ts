import { createRequire } from 'node:module';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { benchCsv, benchTransactions, ACTUAL_LABELS, type Matrix } from './actual-data.js';

/**
 * The Actual side of `bench/actual.bench.ts`, in a process of its own: `@actual-app/api` from the
 * scratch folder given as the first argument (never a dependency of COIN), a local budget under
 * it, the same transactions as COIN. Prints one JSON line: timings in ms and the matrix.
 * Actual's own log lines go to stderr.
 */
interface ActualApi {
  init(config: { dataDir: string }): Promise<{ q: (table: string) => ActualQuery }>;
  runImport(name: string, func: () => Promise<void>): Promise<void>;
  createAccount(account: { name: string; offbudget: boolean }, initialBalance?: number): Promise<string>;
  createCategoryGroup(group: { name: string }): Promise<string>;
  createCategory(category: { name: string; group_id: string; is_income?: boolean }): Promise<string>;
  addTransactions(account: string, txs: object[], opts: { learnCategories: boolean; runTransfers: boolean }): Promise<unknown>;
  getAccountBalance(account: string, cutoff?: Date): Promise<number>;
  getAccounts(): Promise<{ id: string; name: string }[]>;
  getCategories(): Promise<{ id: string; name: string }[]>;
  aqlQuery(query: ActualQuery): Promise<{ data: { category: string; year: string; amount: number }[] }>;
  shutdown(): Promise<void>;
}
interface ActualQuery {
  filter(f: object): ActualQuery;
  groupBy(g: unknown[]): ActualQuery;
  select(s: unknown[]): ActualQuery;
}

const [dir, countArg, recordsArg] = process.argv.slice(2);
const n = Number(countArg);
const records = Number(recordsArg);
console.log = console.info = console.warn = console.debug = (...a: unknown[]) => process.stderr.write(a.map(String).join(' ') + '\n');
const api = createRequire(path.join(dir!, 'package.json'))('@actual-app/api') as ActualApi;
const dataDir = path.join(dir!, 'budget');
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const lib = await api.init({ dataDir });
const csv = benchCsv(benchTransactions(n));

// CSV ingest: the same text COIN imports, split here (Actual's API takes objects), then one import.
let account = '';
const t0 = performance.now();
await api.runImport('coin-bench', async () => {
  account = await api.createAccount({ name: 'Main', offbudget: false }, 0);
  const group = await api.createCategoryGroup({ name: 'Labels' });
  const ids = new Map<string, string>();
  for (const name of ACTUAL_LABELS) ids.set(name, await api.createCategory({ name, group_id: group }));
  const txs = csv
    .trim()
    .split('\r\n')
    .slice(1)
    .map((line) => {
      const [date, type, amount, , , label, note] = line.split(',');
      const cents = Math.round(Number(amount) * 100);
      return { date, amount: type === 'income' ? cents : -cents, category: ids.get(label!), notes: note };
    });
  await api.addTransactions(account, txs, { learnCategories: false, runTransfers: false });
});
const ingestMs = performance.now() - t0;
account = (await api.getAccounts()).find((a) => a.name === 'Main')!.id;
const names = new Map((await api.getCategories()).map((c) => [c.id, c.name]));
const coffee = [...names].find(([, name]) => name === ACTUAL_LABELS[5])![0];

// Its balance as of a day after every transaction (the default cut-off is today).
const balance = await api.getAccountBalance(account, new Date('2100-01-01'));

// Year × label: sums per category and year.
const matrixMs: number[] = [];
let matrix: Matrix = {};
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  const res = await api.aqlQuery(
    lib
      .q('transactions')
      .filter({ account })
      .groupBy(['category', { $year: '$date' }])
      .select(['category', { year: { $year: '$date' } }, { amount: { $sum: '$amount' } }]),
  );
  matrixMs.push(performance.now() - t);
  matrix = {};
  for (const r of res.data) matrix[`${r.year}|${names.get(r.category)}`] = r.amount;
}
// One record, then the account's balance (what COIN answers a record with).
const one: number[] = [];
for (let i = 0; i < records; i++) {
  const t = performance.now();
  await api.addTransactions(account, [{ date: '2026-11-24', amount: -450, category: coffee, notes: 'coffee' }], { learnCategories: false, runTransfers: false });
  await api.getAccountBalance(account);
  one.push(performance.now() - t);
}

await api.shutdown();
process.stdout.write(JSON.stringify({ ingestMs, one, matrixMs, matrix, balance }) + '\n');
process.exit(0);
