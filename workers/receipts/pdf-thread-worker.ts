// The PDF thread (started by pdf-thread.ts): reads each PDF it is sent (inflate guard, then
// pdf.js) and answers it, one at a time.
import { parentPort } from 'node:worker_threads';
import { BadReceiptImage } from '../../domain/receipts/image-file.js';
import { readPdfDocument } from './pdf-document.js';
import type { PdfThreadAnswer } from './pdf-thread.js';

const port = parentPort!;
port.on('message', (pdf: Uint8Array) => void read(pdf));

async function read(pdf: Uint8Array) {
  try {
    const r = await readPdfDocument(pdf);
    const answer: PdfThreadAnswer = { ok: true, text: r.text, ocr: r.ocr, kept: r.kept, keptMime: r.keptMime, pages: r.pages };
    // Copied, not moved: a Buffer may sit in a shared pool; a JPEG and a PNG copy in about a millisecond.
    port.postMessage(answer);
  } catch (err) {
    const answer: PdfThreadAnswer = err instanceof BadReceiptImage ? { ok: false, problem: err.problem } : { ok: false, error: String(err) };
    port.postMessage(answer);
  }
}
