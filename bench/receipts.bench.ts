import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readReceipt } from '../domain/receipts/read-receipt.js';
import { tesseractEngine } from '../workers/receipts/ocr-engine.js';
import { prepareReceiptImage } from '../workers/receipts/receipt-image.js';
import { receiptText } from '../workers/receipts/read-job.js';
import { SAMPLE_RECEIPTS } from '../test/receipts/render-receipt.js';
import { receiptPdf } from '../test/receipts/write-pdf.js';
import { percentile } from './stats-util.js';
import { processes } from './proc-cpu.js';

const ROUNDS = Number(process.env.BENCH_RECEIPT_ROUNDS ?? 3);
const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'receipts', 'samples');

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/**
 * CPU milliseconds used so far by this process and by its PDF processes alive (Linux /proc: user +
 * system ticks), since a PDF is read in a process of its own (workers/receipts/pdf-process.ts).
 */
function cpuMs(): number {
  const self = process.cpuUsage();
  const pdfs = processes().filter((p) => p.ppid === process.pid && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('pdf-process-child'));
  return (self.user + self.system) / 1000 + pdfs.reduce((sum, p) => sum + p.cpuMs, 0);
}

/** Runs `work` on every item, ROUNDS times: wall and CPU milliseconds of each run, sorted. */
async function timeEach<T>(items: T[], work: (item: T) => Promise<void>): Promise<[number[], number[]]> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const item of items) {
      const c0 = cpuMs();
      const s = performance.now();
      await work(item);
      wall.push(performance.now() - s);
      cpu.push(cpuMs() - c0);
    }
  }
  return [wall.sort((a, b) => a - b), cpu.sort((a, b) => a - b)];
}

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
  const [times, cpu] = await timeEach(files, async (f) => {
    const { ocr } = await prepareReceiptImage(f.png);
    readReceipt((await engine.recognize(ocr, 300_000)).text, f.currency);
  });
  // PDF receipts with a text layer, in the same run: pdf.js parses, the text is read (no OCR),
  // page 1 is drawn as the kept JPEG, in the PDF process; the first starts it (under tsx).
  const pdfs = SAMPLE_RECEIPTS.map((r) => ({ pdf: receiptPdf(r, { layer: 'text' }), currency: r.currency }));
  const p0 = performance.now();
  await receiptText(pdfs[0]!.pdf, { ocr: engine });
  const firstPdfMs = performance.now() - p0;
  const [pdfTimes, pdfCpu] = await timeEach(pdfs, async (p) => {
    readReceipt((await receiptText(p.pdf, { ocr: engine })).text, p.currency);
  });
  await engine.close();
  return [
    `receipts: ${times.length} OCR reads of ${files.length} sample receipts (≈400×450 px), tesseract.js 7 eng LSTM, one engine`,
    `  per receipt: p50 ${percentile(times, 50).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms (CPU p50 ${percentile(cpu, 50).toFixed(0)} ms)`,
    `  first receipt incl. engine start and model load: ${firstMs.toFixed(0)} ms`,
    `  PDF receipts with a text layer (${pdfs.length} samples × ${ROUNDS}, pdf.js text + page 1 drawn as the kept JPEG, no OCR): p50 ${percentile(pdfTimes, 50).toFixed(0)} ms, p99 ${percentile(pdfTimes, 99).toFixed(0)} ms (CPU p50 ${percentile(pdfCpu, 50).toFixed(0)} ms, this process and the PDF process)`,
    `  first PDF incl. starting the PDF process and loading pdf.js into it: ${firstPdfMs.toFixed(0)} ms`,
    `  load average before ${loadBefore}, after ${load()} (${os.cpus().length} cores)`,
  ];
}
