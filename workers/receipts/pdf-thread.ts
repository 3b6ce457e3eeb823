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
  const plain = ['pdfjs-dist/legacy/build/pdf.mjs', 'pdfjs-dist/legacy/build/pdf.worker.mjs', '@napi-rs/canvas'].map((id) => `import(${url(id)})`);
  const tsx = JSON.stringify(pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href);
  const entry = JSON.stringify(new URL('./pdf-thread-worker.ts', here).href);
  return { source: `Promise.all([${plain.join(', ')}]).then(() => import(${tsx})).then((m) => { m.register(); return import(${entry}); });`, eval: true };
}

/** A thread that has read a PDF waits this long for the next one, then ends (pdf.js's memory with it). */
const IDLE_MS = 30_000;
/** PDFs one thread reads before it is replaced (whatever the files left in its heap goes with it). */
const MAX_READS = 50;

interface PdfThread {
  worker: Worker;
  heapMb: number;
  reads: number;
  idle?: NodeJS.Timeout | undefined;
}

/** The thread waiting for the next PDF, warm (pdf.js loaded): at most one. */
let waiting: PdfThread | undefined;

function startThread(heapMb: number): PdfThread {
  const entry = threadEntry();
  const worker = new Worker(entry.source, {
    eval: entry.eval,
    // Not the process's own flags (npm start's --max-semi-space-size, tsx's --import).
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
  const thread: PdfThread = { worker, heapMb, reads: 0 };
  // An error while it waits (none is expected) ends it; it is not the process's to crash on.
  worker.on('error', () => undefined);
  worker.on('exit', () => {
    if (waiting === thread) waiting = undefined;
    clearTimeout(thread.idle);
  });
  return thread;
}

function takeThread(heapMb: number): PdfThread {
  const thread = waiting?.heapMb === heapMb ? waiting : undefined;
  if (!thread) return startThread(heapMb);
  waiting = undefined;
  clearTimeout(thread.idle);
  thread.worker.ref();
  return thread;
}

/** A thread that answered waits for the next PDF (unreferenced: it keeps no process alive), else ends. */
function release(thread: PdfThread): void {
  if (thread.reads >= MAX_READS || waiting) return void thread.worker.terminate();
  waiting = thread;
  thread.worker.unref();
  thread.idle = setTimeout(() => void thread.worker.terminate(), IDLE_MS);
  thread.idle.unref();
}

/**
 * Reads a PDF in a thread of its own (`node:worker_threads`): pdf.js parses, reads and draws there,
 * so a file whose parsing is one long synchronous step never holds up the process's event loop
 * (chats, the web, the queues). The thread has a JavaScript heap of `heapMb` (`pdfMaxHeapMb`);
 * past it the thread dies, not the process, and the PDF is `pdf_memory`. Past `timeoutMs` the
 * thread is terminated (mid-parse if need be) and the PDF is `pdf_slow`; the next PDF gets a new
 * thread. A thread that answered is kept warm for the next PDF for {@link IDLE_MS} (starting one
 * and loading pdf.js into it costs ≈ 0.3 s), at most one such thread, for at most
 * {@link MAX_READS} PDFs. One PDF at a time per thread; PDFs read at once get a thread each.
 * The bytes are moved into the thread (`pdf` is detached).
 */
export async function readPdfInThread(pdf: Uint8Array, timeoutMs: number, heapMb: number = RECEIPT_LIMITS.pdfMaxHeapMb): Promise<PdfReceipt> {
  const thread = takeThread(heapMb);
  const { worker } = thread;
  thread.reads++;
  let timer: NodeJS.Timeout | undefined;
  let onMessage: ((a: PdfThreadAnswer) => void) | undefined;
  let onError: ((err: Error & { code?: string }) => void) | undefined;
  let onExit: ((code: number) => void) | undefined;
  let answered = false;
  try {
    const answer = await new Promise<PdfThreadAnswer>((resolve, reject) => {
      timer = setTimeout(() => reject(new BadReceiptImage('pdf_slow')), timeoutMs);
      onMessage = resolve;
      onError = (err) => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new BadReceiptImage('pdf_memory') : err);
      onExit = (code) => reject(new Error(`the PDF thread stopped (exit code ${code}) without an answer`));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(pdf, [pdf.buffer as ArrayBuffer]);
    });
    answered = true;
    if (answer.ok) {
      const { text, ocr, kept, keptMime, pages } = answer;
      return { text, ocr: ocr && Buffer.from(ocr.buffer, ocr.byteOffset, ocr.byteLength), kept: Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength), keptMime, pages };
    }
    if ('problem' in answer) throw new BadReceiptImage(answer.problem);
    throw new Error(`PDF thread: ${answer.error}`);
  } finally {
    clearTimeout(timer);
    worker.off('message', onMessage!);
    worker.off('error', onError!);
    worker.off('exit', onExit!);
    // Stops a thread still parsing (or dead), its memory given back before the next receipt is read.
    if (answered) release(thread);
    else await worker.terminate();
  }
}
