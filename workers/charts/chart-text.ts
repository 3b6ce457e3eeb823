import { createCanvas } from '@napi-rs/canvas';
import { registerChartFonts } from './fonts.js';

registerChartFonts();

// One scratch context for measuring; measuring is synchronous, so sharing it is safe.
const scratch = createCanvas(8, 8).getContext('2d');

/** Width in pixels of `text` drawn with CSS `font`. */
export function textWidth(text: string, font: string): number {
  scratch.font = font;
  return scratch.measureText(text).width;
}

/** `text`, shortened with "…" until it fits `maxWidth` (labels are user-chosen and can be long). */
export function fitText(text: string, font: string, maxWidth: number): string {
  if (textWidth(text, font) <= maxWidth) return text;
  const chars = Array.from(text); // code points, so an emoji is never cut in half
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textWidth(chars.slice(0, mid).join('').trimEnd() + '…', font) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('').trimEnd() + '…';
}

/**
 * Word-wraps `text` into at most `maxLines` lines of `maxWidth`; the last line is shortened
 * with "…" if the text still does not fit. Chart titles carry user-chosen book names, and
 * Chart.js does not wrap titles by itself.
 */
export function wrapText(text: string, font: string, maxWidth: number, maxLines: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < words.length; i++) {
    const candidate = line ? `${line} ${words[i]}` : words[i]!;
    if (textWidth(candidate, font) <= maxWidth || !line) {
      line = candidate;
      continue;
    }
    if (lines.length === maxLines - 1) {
      lines.push(fitText(words.slice(i).reduce((acc, w) => `${acc} ${w}`, line), font, maxWidth));
      return lines;
    }
    lines.push(fitText(line, font, maxWidth)); // a single over-long word
    line = words[i]!;
  }
  if (line) lines.push(fitText(line, font, maxWidth));
  return lines;
}
