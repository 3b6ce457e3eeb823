/**
 * `npm run chaos`: runs every `chaos/*.chaos.ts` in sequence, each a standalone script that prints
 * its results table and exits non-zero when anything was lost or duplicated. CHAOS_SIZE=small|full
 * is passed through. `npm run chaos -- intake` runs only the files whose name contains `intake`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.chaos.ts') && (!only.length || only.some((o) => f.includes(o))))
  .sort();
const tsx = path.resolve(dir, '..', 'node_modules', '.bin', 'tsx');
const results: { file: string; code: number | null; seconds: number }[] = [];
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const t0 = Date.now();
  const r = spawnSync(tsx, [path.join(dir, f)], { stdio: 'inherit', env: process.env });
  results.push({ file: f, code: r.status, seconds: (Date.now() - t0) / 1000 });
}
console.log('\n=== chaos summary ===');
for (const r of results) console.log(`${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.file} (${r.seconds.toFixed(0)} s)`);
process.exit(results.every((r) => r.code === 0) && results.length > 0 ? 0 : 1);
