import { fork, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BadReceiptImage, RECEIPT_LIMITS } from '../../domain/receipts/image-file.js';
import type { PdfReceipt } from './pdf-document.js';

/** What the PDF process answers: the receipt, a refusal, or a fault. */
export type PdfProcessAnswer =
  | { ok: true; text: string; ocr?: Uint8Array | undefined; kept: Uint8Array; keptMime: string; pages: number }
  | { ok: false; problem: BadReceiptImage['problem'] }
  | { ok: false; error: string };

/** The PDF process died without answering, for a reason that is not a limit of its own: a fault to log. */
export class PdfProcessDied extends Error {
  override readonly name = 'PdfProcessDied';
}

/**
 * The process's entry beside this module: the compiled `.js` in `npm start`'s build (and `dist/`),
 * run by plain node; the `.ts` source under tsx and vitest, run with tsx's loader (`--import`,
 * resolved from here, so the working directory does not matter). There pdf.js and the canvas are
 * imported before the loader (earlier `--import`s), so they load as plain JavaScript: through
 * tsx, pdf.js's 3.3 MB took 2–3 s more per process.
 */
function childEntry(): { file: string; execArgv: string[] } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { file: fileURLToPath(new URL('./pdf-process-child.js', here)), execArgv: [] };
  // require.resolve, not import.meta.resolve: vitest runs this module without the latter.
  const url = (id: string) => ['--import', pathToFileURL(createRequire(here).resolve(id)).href];
  const plain = ['pdfjs-dist/legacy/build/pdf.mjs', 'pdfjs-dist/legacy/build/pdf.worker.mjs', '@napi-rs/canvas'].flatMap(url);
  return { file: fileURLToPath(new URL('./pdf-process-child.ts', here)), execArgv: [...plain, ...url('tsx')] };
}

/** A process that has read a PDF waits this long for the next one, then ends (pdf.js's memory with it). */
const IDLE_MS = 30_000;
/** PDFs one process reads before it is replaced (whatever the files left in its heap goes with it). */
const MAX_READS = 50;
/** The start of the process's stderr kept, for the log when it dies of an unknown cause. */
const STDERR_KEPT = 2048;
/** What V8 prints when it aborts out of heap ("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"). */
const OUT_OF_HEAP = /heap limit|heap out of memory/i;
/**
 * Young generation of the process's heap, MB per semi-space (V8's default 16), as `npm start` gives
 * COIN itself: measured with the compiled build, the waiting process's RSS 115-118 MB against
 * 121-131 MB with 4 or 16, and no slower within the noise of a loaded machine (text PDF 76-77 ms
 * on the warm process at load 6; 66-102 ms with 4 or 16).
 */
const SEMI_SPACE_MB = 1;

