import type { Canvas } from '@napi-rs/canvas';
import { checkImageFile, BadReceiptImage, RECEIPT_LIMITS } from '../../domain/receipts/image-file.js';

/**
 * Decodes a checked file: a PNG for OCR (long side at most `ocrMaxSide`) and the JPEG kept with
 * the record (at most `keptMaxSide`). The canvas library loads on first use.
 */
export async function prepareReceiptImage(b: Buffer): Promise<{ ocr: Buffer; kept: Buffer; keptMime: string }> {
  const header = checkImageFile(b);
  const { createCanvas, loadImage } = await import('@napi-rs/canvas');
  let img: Awaited<ReturnType<typeof loadImage>>;
  try {
    img = await loadImage(b);
  } catch {
    throw new BadReceiptImage('unreadable');
  }
  if (!img.width || !img.height || img.width !== header.width || img.height !== header.height) throw new BadReceiptImage('unreadable');
  const draw = async (maxSide: number, encode: (c: Canvas) => Promise<Buffer>) => {
    const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
    const c = createCanvas(Math.max(1, Math.round(img.width * scale)), Math.max(1, Math.round(img.height * scale)));
    const g = c.getContext('2d');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, c.width, c.height);
    g.drawImage(img, 0, 0, c.width, c.height);
    return encode(c);
  };
  const ocr = await draw(RECEIPT_LIMITS.ocrMaxSide, (c) => c.encode('png'));
  const kept = await draw(RECEIPT_LIMITS.keptMaxSide, (c) => c.encode('jpeg', RECEIPT_LIMITS.keptQuality));
  return { ocr, kept, keptMime: 'image/jpeg' };
}
