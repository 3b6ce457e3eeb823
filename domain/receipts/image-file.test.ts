import { describe, expect, it } from 'vitest';
import { BadReceiptImage, checkReceiptFile, readImageHeader, RECEIPT_LIMITS } from './image-file.js';

const png = (w: number, h: number) => {
  const b = Buffer.alloc(33);
  Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').copy(b);
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  return b;
};
// SOI, an APP0 segment, then a baseline start of frame: height 300, width 200.
const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffc0000b08012c00c801011100ffd9', 'hex');
const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([0x40, 0x01, 0xf0, 0x00]), Buffer.alloc(8)]);
const webp = (() => {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'latin1');
  b.write('WEBPVP8X', 8, 'latin1');
  b.writeUIntLE(639, 24, 3);
  b.writeUIntLE(479, 27, 3);
  return b;
})();

const problem = (b: Buffer) => {
  try {
    checkReceiptFile(b);
    return undefined;
  } catch (e) {
    return (e as BadReceiptImage).problem;
  }
};

describe('receipt image files', () => {
  it('reads type and size from the header of PNG, JPEG, GIF and WebP', () => {
    expect(readImageHeader(png(400, 600))).toEqual({ type: 'png', mime: 'image/png', width: 400, height: 600 });
    expect(readImageHeader(jpeg)).toEqual({ type: 'jpeg', mime: 'image/jpeg', width: 200, height: 300 });
    expect(readImageHeader(gif)).toEqual({ type: 'gif', mime: 'image/gif', width: 320, height: 240 });
    expect(readImageHeader(webp)).toEqual({ type: 'webp', mime: 'image/webp', width: 640, height: 480 });
  });

  it('refuses what it cannot or must not read, each with its reason', () => {
    expect(problem(png(400, 600))).toBeUndefined();
    expect(problem(Buffer.from('%PDF-1.7\n'))).toBeUndefined();
    expect(checkReceiptFile(Buffer.from('\r\n%PDF-1.4\n'))).toEqual({ type: 'pdf', mime: 'application/pdf' });
    expect(problem(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(RECEIPT_LIMITS.maxBytes)]))).toBe('too_large');
    expect(problem(Buffer.from('date,amount\n2026-01-01,1\n'))).toBe('not_image');
    expect(problem(Buffer.alloc(0))).toBe('not_image');
    expect(problem(png(10_000, 10_000))).toBe('too_many_pixels');
    expect(problem(png(0, 10))).toBe('unreadable');
    expect(problem(Buffer.concat([png(10, 10), Buffer.alloc(RECEIPT_LIMITS.maxBytes)]))).toBe('too_large');
    // A JPEG whose segments run off the end is not read past it.
    expect(problem(Buffer.from('ffd8ffe0ffff', 'hex'))).toBe('not_image');
  });
});
