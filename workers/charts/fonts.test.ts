import { createCanvas, loadImage } from '@napi-rs/canvas';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ChartSpec } from '../../bot/presentation/chart-types.js';
import { CHART_FONT_NAME } from './fonts.js';
import { CHART_SIZE, renderChart } from './render-chart.js';
import { SAMPLE_SPECS } from '../../test/chart-samples.js';

/** A Russian book's pie chart: Cyrillic title, subtitle, labels, and the "Итого" in the centre. */
const RUSSIAN: ChartSpec = {
  kind: 'pie',
  title: 'Семейный бюджет — расходы по меткам',
  subtitle: 'Ноябрь 2026 · RUB',
  currency: 'RUB',
  lang: 'ru',
  slices: [
    { label: 'Продукты', minor: 1_845_000 },
    { label: 'Квартира', minor: 4_500_000 },
    { label: 'Транспорт', minor: 312_000 },
    { label: 'Кафе и рестораны', minor: 640_000 },
  ],
};
const ENGLISH = SAMPLE_SPECS.pie;

/** Share of (near-)black pixels in a rectangle of a decoded PNG: text is drawn near-black. */
async function darkShare(png: Buffer, x0: number, y0: number, x1: number, y1: number): Promise<number> {
  const image = await loadImage(png);
  const ctx = createCanvas(image.width, image.height).getContext('2d');
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(x0, y0, x1 - x0, y1 - y0).data;
  let dark = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i]! < 96 && data[i + 1]! < 96 && data[i + 2]! < 96) dark++;
  return dark / (data.length / 4);
}

// The title band: under the 36px margin, about 50px of 44px bold text, across the image.
const TITLE = [36, 36, CHART_SIZE.width - 36, 90] as const;

/**
 * Skia in @napi-rs/canvas reads system fonts from /usr/share/fonts itself (no fontconfig). To
 * see what a machine without fonts draws, a child process runs in a private mount namespace with
 * an empty tmpfs over that folder (`unshare` as an unprivileged user namespace); where the folder
 * does not exist, the machine already has no system fonts and the child runs as it is.
 */
const FONT_DIR = '/usr/share/fonts';
const hide = existsSync(FONT_DIR)
  ? ['unshare', '--map-root-user', '--mount', 'sh', '-c', `mount -t tmpfs none ${FONT_DIR} && exec "$0" "$@"`]
  : [];
const canHide = hide.length === 0 || spawnSync(hide[0]!, [...hide.slice(1), 'true']).status === 0;

const CHILD = `
const { GlobalFonts, createCanvas } = await import('@napi-rs/canvas');
const ctx = createCanvas(64, 64).getContext('2d');
const glyph = (ch, family) => {
  ctx.clearRect(0, 0, 64, 64);
  ctx.font = '40px ' + family;
  ctx.fillStyle = '#000';
  ctx.fillText(ch, 8, 48);
  return Buffer.from(ctx.getImageData(0, 0, 64, 64).data).toString('base64');
};
const letters = [...'ИтогЖдЯQgW'];
// First what the machine offers by itself, then with COIN's renderer loaded (it registers the font).
const bare = { families: GlobalFonts.families.map((f) => f.family), glyphs: letters.map((ch) => glyph(ch, "'${CHART_FONT_NAME}', sans-serif")) };
const { renderChart } = await import(${JSON.stringify(fileURLToPath(new URL('./render-chart.ts', import.meta.url)))});
process.stdout.write(JSON.stringify({
  bare,
  families: GlobalFonts.families.map((f) => f.family),
  glyphs: letters.map((ch) => glyph(ch, "'${CHART_FONT_NAME}', sans-serif")),
  pngs: await Promise.all(JSON.parse(process.env.SPECS).map(async (s) => (await renderChart(s)).toString('base64'))),
}));
`;

interface ChildReport {
  bare: { families: string[]; glyphs: string[] };
  families: string[];
  glyphs: string[];
  pngs: string[];
}

function runWithoutSystemFonts(specs: ChartSpec[]): ChildReport {
  const command = [...hide, process.execPath, '--import', 'tsx', '--input-type=module', '-e', CHILD];
  const child = spawnSync(command[0]!, command.slice(1), {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // Nothing from fontconfig either: no config file, and a HOME without ~/.fonts.
    env: { ...process.env, SPECS: JSON.stringify(specs), FONTCONFIG_FILE: '/dev/null', FONTCONFIG_PATH: '/nonexistent', HOME: '/nonexistent' },
  });
  if (child.status !== 0) throw new Error(`font child failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as ChildReport;
}

const isBlank = (rgba: string): boolean => Buffer.from(rgba, 'base64').every((byte) => byte === 0);

describe('chart text without system fonts', () => {
  it.each([
    ['Russian', RUSSIAN],
    ['English', ENGLISH],
  ])('GIVEN the %s chart THEN its title is drawn as text (dark glyph pixels in the title band)', async (_, spec) => {
    const png = await renderChart(spec);
    expect(await darkShare(png, ...TITLE)).toBeGreaterThan(0.03);
    // …and the band below the subtitle's line stays clear of title ink (the measure can tell).
    expect(await darkShare(png, 36, 8, CHART_SIZE.width - 36, 34)).toBe(0);
  });

  it.skipIf(!canHide)(
    'GIVEN a machine with no system fonts THEN Cyrillic and Latin glyphs are real and the charts are byte-identical',
    async () => {
      const report = runWithoutSystemFonts([RUSSIAN, ENGLISH]);
      // The child really sees no system font: by itself the canvas knows no family and draws
      // nothing for any letter (what a slim container drew before the font was bundled)…
      expect(report.bare.families).toEqual([]);
      expect(report.bare.glyphs.every(isBlank)).toBe(true);
      // …and once COIN's renderer is loaded, the bundled font is there and draws every letter,
      // each one differently: real glyphs, no tofu boxes.
      expect([...new Set(report.families)]).toEqual([CHART_FONT_NAME]);
      expect(report.glyphs.some(isBlank)).toBe(false);
      expect(new Set(report.glyphs).size).toBe(report.glyphs.length);
      // The charts come out exactly as on this machine with its fonts: nothing depends on them.
      const [russian, english] = report.pngs.map((b) => Buffer.from(b, 'base64'));
      expect(russian!.equals(await renderChart(RUSSIAN))).toBe(true);
      expect(english!.equals(await renderChart(ENGLISH))).toBe(true);
      expect(await darkShare(russian!, ...TITLE)).toBeGreaterThan(0.03);
    },
  );
});
