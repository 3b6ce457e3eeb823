import { createRequire } from 'node:module';
import path from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';

/**
 * Chart text is drawn with DejaVu Sans shipped inside the `dejavu-fonts-ttf` npm package, so a
 * machine with no system fonts (a slim container, a bare VM) draws the same legible glyphs,
 * Cyrillic included. Skia's font manager would otherwise fall back to whatever fontconfig
 * finds, or to nothing at all.
 */
const require = createRequire(import.meta.url);
const ttfDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export const CHART_FONT_NAME = 'DejaVu Sans';

let registered = false;

/** Registers the bundled DejaVu Sans (regular and bold) once per process. */
export function registerChartFonts(): void {
  if (registered) return;
  for (const file of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']) {
    if (!GlobalFonts.registerFromPath(path.join(ttfDir, file), CHART_FONT_NAME))
      throw new Error(`chart font ${file} could not be loaded from ${ttfDir}`);
  }
  registered = true;
}
