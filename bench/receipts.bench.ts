import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readReceipt } from '../domain/receipts/read-receipt.js';
import { tesseractEngine } from '../workers/receipts/ocr-engine.js';
import { prepareReceiptImage } from '../workers/receipts/receipt-image.js';
import { percentile } from './stats-util.js';

const ROUNDS = Number(process.env.BENCH_RECEIPT_ROUNDS ?? 3);
const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'receipts', 'samples');

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/**
 * OCR time per receipt (issue 18) on the committed samples, as the worker reads them: decode and
 * scale (`prepareReceiptImage`), tesseract.js (English LSTM model, one worker thread), the
 * receipt reader. The first image also starts the engine (model load), reported on its own.
 */
export async function benchReceipts(): Promise<string[]> {
  const files = (JSON.parse(readFileSync(path.join(SAMPLES, 'expected.json'), 'utf8')) as { file: string; currency: string }[]).map((e) => ({
    ...e,
    png: readFileSync(path.join(SAMPLES, e.file)),
  }));
  const engine = tesseractEngine();
  const loadBefore = load();
  const t0 = performance.now();
  await engine.recognize((await prepareReceiptImage(files[0]!.png)).ocr, 300_000);
  const firstMs = performance.now() - t0;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const f of files) {
      const c0 = process.cpuUsage();
      const s = performance.now();
      const { ocr } = await prepareReceiptImage(f.png);
      readReceipt((await engine.recognize(ocr, 300_000)).text, f.currency);
      times.push(performance.now() - s);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  await engine.close();
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return [
    `receipts: ${times.length} OCR reads of ${files.length} sample receipts (≈400×450 px), tesseract.js 7 eng LSTM, one engine`,
    `  per receipt: p50 ${percentile(times, 50).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms (CPU p50 ${percentile(cpu, 50).toFixed(0)} ms)`,
    `  first receipt incl. engine start and model load: ${firstMs.toFixed(0)} ms`,
    `  load average before ${loadBefore}, after ${load()} (${os.cpus().length} cores)`,
  ];
}
