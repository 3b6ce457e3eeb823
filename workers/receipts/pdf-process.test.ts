import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BadReceiptImage, RECEIPT_LIMITS } from '../../domain/receipts/image-file.js';
import { readReceipt } from '../../domain/receipts/read-receipt.js';
import { badImageText } from '../../bot/presentation/receipt-proposal.js';
import { standardFontPdf } from '../../test/receipts/write-pdf.js';
import { readPdfDocument } from './pdf-document.js';
import { readPdfInProcess } from './pdf-process.js';
import { readPdfReceipt } from './receipt-pdf.js';

const LINES = ['SUPERMART', 'TOTAL   11.83'];
/** A receipt page whose content stream goes on with `op` `times` times (Flate-compressed: a small file). */
const heavyPdf = (op: string, times: number) => standardFontPdf(LINES, { deflatedTail: Buffer.from(op.repeat(times), 'latin1') });

/** The largest gap between ticks of a 10 ms interval while `work` runs: how long this thread's event loop was held. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ gapMs: number; ms: number; result: T | unknown }> {
  let last = performance.now();
  let gapMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  try {
    const result = await work().catch((e: unknown) => e);
    const now = performance.now();
    return { gapMs: Math.max(gapMs, now - last), ms: now - started, result };
  } finally {
    clearInterval(tick);
  }
}

const problemOf = (e: unknown) => (e instanceof BadReceiptImage ? e.problem : e);

/** A receipt page whose content stream goes on with one array of `n` numbers: one JavaScript array of `n` items for pdf.js. */
const hugeArrayPdf = (n: number) => standardFontPdf(LINES, { deflatedTail: Buffer.concat([Buffer.from('['), Buffer.alloc(n * 2, '1 '), Buffer.from('] TJ\n')]) });

/**
 * PDF receipts are read in a process of their own (pdf-process.ts), so a PDF whose parsing is one
 * long synchronous step cannot hold up the process that serves the chats, and is stopped at the
 * time limit; a PDF that needs more heap than the PDF process has ends that process, never this one.
 */
