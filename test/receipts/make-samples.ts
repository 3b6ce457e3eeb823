/**
 * Writes the committed sample receipts (`test/receipts/samples/*.png` and `expected.json`): the
 * ten receipts with a total line and the slips without one, drawn clean by `render-receipt.ts`.
 * Run again after changing the samples: `npx tsx test/receipts/make-samples.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLEAN, NO_TOTAL_RECEIPTS, renderReceipt, SAMPLE_RECEIPTS, totalOf } from './render-receipt.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'samples');
mkdirSync(dir, { recursive: true });
const expected = [...SAMPLE_RECEIPTS, ...NO_TOTAL_RECEIPTS].map((r) => {
  writeFileSync(path.join(dir, `${r.name}.png`), renderReceipt(r, { ...CLEAN, size: 16 }));
  return { file: `${r.name}.png`, currency: r.currency, total: r.totalWord ? totalOf(r) : null, date: r.date };
});
writeFileSync(path.join(dir, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
console.log(`${expected.length} samples in ${dir}`);
