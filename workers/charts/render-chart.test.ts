import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import type { ChartKind, ChartSpec } from '../../bot/presentation/chart-types.js';
import { OTHER_COLOR, PALETTE } from './palette.js';
import { CHART_SIZE, buildConfig, labelColor, renderChart } from './render-chart.js';
import { SAMPLE_SPECS } from '../../test/chart-samples.js';

const KINDS = Object.keys(SAMPLE_SPECS) as ChartKind[];
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

async function decode(png: Buffer): Promise<Pixels> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data };
}

const rgbaAt = (p: Pixels, x: number, y: number): number[] => {
  const i = (y * p.width + x) * 4;
  return [p.data[i]!, p.data[i + 1]!, p.data[i + 2]!, p.data[i + 3]!];
};

/** Share of pixels in the rectangle that are not (near-)white. */
function inkShare(p: Pixels, x0: number, y0: number, x1: number, y1: number): number {
  let ink = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const [r, g, b] = rgbaAt(p, x, y);
      if (r! < 235 || g! < 235 || b! < 235) ink++;
    }
  }
  return ink / ((x1 - x0) * (y1 - y0));
}

/** Pixels painted exactly in `hex` (slice and bar interiors are filled without antialiasing). */
function countColor(p: Pixels, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((o) => parseInt(hex.slice(o, o + 2), 16));
  let n = 0;
  for (let i = 0; i < p.data.length; i += 4) if (p.data[i] === r && p.data[i + 1] === g && p.data[i + 2] === b) n++;
  return n;
}

const pie = (slices: { label: string; minor: number }[]): ChartSpec => ({
  kind: 'pie',
  title: 'Family budget — expenses by label',
  subtitle: 'November 2026 · EUR',
  currency: 'EUR',
  slices,
});

function emptySpec(kind: ChartKind): ChartSpec {
  const base = { title: 'Family budget', subtitle: 'November 2026 · EUR', currency: 'EUR' };
  switch (kind) {
    case 'pie':
      return { ...base, kind, slices: [] };
    case 'bars':
      return { ...base, kind, months: [{ label: 'Nov', incomeMinor: 0, expenseMinor: 0 }] };
    case 'balance':
      return { ...base, kind, series: [] };
    case 'members':
      return { ...base, kind, rows: [] };
  }
}

