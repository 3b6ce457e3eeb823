// The PDF process (forked by pdf-process.ts): reads each PDF it is sent (inflate guard, then
// pdf.js) and answers it, one at a time. Its heap limit, time limit and death are the parent's
// business; an abort here (V8 out of heap) ends this process only.
import { writeFileSync } from 'node:fs';
import { BadReceiptImage } from '../../domain/receipts/image-file.js';
import { readPdfDocument } from './pdf-document.js';
import type { PdfProcessAnswer } from './pdf-process.js';

// Linux: if memory runs out on the machine, the kernel's OOM killer takes this process first, not
// COIN (raising one's own score needs no privilege). Elsewhere nothing to do.
try {
  writeFileSync('/proc/self/oom_score_adj', '1000');
} catch {
  // not Linux, or /proc not mounted
}

// COIN gone (the IPC channel closed): nothing to answer to.
process.on('disconnect', () => process.exit(0));
process.on('message', (pdf: Uint8Array) => void read(pdf));

async function read(pdf: Uint8Array) {
  let answer: PdfProcessAnswer;
  try {
    // A plain Uint8Array of its own (it arrives as a Buffer; pdf.js wants the one and detaches it).
    const r = await readPdfDocument(new Uint8Array(pdf));
    answer = { ok: true, text: r.text, ocr: r.ocr, kept: r.kept, keptMime: r.keptMime, pages: r.pages };
  } catch (err) {
    answer = err instanceof BadReceiptImage ? { ok: false, problem: err.problem } : { ok: false, error: String(err) };
  }
  // A send that fails means COIN is gone; 'disconnect' ends this process.
  process.send!(answer, undefined, undefined, () => undefined);
}
