/**
 * What a receipt file may be (issue 18): a photo or image bounded in bytes, in pixels and in side
 * length, or a PDF bounded in bytes and pages, so a crafted or huge file cannot take the worker's
 * memory or time. The header is read without decoding: the chat path checks it at once, the
 * worker again before it decodes.
 */
export const RECEIPT_LIMITS = {
  /** The file as sent. */
  maxBytes: 10 * 1024 * 1024,
  /** Width × height as decoded (a 10 MB PNG can hold a gigapixel of white). */
  maxPixels: 40_000_000,
  /** Long side given to OCR (receipt text stays legible; time stays bounded). */
  ocrMaxSide: 2000,
  /** Long side of the photo kept with the record. */
  keptMaxSide: 1600,
  keptQuality: 82,
  /** Pages of a PDF receipt (its text is read from all of them; without text, page 1 is OCR'd). */
  pdfMaxPages: 5,
  /** Characters of PDF text handed to the reader (a receipt has a few thousand). */
  pdfMaxChars: 50_000,
  /** Bytes a PDF's compressed streams may inflate to in all (a full-page colour scan ≈ 26 MB). */
  pdfMaxInflated: 100 * 1024 * 1024,
  /** Time a PDF may take to be opened, read and drawn (in its own thread, stopped after it). */
  pdfMaxMs: 20_000,
  /** JavaScript heap of the thread that reads a PDF (a receipt needs about 40 MB, pdf.js included). */
  pdfMaxHeapMb: 256,
} as const;

export type ImageType = 'png' | 'jpeg' | 'webp' | 'gif';

export interface ImageHeader {
  type: ImageType;
  mime: string;
  width: number;
  height: number;
}

/** A PDF receipt: its pages are counted and read on the worker. */
export interface PdfHeader {
  type: 'pdf';
  mime: 'application/pdf';
}

/** Why a file is not a receipt COIN can read; each has its own message. */
export type ImageProblem = 'too_large' | 'too_many_pixels' | 'not_image' | 'unreadable' | 'bad_pdf' | 'pdf_pages' | 'pdf_inflates' | 'pdf_slow' | 'pdf_memory';

export class BadReceiptImage extends Error {
  override readonly name = 'BadReceiptImage';
  constructor(readonly problem: ImageProblem) {
    super(`receipt image: ${problem}`);
  }
}

const ascii = (b: Buffer, start: number, end: number) => b.subarray(start, end).toString('latin1');

/** Type and size from the first bytes of a PNG, JPEG, WebP or GIF; undefined for anything else. */
export function readImageHeader(b: Buffer): ImageHeader | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && ascii(b, 12, 16) === 'IHDR')
    return { type: 'png', mime: 'image/png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a'))
    return { type: 'gif', mime: 'image/gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 30 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') {
    const chunk = ascii(b, 12, 16);
    const mime = 'image/webp';
    if (chunk === 'VP8X') return { type: 'webp', mime, width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (chunk === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { type: 'webp', mime, width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    if (chunk === 'VP8 ') return { type: 'webp', mime, width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    return undefined;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1]!;
      if (marker === 0xff) {
        i += 1;
        continue;
      }
      const len = b.readUInt16BE(i + 2);
      // Start of frame (any coding, not DHT/JPG/DAC): height then width.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
        return { type: 'jpeg', mime: 'image/jpeg', width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
      i += 2 + len;
    }
  }
  return undefined;
}

/** A PDF starts with `%PDF-` within its first 1,024 bytes (readers allow leading junk). */
export const isPdf = (b: Buffer): boolean => ascii(b, 0, 1024).includes('%PDF-');

/** Checks a file before anything decodes it; throws {@link BadReceiptImage}. */
export function checkReceiptFile(b: Buffer): ImageHeader | PdfHeader {
  if (b.length > RECEIPT_LIMITS.maxBytes) throw new BadReceiptImage('too_large');
  if (!readImageHeader(b) && isPdf(b)) return { type: 'pdf', mime: 'application/pdf' };
  return checkImageFile(b);
}

/** Checks an image (not a PDF) before anything decodes it; throws {@link BadReceiptImage}. */
export function checkImageFile(b: Buffer): ImageHeader {
  if (b.length > RECEIPT_LIMITS.maxBytes) throw new BadReceiptImage('too_large');
  const h = readImageHeader(b);
  if (!h) throw new BadReceiptImage('not_image');
  if (h.width < 1 || h.height < 1) throw new BadReceiptImage('unreadable');
  if (h.width * h.height > RECEIPT_LIMITS.maxPixels) throw new BadReceiptImage('too_many_pixels');
  return h;
}

