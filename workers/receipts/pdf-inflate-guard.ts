import { constants, inflateSync } from 'node:zlib';

/**
 * Whether the Flate streams of a PDF inflate to at most `budget` bytes in all — checked before
 * pdf.js reads the file, because pdf.js inflates whatever a page asks for: a 400 KB file can
 * hold a content stream of 400 MB of spaces, which took a reading process to 1.6 GB. Each stream
 * is inflated with Node's zlib and a cap on its output (nothing past the budget is held), the
 * stream found between `stream` and `endstream` of an object whose dictionary names
 * `/FlateDecode`. A stream zlib cannot read is left for pdf.js to judge.
 */
export function inflatesWithin(pdf: Buffer, budget: number): boolean {
  const text = pdf.toString('latin1');
  const opening = /stream\r?\n/g;
  let used = 0;
  for (let m = opening.exec(text); m; m = opening.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) break;
    opening.lastIndex = end + 'endstream'.length;
    const dict = text.slice(Math.max(0, text.lastIndexOf(' obj', m.index)), m.index);
    if (!dict.includes('/FlateDecode')) continue;
    try {
      used += inflateSync(pdf.subarray(start, end), { maxOutputLength: budget - used + 1, finishFlush: constants.Z_SYNC_FLUSH }).length;
    } catch (e) {
      if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return false;
      continue;
    }
    if (used > budget) return false;
  }
  return true;
}
