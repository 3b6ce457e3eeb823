import { RECEIPT_LIMITS } from '../../domain/receipts/image-file.js';
import type { PdfReceipt } from './pdf-document.js';
import { readPdfInProcess } from './pdf-process.js';

export type { PdfReceipt } from './pdf-document.js';

/**
 * Reads a PDF receipt (`pdf-document.ts`: the text layer of its pages, else page 1 drawn for OCR;
 * page 1 kept as a JPEG) in a process of its own (`pdf-process.ts`), never in this one: first the
 * inflate guard (compressed streams that would inflate past `pdfMaxInflated` are
 * {@link BadReceiptImage} `pdf_inflates` before pdf.js reads a byte), then pdf.js, all within
 * `min(timeoutMs, pdfMaxMs)` (else `pdf_slow`) and a heap of `pdfMaxHeapMb` (else `pdf_memory`).
 * A damaged, encrypted or unreadable file is `bad_pdf`; too many pages `pdf_pages`.
 */
export async function readPdfReceipt(b: Buffer, timeoutMs: number): Promise<PdfReceipt> {
  return readPdfInProcess(b, Math.min(timeoutMs, RECEIPT_LIMITS.pdfMaxMs));
}
