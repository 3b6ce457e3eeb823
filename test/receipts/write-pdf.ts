import { deflateSync } from 'node:zlib';
import { Image, PDFDocument, type SKRSContext2D } from '@napi-rs/canvas';
import { drawLines, receiptLines, renderReceipt, type SampleReceipt } from './render-receipt.js';

/**
 * PDF receipts written by the tests (issue 18) with Skia's PDF backend in @napi-rs/canvas, as a
 * shop's till or a banking app would send them:
 * - `text`: the lines set in DejaVu Sans Mono on an 80 mm roll page; the font is embedded with
 *   its Unicode map, so the PDF has a text layer (Cyrillic included) and no picture;
 * - `scan`: the receipt drawn as a PNG and placed on the page as an image, with no text at all
 *   (a scanned or photographed receipt saved as PDF).
 * `pages` adds blank pages after the first.
 */
export function receiptPdf(r: SampleReceipt, opts: { layer: 'text' | 'scan'; pages?: number }): Buffer {
  const doc = new PDFDocument({ title: `Receipt ${r.name}`, producer: 'COIN tests' });
  const pt = 9;
  const lines = receiptLines(r);
  const lineH = Math.round(pt * 1.45);
  const pad = 12;
  const width = 226 - 2 * pad;
  if (opts.layer === 'text') {
    const g = doc.beginPage(226, lineH * (lines.length + 1) + 2 * pad);
    drawLines(g, lines, { font: 'DejaVu Sans Mono', size: pt, pad, width, lineH });
  } else {
    const img = new Image();
    img.src = renderReceipt(r);
    const height = Math.round((226 * img.height) / img.width);
    // The page's context is the canvas one (its declared type leaves drawImage out).
    (doc.beginPage(226, height) as unknown as SKRSContext2D).drawImage(img, 0, 0, 226, height);
  }
  doc.endPage();
  for (let p = 1; p < (opts.pages ?? 1); p++) {
    doc.beginPage(226, 300);
    doc.endPage();
  }
  return doc.close();
}

/**
 * A PDF written by hand, object by object, as the simplest tills write them: one page, the lines
 * in Helvetica, one of the 14 standard fonts a PDF may name without embedding it (the reader
 * brings its own metrics and outlines). Latin text only (WinAnsi).
 */
export function standardFontPdf(lines: string[], opts: { deflatedPadding?: number; deflatedTail?: Buffer } = {}): Buffer {
  const height = 40 + lines.length * 12;
  const escape = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  const text = ['BT', '/F1 9 Tf', '12 TL', `14 ${height - 24} Td`, ...lines.map((l) => `(${escape(l)}) Tj T*`), 'ET'].join('\n');
  // `deflatedPadding`: the content stream Flate-compressed, followed by that many spaces (content
  // whitespace: the page reads the same), as a compression bomb would be. `deflatedTail`: followed
  // by these content operators instead (a page that is slow or heavy to parse).
  const tail = opts.deflatedTail ?? (opts.deflatedPadding === undefined ? undefined : Buffer.alloc(opts.deflatedPadding, 0x20));
  const padded = tail === undefined ? undefined : deflateSync(Buffer.concat([Buffer.from(text + '\n', 'latin1'), tail]));
  const content = padded ? padded.toString('latin1') : text;
  const filter = padded ? ' /Filter /FlateDecode' : '';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 226 ${height}] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')}${filter} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