describe('the PDF process', () => {
  it('GIVEN a 12 KB PDF with a million text operators (seconds of parsing for pdf.js) THEN it is stopped at the time limit with its own message, and this process\'s event loop keeps ticking meanwhile', async () => {
    // The same kind of page read in this process (a tenth of the operators) holds the event loop for as long as it parses.
    const inline = await longestStall(() => readPdfDocument(new Uint8Array(heavyPdf('(a) Tj\n', 100_000))));
    expect(inline.gapMs).toBeGreaterThan(500);

    const slow = heavyPdf('(a) Tj\n', 1_000_000);
    expect(slow.length).toBeLessThan(20_000);
    const run = await longestStall(() => readPdfReceipt(slow, 2000));
    expect(problemOf(run.result)).toBe('pdf_slow');
    expect(run.ms).toBeGreaterThanOrEqual(1990);
    expect(run.ms).toBeLessThan(3500);
    // Ticks about every 10 ms all along (a loaded two-core machine delays some).
    expect(run.gapMs).toBeLessThan(250);
    expect(badImageText('en', 'pdf_slow')).toMatch(/^Opening this PDF took far longer than a receipt ever needs, so I stopped/);
    expect(badImageText('ru', 'pdf_slow')).toMatch(/^Этот PDF открывался гораздо дольше, чем нужно для чека/);
    console.log(`[pdf-process] read here: ${inline.ms.toFixed(0)} ms of ${inline.gapMs.toFixed(0)} ms stall; in the PDF process: stopped after ${run.ms.toFixed(0)} ms, longest stall ${run.gapMs.toFixed(0)} ms`);
  }, 60_000); // a safety net, not a target: the bounds above are the behaviour (15 s ran out in a fresh-clone CI run on a slow, loaded machine)

  it('GIVEN PDFs read one after another THEN the process that answered reads the next one warm, and one stopped at the time limit is replaced by a new one', async () => {
    const receipt = standardFontPdf(LINES);
    const timed = async () => {
      const started = performance.now();
      const got = await readPdfReceipt(receipt, 10_000);
      expect(readReceipt(got.text, 'EUR').total).toBe(1183);
      return performance.now() - started;
    };
    // A read stopped at the limit takes its process with it: the next starts cold.
    expect(problemOf(await readPdfReceipt(heavyPdf('(a) Tj\n', 1_000_000), 300).catch((e: unknown) => e))).toBe('pdf_slow');
    const cold = await timed();
    const warm = [await timed(), await timed(), await timed()].sort((a, b) => a - b)[1]!;
    expect(warm).toBeLessThan(cold / 2);
    console.log(`[pdf-process] a PDF read by a new process ${cold.toFixed(0)} ms, by the waiting one ${warm.toFixed(0)} ms (median of 3)`);
  }, 60_000); // a safety net, not a target: the bounds above are the behaviour (15 s ran out in a fresh-clone CI run on a slow, loaded machine)

  it('GIVEN a small PDF holding one array of 8 million numbers (one allocation far past the heap limit: V8 aborts) THEN it is refused with its own message, this process lives on and its loop ticks, and the next PDF is read', async () => {
    const huge = hugeArrayPdf(8_000_000);
    expect(huge.length).toBeLessThan(64_000);
    // A process of 32 MB (a plain receipt reads within it), as the heap-step test below: the array
    // outgrows it after about 4 million numbers. Against the real 256 MB it takes 30 million and
    // 5-9 s of parsing — up to 15 s beside the rest of the suite on a slower machine, past the 14 s
    // limit (pdf_slow instead of pdf_memory: a CI run failed so).
    const run = await longestStall(() => readPdfInProcess(huge, 14_000, 32));
    expect(problemOf(run.result)).toBe('pdf_memory');
    expect(run.gapMs).toBeLessThan(250);
    expect(badImageText('en', 'pdf_memory')).toBe(`Opening this PDF needs far more memory than a receipt (${RECEIPT_LIMITS.pdfMaxHeapMb} MB at most), so I stopped. Send a photo or a screenshot of the receipt.`);
    expect(badImageText('ru', 'pdf_memory')).toMatch(/^Чтобы открыть этот PDF, нужно гораздо больше памяти, чем для чека \(не больше 256 МБ\)/);
    const next = await readPdfReceipt(standardFontPdf(LINES), 10_000);
    expect(readReceipt(next.text, 'EUR').total).toBe(1183);
    console.log(`[pdf-process] 8 M-number array, 32 MB: pdf_memory after ${run.ms.toFixed(0)} ms, longest stall ${run.gapMs.toFixed(0)} ms`);
  }, 30_000); // the read may take its 14 s limit on a loaded machine, then the next PDF its 10 s

  it('GIVEN a PDF whose page outgrows the heap step by step THEN it is refused with its own message, and the next PDF is read by a new process', async () => {
    // 400,000 `cm` operators (6 MB inflated, within the inflate guard): the drawing's operator
    // list outgrows the heap. The test gives the process 32 MB (a plain receipt reads within it);
    // 5 million against the real 256 MB end the same way after about 15 s. (It gave 64 MB and 3
    // million until session 10: 13-16 s on a loaded machine, and then the 14 s read limit came
    // first — pdf_slow, a failing test in one full run. Now 4-5 s, 6-8 s beside two busy loops.)
    const heavy = heavyPdf('1 0 0 1 0 0 cm\n', 400_000);
    const run = await longestStall(() => readPdfInProcess(heavy, 14_000, 32));
    expect(problemOf(run.result)).toBe('pdf_memory');
    expect(run.gapMs).toBeLessThan(250);
    const next = await readPdfReceipt(standardFontPdf(LINES), 10_000);
    expect(readReceipt(next.text, 'EUR').total).toBe(1183);
    console.log(`[pdf-process] out of heap after ${run.ms.toFixed(0)} ms, longest stall ${run.gapMs.toFixed(0)} ms`);
  }, 30_000); // as above: its own 14 s read limit, then 10 s for the next PDF

  it('GIVEN a process that reads PDFs THEN it ends by itself while its PDF process waits (unreferenced), and exiting mid-read (COIN\'s SIGTERM ends in process.exit) leaves no PDF process running', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coin-pdf-exit-'));
    try {
      const url = (f: string) => JSON.stringify(pathToFileURL(path.join(import.meta.dirname, f)).href);
      const script = path.join(dir, 'reader.mts');
      writeFileSync(
        script,
        `import { execFileSync } from 'node:child_process';
        const { readPdfReceipt } = await import(${url('receipt-pdf.ts')});
        const { standardFontPdf } = await import(${url('../../test/receipts/write-pdf.ts')});
        const children = () => { try { return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'pdf-process-child'], { encoding: 'utf8' }).trim().split('\\n').map(Number); } catch { return []; } };
        const lines = ['SUPERMART', 'TOTAL   11.83'];
        await readPdfReceipt(standardFontPdf(lines), 10000);
        console.log(JSON.stringify(children()));
        if (process.argv[2] === 'mid-read') {
          void readPdfReceipt(standardFontPdf(lines, { deflatedTail: Buffer.from('(a) Tj\\n'.repeat(1000000)) }), 20000).catch(() => undefined);
          setTimeout(() => process.exit(0), 500);
        }`,
      );
      const run = (mode: string) => {
        const started = performance.now();
        const out = execFileSync(process.execPath, ['--import', 'tsx', script, mode], { encoding: 'utf8', timeout: 28_000 });
        return { children: JSON.parse(out.trim().split('\n').at(-1)!) as number[], ms: performance.now() - started };
      };
      // Running (R/S/D…) rather than gone or a zombie waiting for init to reap it.
      const running = (pid: number) => {
        try {
          return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        } catch {
          return false;
        }
      };
      // SIGKILL is not instant: the kernel still tears down the killed process (its memory: the
      // mid-read one holds a large PDF) after its parent has gone. Seen once still running right
      // after the exit in a full suite run on two busy cores; gone within 3 s is the promise.
      const gone = async (pid: number) => {
        for (let i = 0; i < 60 && running(pid); i++) await new Promise((r) => setTimeout(r, 50));
        return !running(pid);
      };
      const idle = run('idle');
      expect(idle.children).toHaveLength(1);
      // Not 30 s (the waiting process's idle end): it does not hold the script. A bound far from
      // both: the script itself (tsx, a new PDF process, one read) took 6.3 s in a fresh-clone CI
      // run beside the rest of the suite.
      expect(idle.ms).toBeLessThan(20_000);
      expect(await gone(idle.children[0]!)).toBe(true);
      const midRead = run('mid-read');
      expect(midRead.children).toHaveLength(1);
      expect(await gone(midRead.children[0]!)).toBe(true);
      console.log(`[pdf-process] a script reading one PDF ended in ${idle.ms.toFixed(0)} ms; exited mid-read in ${midRead.ms.toFixed(0)} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('GIVEN the PDF process is killed from outside while it reads (the kernel\'s OOM killer) THEN the PDF is refused as too heavy and the next one is read', async () => {
    const slow = heavyPdf('(a) Tj\n', 1_000_000);
    const reading = readPdfInProcess(slow, 14_000).catch((e: unknown) => e);
    let pid: number | undefined;
    for (let i = 0; i < 100 && !pid; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        pid = Number(execFileSync('pgrep', ['-P', String(process.pid), '-f', 'pdf-process-child'], { encoding: 'utf8' }).trim().split('\n')[0]) || undefined;
      } catch {
        // pgrep found none yet (exit 1)
      }
    }
    process.kill(pid!, 'SIGKILL');
    expect(problemOf(await reading)).toBe('pdf_memory');
    const next = await readPdfReceipt(standardFontPdf(LINES), 10_000);
    expect(readReceipt(next.text, 'EUR').total).toBe(1183);
  }, 60_000); // a safety net, not a target: the bounds above are the behaviour (15 s ran out in a fresh-clone CI run on a slow, loaded machine)
});