interface PdfProcess {
  child: ChildProcess;
  heapMb: number;
  reads: number;
  idle?: NodeJS.Timeout | undefined;
  stderr: string;
  /** Its stderr said V8 ran out of heap. */
  outOfHeap: boolean;
  /** This module killed it (a time limit, an idle end, a stop): its death is no news. */
  killed: boolean;
  /** Settles when it has exited and its stdio are closed (no zombie left). */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The process waiting for the next PDF, warm (pdf.js loaded): at most one. */
let waiting: PdfProcess | undefined;
/** Every PDF process alive, killed when this process exits however it exits. */
const alive = new Set<PdfProcess>();
let exitHookSet = false;

/** Ref'd while it reads (this process waits for it), unref'd while it waits (it keeps nothing alive). */
function hold(p: PdfProcess, held: boolean): void {
  const handles: Array<{ ref(): void; unref(): void } | undefined | null> = [p.child, p.child.channel, p.child.stderr as (Readable & { ref(): void; unref(): void }) | null];
  for (const h of handles) {
    if (held) h?.ref();
    else h?.unref();
  }
}

function kill(p: PdfProcess): void {
  p.killed = true;
  clearTimeout(p.idle);
  if (waiting === p) waiting = undefined;
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}

function startProcess(heapMb: number): PdfProcess {
  if (!exitHookSet) {
    exitHookSet = true;
    // process.exit() (COIN's SIGTERM path, a test runner) and a natural end: a child mid-parse
    // would otherwise parse on alone. Synchronous, as 'exit' listeners must be.
    process.on('exit', () => {
      for (const p of alive) kill(p);
    });
  }
  const entry = childEntry();
  const child = fork(entry.file, [], {
    // Not this process's own flags (npm start's --max-semi-space-size, vitest's or tsx's).
    execArgv: [...entry.execArgv, `--max-old-space-size=${heapMb}`, `--max-semi-space-size=${SEMI_SPACE_MB}`, '--disallow-code-generation-from-strings'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let closed!: (v: { code: number | null; signal: NodeJS.Signals | null }) => void;
  const p: PdfProcess = { child, heapMb, reads: 0, stderr: '', outOfHeap: false, killed: false, closed: new Promise((r) => (closed = r)) };
  alive.add(p);
  child.stderr!.setEncoding('utf8');
  let last = '';
  child.stderr!.on('data', (s: string) => {
    if (p.stderr.length < STDERR_KEPT) p.stderr = (p.stderr + s).slice(0, STDERR_KEPT);
    // The message may straddle two chunks.
    if (OUT_OF_HEAP.test(last + s)) p.outOfHeap = true;
    last = s.slice(-64);
  });
  // A failed send or kill (none is expected): its effect is seen as the process's death.
  child.on('error', () => undefined);
  child.on('close', (code, signal) => {
    alive.delete(p);
    if (waiting === p) waiting = undefined;
    clearTimeout(p.idle);
    closed({ code, signal });
  });
  return p;
}

function takeProcess(heapMb: number): PdfProcess {
  const p = waiting?.heapMb === heapMb && waiting.child.connected ? waiting : undefined;
  if (!p) return startProcess(heapMb);
  waiting = undefined;
  clearTimeout(p.idle);
  hold(p, true);
  return p;
}

/** A process that answered waits for the next PDF (unreferenced), else ends. */
function release(p: PdfProcess): void {
  if (p.reads >= MAX_READS || waiting) return kill(p);
  waiting = p;
  hold(p, false);
  p.idle = setTimeout(() => kill(p), IDLE_MS);
  p.idle.unref();
}

/**
 * Why a process died without answering. V8 out of heap prints "…heap limit…" or "…JavaScript heap
 * out of memory" and aborts; a SIGKILL this module did not send is the kernel's OOM killer (the
 * child asked to be its first pick): both `pdf_memory`. Anything else (a crash in native code, an
 * exit code) has no known cause: an error for the job to log, the chat told it failed.
 */
function deathOf(p: PdfProcess, code: number | null, signal: NodeJS.Signals | null): Error {
  if (p.outOfHeap || (signal === 'SIGKILL' && !p.killed)) return new BadReceiptImage('pdf_memory');
  const said = p.stderr.split('\n').filter((l) => l.trim()).slice(0, 3).join(' | ');
  return new PdfProcessDied(`the PDF process stopped without an answer (${signal ? `signal ${signal}` : `exit code ${code}`})${said ? `: ${said}` : ''}`);
}

/**
 * Reads a PDF in a process of its own (`node:child_process` fork, `pdf-process-child.ts`): the
 * inflate guard and pdf.js (parse, text, drawing, JPEG/PNG) run there, so a file whose parsing is
 * one long synchronous step never holds up this process's event loop (chats, the web, the
 * queues), and whatever it does to its heap it cannot take this process down. The process has a
 * JavaScript heap of `heapMb` (`pdfMaxHeapMb`); dying out of it (V8 aborts the process) the PDF
 * is `pdf_memory`. Past `timeoutMs` the process is killed (mid-parse if need be) and the PDF is
 * `pdf_slow`. A process that died or was killed is gone; the next PDF gets a new one. One that
 * answered is kept warm for the next PDF for {@link IDLE_MS} (starting one and loading pdf.js
 * costs a few hundred ms), at most one such, for at most {@link MAX_READS} PDFs. One PDF at a
 * time per process; PDFs read at once get a process each. The bytes are copied over the IPC pipe.
 */
export async function readPdfInProcess(pdf: Uint8Array, timeoutMs: number, heapMb: number = RECEIPT_LIMITS.pdfMaxHeapMb): Promise<PdfReceipt> {
  const p = takeProcess(heapMb);
  p.reads++;
  let timer: NodeJS.Timeout | undefined;
  let onMessage: ((a: PdfProcessAnswer) => void) | undefined;
  let answered = false;
  try {
    const answer = await new Promise<PdfProcessAnswer>((resolve, reject) => {
      timer = setTimeout(() => reject(new BadReceiptImage('pdf_slow')), timeoutMs);
      onMessage = resolve;
      p.child.on('message', onMessage);
      void p.closed.then(({ code, signal }) => reject(deathOf(p, code, signal)));
      p.child.send(pdf, undefined, undefined, (err) => {
        if (err) reject(new PdfProcessDied(`the PDF process could not be sent the file: ${err.message}`));
      });
    });
    answered = true;
    if (answer.ok) {
      const { text, ocr, kept, keptMime, pages } = answer;
      const buffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      return { text, ocr: ocr && buffer(ocr), kept: buffer(kept), keptMime, pages };
    }
    if ('problem' in answer) throw new BadReceiptImage(answer.problem);
    throw new Error(`PDF process: ${answer.error}`);
  } finally {
    clearTimeout(timer);
    p.child.off('message', onMessage!);
    if (answered) release(p);
    else {
      // Stops a process still parsing (or reaps a dead one): its memory is given back, and no
      // zombie is left, before the next receipt is read.
      kill(p);
      await p.closed;
    }
  }
}

/** Ends the process waiting for the next PDF (receipts closing); one reading ends when it answers. */
export function stopPdfProcesses(): void {
  if (waiting) kill(waiting);
}
