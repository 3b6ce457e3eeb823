import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BadReceiptImage, RECEIPT_LIMITS } from '../../domain/receipts/image-file.js';
import type { PdfReceipt } from './pdf-document.js';

/** What the PDF thread answers: the receipt, a refusal, or a fault. */
export type PdfThreadAnswer =
  | { ok: true; text: string; ocr?: Uint8Array | undefined; kept: Uint8Array; keptMime: string; pages: number }
  | { ok: false; problem: BadReceiptImage['problem'] }
  | { ok: false; error: string };

/**
 * The thread's entry beside this module: the compiled `.js` in `npm start`'s build (and `dist/`),
 * the `.ts` source under tsx and vitest. There the thread registers tsx's loader itself (on Node 20
 * a worker does not inherit the loader hooks of the thread that starts it), after loading pdf.js
 * and the canvas without it: through tsx, pdf.js's 3.3 MB of JavaScript took 2–4 s per thread.
 */
function threadEntry(): { source: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { source: new URL('./pdf-thread-worker.js', here), eval: false };
  const require = createRequire(here);
  const url = (id: string) => JSON.stringify(pathToFileURL(require.resolve(id)).href);
  const plain = ['pdfjs-dist/legacy/build/pdf.mjs', 'pdfjs-dist/legacy/build/pdf.worker.mjs'].map((id) => `import(${url(id)})`);
  const tsx = JSON.stringify(pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href);
  const entry = JSON.stringify(new URL('./pdf-thread-worker.ts', here).href);
  return { source: `Promise.all([${plain.join(', ')}]).then(() => import(${tsx})).then((m) => { m.register(); return import(${entry}); });`, eval: true };
}

/**
 * Reads a PDF in a thread of its own (`node:worker_threads`), one per PDF: pdf.js parses, reads and
 * draws there, so a file whose parsing is one long synchronous step never holds up the process's
 * event loop (chats, the web, the queues). The thread has a JavaScript heap of `heapMb` (`pdfMaxHeapMb`);
 * past it the thread dies, not the process, and the PDF is `pdf_memory`. Past `timeoutMs` the
 * thread is terminated (mid-parse if need be) and the PDF is `pdf_slow`. Either way nothing of
 * it stays: a new thread reads the next PDF. The bytes are moved into the thread (`pdf` is
 * detached).
 */
export async function readPdfInThread(pdf: Uint8Array, timeoutMs: number, heapMb: number = RECEIPT_LIMITS.pdfMaxHeapMb): Promise<PdfReceipt> {
  const entry = threadEntry();
  const worker = new Worker(entry.source, {
    eval: entry.eval,
    workerData: pdf,
    transferList: [pdf.buffer as ArrayBuffer],
    // Not the process's own flags (npm start's --max-semi-space-size, tsx's --import).
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await new Promise<PdfThreadAnswer>((resolve, reject) => {
      timer = setTimeout(() => reject(new BadReceiptImage('pdf_slow')), timeoutMs);
      worker.once('message', resolve);
      worker.once('error', (err: Error & { code?: string }) =>
        reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new BadReceiptImage('pdf_memory') : err),
      );
      worker.once('exit', (code) => reject(new Error(`the PDF thread stopped (exit code ${code}) without an answer`)));
    });
    if (answer.ok) {
      const { text, ocr, kept, keptMime, pages } = answer;
      return { text, ocr: ocr && Buffer.from(ocr.buffer, ocr.byteOffset, ocr.byteLength), kept: Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength), keptMime, pages };
    }
    if ('problem' in answer) throw new BadReceiptImage(answer.problem);
    throw new Error(`PDF thread: ${answer.error}`);
  } finally {
    clearTimeout(timer);
    // Stops a thread still parsing; its memory is given back before the next receipt is read.
    await worker.terminate();
  }
}