describe('renderChart', () => {
  it.each(KINDS)('GIVEN a %s spec THEN it returns a PNG of CHART_SIZE', async (kind) => {
    const png = await renderChart(SAMPLE_SPECS[kind]);
    expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(CHART_SIZE.width);
    expect(png.readUInt32BE(20)).toBe(CHART_SIZE.height);
  });

  it.each(KINDS)('GIVEN a %s chart THEN the background is opaque white, not transparent', async (kind) => {
    const pixels = await decode(await renderChart(SAMPLE_SPECS[kind]));
    expect(rgbaAt(pixels, 2, 2)).toEqual([255, 255, 255, 255]);
    expect(rgbaAt(pixels, CHART_SIZE.width - 3, CHART_SIZE.height - 3)).toEqual([255, 255, 255, 255]);
  });

  it.each(KINDS)('GIVEN a %s spec without data THEN it renders a "no data" image instead of failing', async (kind) => {
    const pixels = await decode(await renderChart(emptySpec(kind)));
    expect(pixels.width).toBe(CHART_SIZE.width);
    const midY = CHART_SIZE.height / 2;
    // The message is written across the middle; nothing else is drawn in the plot area.
    expect(inkShare(pixels, 100, midY - 40, CHART_SIZE.width - 100, midY + 80)).toBeGreaterThan(0.01);
    expect(inkShare(pixels, 100, 250, CHART_SIZE.width - 100, midY - 60)).toBe(0);
  });

  it('GIVEN only refunds in the period THEN the pie chart is the "no expenses" image', async () => {
    const refunds = await renderChart(pie([{ label: 'Groceries', minor: -500 }]));
    const empty = await renderChart(pie([]));
    expect(refunds.equals(empty)).toBe(true);
  });

  it('GIVEN expenses THEN the doughnut is actually drawn around the centre of the image', async () => {
    const pixels = await decode(await renderChart(SAMPLE_SPECS.pie));
    expect(inkShare(pixels, 300, 180, 780, 600)).toBeGreaterThan(0.3);
  });

  it('GIVEN the same label in two different pie charts THEN it is painted in its labelColor in both', async () => {
    const alone = await decode(await renderChart(pie([{ label: 'Groceries', minor: 10000 }])));
    const mixed = await decode(await renderChart(SAMPLE_SPECS.pie));
    expect(countColor(alone, labelColor('Groceries'))).toBeGreaterThan(20_000);
    expect(countColor(mixed, labelColor('Groceries'))).toBeGreaterThan(5_000);
  });

  it('GIVEN more than 8 labels THEN the chart shows the top 8 and one grey "other" slice', async () => {
    const slices = Array.from({ length: 12 }, (_, i) => ({ label: `label ${i + 1}`, minor: (i + 1) * 1000 }));
    const config = buildConfig(pie(slices), CHART_SIZE);
    expect(config.data.labels).toEqual([...Array.from({ length: 8 }, (_, i) => `label ${12 - i}`), 'other']);
    const dataset = config.data.datasets[0]!;
    expect(dataset.data).toEqual([12000, 11000, 10000, 9000, 8000, 7000, 6000, 5000, 1000 + 2000 + 3000 + 4000]);
    const colors = dataset.backgroundColor as string[];
    expect(colors[8]).toBe(OTHER_COLOR);
    expect(new Set(colors).size).toBe(9); // no two slices share a colour
    const pixels = await decode(await renderChart(pie(slices)));
    expect(countColor(pixels, OTHER_COLOR)).toBeGreaterThan(1_000);
  });

  it('GIVEN a Russian book THEN the words and amounts the chart draws itself are Russian', () => {
    const slices = Array.from({ length: 10 }, (_, i) => ({ label: `метка ${i + 1}`, minor: (i + 1) * 100_000 }));
    const ruPie = buildConfig({ ...pie(slices), lang: 'ru' }, CHART_SIZE);
    expect(ruPie.data.labels!.at(-1)).toBe('прочее');
    const bars = SAMPLE_SPECS.bars;
    const ruBars = buildConfig({ ...bars, lang: 'ru' }, CHART_SIZE);
    expect(ruBars.data.datasets.map((d) => d.label)).toEqual(['Доходы', 'Расходы']);
    expect(buildConfig(bars, CHART_SIZE).data.datasets.map((d) => d.label)).toEqual(['Income', 'Expenses']);
  });

  it.each(KINDS)('GIVEN a %s chart THEN the PNG is compressed to a size a chat upload takes quickly', async (kind) => {
    // Raw 1080×1080 RGBA is 4.6 MB; the shipped settings give 70–115 KB for the samples.
    expect((await renderChart(SAMPLE_SPECS[kind])).length).toBeLessThan(160 * 1024);
  });

  it('GIVEN the same spec twice THEN the PNGs are byte-identical', async () => {
    for (const kind of KINDS) {
      const [a, b] = [await renderChart(SAMPLE_SPECS[kind]), await renderChart(SAMPLE_SPECS[kind])];
      expect(a.equals(b), kind).toBe(true);
    }
  });

  it('GIVEN many concurrent renders THEN each gets the same image as when rendered alone', async () => {
    const alone = new Map<ChartKind, Buffer>();
    for (const kind of KINDS) alone.set(kind, await renderChart(SAMPLE_SPECS[kind]));
    const kinds = [...KINDS, ...KINDS, ...KINDS];
    const together = await Promise.all(kinds.map((kind) => renderChart(SAMPLE_SPECS[kind])));
    together.forEach((png, i) => expect(png.equals(alone.get(kinds[i]!)!), kinds[i]).toBe(true));
  });

  it('GIVEN an unknown currency THEN it fails with currency_unknown', async () => {
    const error = await renderChart({ ...SAMPLE_SPECS.members, currency: 'XXX' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('currency_unknown');
  });

  it('GIVEN a fractional minor amount (a caller bug) THEN it refuses to draw it', async () => {
    await expect(renderChart(pie([{ label: 'Groceries', minor: 12.5 }]))).rejects.toThrow(/not an integer/);
  });
});

describe('labelColor', () => {
  it('GIVEN the same label in any case or padding THEN it is the same palette colour', () => {
    expect(labelColor('Groceries')).toBe(labelColor('groceries'));
    expect(labelColor('Groceries')).toBe(labelColor('  GROCERIES '));
    expect(PALETTE).toContain(labelColor('Groceries'));
  });

  it('GIVEN different everyday labels THEN they mostly get different colours', () => {
    const labels = ['Groceries', 'Rent', 'Transport', 'Eating out', 'Kids', 'Health', 'Utilities', 'Gifts', 'Books'];
    // Nine labels hashed into nine colours cannot all differ, but they must spread out.
    expect(new Set(labels.map(labelColor)).size).toBeGreaterThanOrEqual(5);
    expect(labelColor('Groceries')).not.toBe(labelColor('Rent'));
  });

  it('GIVEN labels whose colours collide THEN the larger keeps its colour and the smaller gets another', () => {
    const candidates = Array.from({ length: 100 }, (_, i) => `label ${i}`);
    const collision = candidates.find((l) => labelColor(l) === labelColor('Groceries'));
    expect(collision).toBeDefined();
    const config = buildConfig(pie([{ label: 'Groceries', minor: 500 }, { label: collision!, minor: 100 }]), CHART_SIZE);
    const [first, second] = config.data.datasets[0]!.backgroundColor as string[];
    expect(first).toBe(labelColor('Groceries'));
    expect(second).not.toBe(first);
  });
});
