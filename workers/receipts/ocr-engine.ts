import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';

/** Text read from an image and tesseract's mean word confidence (0…100). */
export interface OcrResult {
  text: string;
  confidence: number;
}

/** Reads text from images, one at a time, each within a time limit. */
export interface OcrEngine {
  /** Throws {@link OcrTimeout} when the image is not read within `timeoutMs`. */
  recognize(image: Buffer, timeoutMs: number): Promise<OcrResult>;
  close(): Promise<void>;
}

export class OcrTimeout extends Error {
  override readonly name = 'OcrTimeout';
}

const require = createRequire(import.meta.url);
const dirOf = (pkg: string) => path.dirname(require.resolve(`${pkg}/package.json`));

/**
 * Where tesseract.js finds everything it needs, all inside node_modules, so nothing is fetched at
 * run time: the worker script, the WebAssembly core (tesseract.js-core, loaded with `require` in
 * Node) and the English LSTM model from `@tesseract.js-data/eng` (the `best_int` build the
 * LSTM-only engine uses). No Russian model is published on npm; Russian receipts are read with the
 * English one (see docs/receipts.md).
 */
export function offlinePaths(): { workerPath: string; corePath: string; langPath: string } {
  return {
    workerPath: path.join(dirOf('tesseract.js'), 'src', 'worker-script', 'node', 'index.js'),
    corePath: dirOf('tesseract.js-core'),
    langPath: path.join(dirOf('@tesseract.js-data/eng'), '4.0.0_best_int'),
  };
}

type TesseractWorker = Awaited<ReturnType<typeof import('tesseract.js')['createWorker']>>;

/**
 * tesseract.js in a worker thread of this process, started on first use and kept for the next
 * image. Images are read one after another (OCR is CPU-bound; the queue's concurrency decides how
 * many engines run). A timeout terminates the thread (the next image starts a fresh one).
 */
export function tesseractEngine(opts: { cachePath?: string; logger?: Logger } = {}): OcrEngine {
  let worker: Promise<TesseractWorker> | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  const start = async (): Promise<TesseractWorker> => {
    const { createWorker, OEM } = await import('tesseract.js');
    return createWorker('eng', OEM.LSTM_ONLY, {
      ...offlinePaths(),
      // The model is read from node_modules each start; nothing is written (no cache to go stale).
      cacheMethod: 'none',
      cachePath: opts.cachePath ?? os.tmpdir(),
      gzip: true,
      errorHandler: (err: unknown) => opts.logger?.warn({ err: String(err) }, 'ocr worker error'),
    });
  };

  const stop = async () => {
    const w = worker;
    worker = undefined;
    if (w) await (await w.catch(() => undefined))?.terminate().catch(() => undefined);
  };

  const once = async (image: Buffer, timeoutMs: number): Promise<OcrResult> => {
    worker ??= start();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OcrTimeout(`OCR took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const w = await Promise.race([worker, timeout]);
      const { data } = await Promise.race([w.recognize(image), timeout]);
      return { text: data.text, confidence: data.confidence };
    } catch (err) {
      // A timed-out or failed thread may be stuck mid-image: start afresh next time.
      await stop();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    recognize(image, timeoutMs) {
      const run = chain.then(() => once(image, timeoutMs));
      chain = run.catch(() => undefined);
      return run;
    },
    async close() {
      await chain;
      await stop();
    },
  };
}
