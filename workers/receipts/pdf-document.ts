import { createRequire } from 'node:module';
import path from 'node:path';
import type { Canvas } from '@napi-rs/canvas';
import { BadReceiptImage, RECEIPT_LIMITS } from '../../domain/receipts/image-file.js';
import { pdfTextLines, type PlacedText } from '../../domain/receipts/pdf-lines.js';
import { inflatesWithin } from './pdf-inflate-guard.js';

const require = createRequire(import.meta.url);

/** What a PDF receipt gives the reading job. */
export interface PdfReceipt {
  /** The text layer of its pages, line by line in reading order; empty when it has none (a scan). */
  text: string;
  /** Page 1 drawn for OCR (PNG): only when there is no text layer to read. */
  ocr?: Buffer | undefined;
  /** Page 1 as the JPEG kept with the record. */
  kept: Buffer;
  keptMime: string;
  pages: number;
}

/** Fewer letters and digits than this in the text layer: taken for a scan, and OCR'd. */
const MIN_TEXT_CHARS = 8;

/**
 * Every file pdf.js needs, inside node_modules (nothing fetched): the standard fonts a receipt
 * that does not embed Helvetica or Courier is drawn with, CMaps, and the image decoders' wasm.
 */
function pdfjsPaths() {
  const dir = path.dirname(require.resolve('pdfjs-dist/package.json'));
  const folder = (name: string) => path.join(dir, name) + path.sep;
  return { standardFontDataUrl: folder('standard_fonts'), cMapUrl: folder('cmaps'), wasmUrl: folder('wasm') };
}

const hasText = (text: string) => (text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= MIN_TEXT_CHARS;

/**
 * Reads a PDF receipt with pdf.js (the legacy build, for Node) where it is called — the PDF
 * process (`pdf-process.ts`), never COIN's own: at most `pdfMaxPages` pages; the text
 * layer of every page when it has one (the reader parses it like OCR output), else page 1 drawn at
 * OCR size for the OCR engine. Page 1 is always drawn as the photo kept with the record. A damaged,
 * encrypted or unreadable file is {@link BadReceiptImage} `bad_pdf`; too many pages `pdf_pages`;
 * compressed streams that would inflate past `pdfMaxInflated` `pdf_inflates` (checked before
 * pdf.js reads a byte). JavaScript in the file is never run. Its time and memory are bounded by
 * the process around it.
 */
export async function readPdfDocument(data: Uint8Array): Promise<PdfReceipt> {
  if (!inflatesWithin(Buffer.from(data.buffer, data.byteOffset, data.byteLength), RECEIPT_LIMITS.pdfMaxInflated)) throw new BadReceiptImage('pdf_inflates');
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = getDocument({
    // pdf.js takes the bytes over (detaches them).
    data,
    ...pdfjsPaths(),
    cMapPacked: true,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    maxImageSize: RECEIPT_LIMITS.maxPixels,
    verbosity: 0,
  });
  try {
    return await read(task);
  } finally {
    await task.destroy().catch(() => undefined);
  }
}

type LoadingTask = ReturnType<typeof import('pdfjs-dist/legacy/build/pdf.mjs')['getDocument']>;
type PdfDocument = Awaited<LoadingTask['promise']>;

async function read(task: LoadingTask): Promise<PdfReceipt> {
  let doc: PdfDocument;
  try {
    doc = await task.promise;
  } catch {
    // InvalidPDFException, PasswordException, a missing root: nothing a chat can fix but another file.
    throw new BadReceiptImage('bad_pdf');
  }
  if (doc.numPages < 1) throw new BadReceiptImage('bad_pdf');
  if (doc.numPages > RECEIPT_LIMITS.pdfMaxPages) throw new BadReceiptImage('pdf_pages');
  try {
    const lines: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const placed: PlacedText[] = [];
      for (const item of content.items) {
        if (!('str' in item) || !item.str) continue;
        placed.push({ str: item.str, x: item.transform[4] as number, y: item.transform[5] as number, width: item.width, height: item.height || Math.abs(item.transform[3] as number) });
      }
      lines.push(...pdfTextLines(placed));
      page.cleanup();
    }
    const text = lines.join('\n').slice(0, RECEIPT_LIMITS.pdfMaxChars);
    const { createCanvas } = await import('@napi-rs/canvas');
    const scanned = !hasText(text);
    const drawn = await drawPage(createCanvas, await doc.getPage(1), scanned ? RECEIPT_LIMITS.ocrMaxSide : RECEIPT_LIMITS.keptMaxSide);
    const kept = await shrink(createCanvas, drawn, RECEIPT_LIMITS.keptMaxSide).encode('jpeg', RECEIPT_LIMITS.keptQuality);
    return { text: scanned ? '' : text, ocr: scanned ? await drawn.encode('png') : undefined, kept, keptMime: 'image/jpeg', pages: doc.numPages };
  } catch (err) {
    if (err instanceof BadReceiptImage) throw err;
    throw new BadReceiptImage('bad_pdf');
  }
}

type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;
type CreateCanvas = (width: number, height: number) => Canvas;

/** Drawing resolution at most: 300 dpi (a PDF unit is 1/72 inch); a till slip is drawn that sharp. */
const MAX_SCALE = 300 / 72;

/** Page on a white canvas, its long side at most `maxSide` pixels and 300 dpi. */
async function drawPage(createCanvas: CreateCanvas, page: PdfPage, maxSide: number): Promise<Canvas> {
  const base = page.getViewport({ scale: 1 });
  const long = Math.max(base.width, base.height);
  if (!(long > 0)) throw new BadReceiptImage('bad_pdf');
  const viewport = page.getViewport({ scale: Math.min(MAX_SCALE, maxSide / long) });
  const canvas = createCanvas(Math.max(1, Math.round(viewport.width)), Math.max(1, Math.round(viewport.height)));
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvas: canvas as never, canvasContext: g as never, viewport }).promise;
  return canvas;
}

/** The same picture with its long side at most `maxSide`. */
function shrink(createCanvas: CreateCanvas, c: Canvas, maxSide: number): Canvas {
  const scale = Math.min(1, maxSide / Math.max(c.width, c.height));
  if (scale === 1) return c;
  const out = createCanvas(Math.max(1, Math.round(c.width * scale)), Math.max(1, Math.round(c.height * scale)));
  out.getContext('2d').drawImage(c, 0, 0, out.width, out.height);
  return out;
}
