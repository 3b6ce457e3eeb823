import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadImage } from '@napi-rs/canvas';
import { BadReceiptImage, RECEIPT_LIMITS } from '../../domain/receipts/image-file.js';
import { readReceipt } from '../../domain/receipts/read-receipt.js';
import { receiptLines, SAMPLE_RECEIPTS, totalOf } from '../../test/receipts/render-receipt.js';
import { receiptPdf, standardFontPdf } from '../../test/receipts/write-pdf.js';
import { OcrTimeout, tesseractEngine } from './ocr-engine.js';
import { receiptText } from './read-job.js';
import { readPdfReceipt } from './receipt-pdf.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sample = (name: string) => SAMPLE_RECEIPTS.find((r) => r.name === name)!;

const problem = async (pdf: Buffer, timeoutMs = 30_000) => {
  try {
    await readPdfReceipt(pdf, timeoutMs);
    return undefined;
  } catch (e) {
    if (e instanceof BadReceiptImage) return e.problem;
    if (e instanceof OcrTimeout) return 'timeout';
    throw e;
  }
};

/**
 * PDF receipts (issue 18) with pdf.js from npm: the text layer is read as it is (no OCR), a PDF
 * without one has page 1 drawn and OCR'd, page 1 is kept as a JPEG, and a damaged or oversized
 * file is refused with its reason. The PDFs are written by the tests (test/receipts/write-pdf.ts).
 */
describe('PDF receipts', () => {
  const engine = tesseractEngine();
  afterAll(() => engine.close());

  it('GIVEN PDFs with a text layer (English, Russian ИТОГО, German) THEN total, date and shop come from the text, with no OCR', async () => {
    for (const [name, currency, merchant] of [
      ['supermart', 'EUR', 'SUPERMART'],
      ['pyaterochka', 'RUB', 'МАГАЗИН У ДОМА'],
      ['kafe', 'RUB', 'КАФЕ ЛУНА'],
      ['baeckerei', 'EUR', 'BAECKEREI SCHMIDT'],
    ] as const) {
      const receipt = sample(name);
      const got = await receiptText(receiptPdf(receipt, { layer: 'text' }), { ocr: engine });
      expect(got.source, name).toBe('pdf-text');
      const r = readReceipt(got.text, currency);
      expect([r.total, r.date, r.merchant], name).toEqual([totalOf(receipt), receipt.date, merchant]);
      // Page 1 is kept as a JPEG within the kept size.
      const kept = await loadImage(got.kept);
      expect(got.keptMime).toBe('image/jpeg');
      expect(Math.max(kept.width, kept.height)).toBeLessThanOrEqual(RECEIPT_LIMITS.keptMaxSide);
    }
  });

  it('GIVEN a hand-written PDF in Helvetica (a standard font, not embedded) THEN its text is read and its page drawn', async () => {
    const receipt = sample('hardware');
    const pdf = standardFontPdf(receiptLines(receipt).map(([l, r]) => (r ? `${l}   ${r}` : l)));
    const got = await receiptText(pdf, { ocr: engine });
    expect(got.source).toBe('pdf-text');
    expect(readReceipt(got.text, 'USD').total).toBe(totalOf(receipt));
    expect(got.kept.subarray(0, 2).toString('hex')).toBe('ffd8');
  });

  it('GIVEN a scanned PDF (a picture, no text) THEN page 1 is drawn and read by OCR', async () => {
    const receipt = sample('corner-cafe');
    const got = await receiptText(receiptPdf(receipt, { layer: 'scan' }), { ocr: engine, timeoutMs: 120_000 });
    expect(got.source).toBe('pdf-ocr');
    expect(readReceipt(got.text, 'EUR').total).toBe(totalOf(receipt));
  });

  it('GIVEN a damaged PDF, too many pages or no time left THEN each is refused with its reason', async () => {
    expect(await problem(Buffer.from('%PDF-1.4\n' + 'not a pdf body '.repeat(50)))).toBe('bad_pdf');
    expect(await problem(Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%EOF'))).toBe('bad_pdf');
    expect(await problem(receiptPdf(sample('supermart'), { layer: 'text', pages: RECEIPT_LIMITS.pdfMaxPages + 1 }))).toBe('pdf_pages');
    expect(await problem(receiptPdf(sample('supermart'), { layer: 'text', pages: RECEIPT_LIMITS.pdfMaxPages }))).toBeUndefined();
    expect(await problem(receiptPdf(sample('supermart'), { layer: 'text' }), 1)).toBe('pdf_slow');
  });

  it('GIVEN a small PDF whose page stream inflates past the limit (a compression bomb) THEN it is refused before pdf.js reads it; compressed receipts within it are read', async () => {
    const lines = ['SUPERMART', 'TOTAL   11.83'];
    const bomb = standardFontPdf(lines, { deflatedPadding: RECEIPT_LIMITS.pdfMaxInflated + 1024 * 1024 });
    expect(bomb.length).toBeLessThan(RECEIPT_LIMITS.maxBytes / 10);
    const before = process.memoryUsage().arrayBuffers;
    expect(await problem(bomb)).toBe('pdf_inflates');
    // Nothing near the inflated size was kept (the guard runs in the PDF process: nothing in this one).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(RECEIPT_LIMITS.pdfMaxInflated / 2);
    const fine = await readPdfReceipt(standardFontPdf(lines, { deflatedPadding: 1024 * 1024 }), 30_000);
    expect(fine.text).toContain('TOTAL');
    expect(readReceipt(fine.text, 'EUR').total).toBe(1183);
  });

  it.runIf(spawnSync('unshare', ['-n', 'true']).status === 0)('GIVEN a process with no network THEN a PDF in a standard font is still read and drawn', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coin-pdf-'));
    const pdfPath = path.join(dir, 'r.pdf');
    writeFileSync(pdfPath, standardFontPdf(['SUPERMART', 'TOTAL   11.83']));
    const script = path.join(dir, 'offline.mjs');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
      import { readPdfReceipt } from ${JSON.stringify(path.join(ROOT, 'workers/receipts/receipt-pdf.ts'))};
      const online = await fetch('https://registry.npmjs.org/').then(() => 'reachable', () => 'unreachable');
      const pdf = await readPdfReceipt(readFileSync(${JSON.stringify(pdfPath)}), 30000);
      console.log(JSON.stringify({ online, text: pdf.text, kept: pdf.kept.length }));`,
    );
    try {
      const { stdout } = await promisify(execFile)('unshare', ['-n', process.execPath, '--import', 'tsx', script], { cwd: ROOT, timeout: 60_000 });
      const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as { online: string; text: string; kept: number };
      expect(out.online).toBe('unreachable');
      expect(out.text).toBe('SUPERMART\nTOTAL 11.83');
      expect(out.kept).toBeGreaterThan(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
