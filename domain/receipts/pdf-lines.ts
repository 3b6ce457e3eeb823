/** A run of text placed on a PDF page (PDF units: y grows upwards). */
export interface PlacedText {
  str: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The text of a PDF page as the lines a person reads, top to bottom, left to right, so the
 * receipt reader parses it like OCR output. Runs on the same baseline (within half a glyph's
 * height) are one line; a gap wider than a fifth of the glyph height is a space, so a PDF that
 * places every letter on its own still reads `TOTAL`, and `TOTAL` and `12.40` set in two columns
 * read `TOTAL 12.40`.
 */
export function pdfTextLines(runs: readonly PlacedText[]): string[] {
  const sorted = runs.filter((r) => r.str.trim() && Number.isFinite(r.x) && Number.isFinite(r.y)).sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: PlacedText[][] = [];
  for (const run of sorted) {
    const line = lines.at(-1);
    const head = line?.[0];
    if (line && head && Math.abs(head.y - run.y) <= Math.max(1, Math.min(head.height || 1, run.height || 1) / 2)) line.push(run);
    else lines.push([run]);
  }
  return lines.map((line) => {
    line.sort((a, b) => a.x - b.x);
    let text = '';
    let end = -Infinity;
    for (const run of line) {
      const gap = run.x - end;
      if (text && gap > Math.max(0.5, (run.height || 1) / 5) && !/\s$/.test(text) && !/^\s/.test(run.str)) text += ' ';
      text += run.str;
      end = Math.max(end, run.x + run.width);
    }
    return text.replace(/\s+/g, ' ').trim();
  });
}
