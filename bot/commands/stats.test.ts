import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';
import { CHART_SIZE, labelColor, renderChart } from '../../workers/charts/render-chart.js';
import type { Reply } from '../reply.js';

const ann = { id: 'ann', name: 'Ann' };
const bob = { id: 'bob', name: 'Bob' };

/** Width, height and how many pixels are (close to) each colour. */
async function inspectPng(png: Buffer, colors: string[]) {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const g = canvas.getContext('2d');
  g.drawImage(img, 0, 0);
  const data = g.getImageData(0, 0, img.width, img.height).data;
  const rgb = colors.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
  const counts = colors.map(() => 0);
  let nonWhite = 0;
  for (let p = 0; p < data.length; p += 4) {
    if (data[p]! < 245 || data[p + 1]! < 245 || data[p + 2]! < 245) nonWhite++;
    rgb.forEach(([r, gg, b], i) => {
      if (Math.abs(data[p]! - r!) < 6 && Math.abs(data[p + 1]! - gg!) < 6 && Math.abs(data[p + 2]! - b!) < 6) counts[i]!++;
    });
  }
  return { width: img.width, height: img.height, counts, nonWhite };
}

const imageOf = (rs: Reply[]) => rs.find((r) => r.image)?.image;
const textOf = (rs: Reply[]) => rs.map((r) => [r.text, r.pre].filter(Boolean).join('\n')).join('\n');

describe('/stats and /chart', () => {
  let h: Harness;

  beforeAll(async () => {
    // 2026-12-01 09:00 in Berlin: November is last month, December has just begun.
    h = await createHarness({ now: '2026-12-01T08:00:00Z', extend: (s) => (s.renderChart = renderChart) });
    await h.say(ann, '/timezone Europe/Berlin');
    await h.say(ann, '/spend 40 #food 2026-10-15');
    await h.say(ann, '/income 1000 #salary 2026-10-01');
    await h.say(ann, '/spend 30 #food 2026-11-02');
    await h.say(ann, '/spend 20 #fun #food 2026-11-10');
    await h.say(ann, '/spend 15 2026-11-30 bus ticket');
    await h.say(ann, '/income 1200 #salary 2026-11-01');
    await h.say(ann, '/spend 7 #food'); // today, 1 December: not November
  });
  afterAll(() => h?.close());

  it('GIVEN last month THEN totals, by label (a record with two labels under both), and the change against the month before', async () => {
    const rs = await h.replies(ann, '/stats last-month');
    const text = textOf(rs);
    expect(text).toContain('November 2026 · EUR');
    expect(text).toMatch(/Income\s+1,200\.00/);
    expect(text).toMatch(/Expenses\s+65\.00/);
    expect(text).toMatch(/Net\s+\+1,135\.00/);
    expect(text).toContain('Records: 4');
    // October: expenses 40, income 1000, net 960.
    expect(text).toContain('vs October 2026: expenses +25.00 EUR (+63%), income +200.00 EUR (+20%), net +175.00 EUR (+18%)');
    expect(text).toMatch(/#food\s+50\.00\s+77%/);
    expect(text).toMatch(/#fun\s+20\.00\s+31%/);
    expect(text).toMatch(/no label\s+15\.00\s+23%/);
    expect(text).toMatch(/#salary\s+1,200\.00/);
  });

  it('GIVEN /stats THEN one reply carries the text and a 1080×1080 doughnut PNG coloured per label', async () => {
    const rs = await h.replies(ann, '/stats last-month');
    expect(rs).toHaveLength(1);
    const image = imageOf(rs)!;
    expect(image.alt).toContain('expenses by label');
    const png = await inspectPng(image.png, [labelColor('food')]);
    expect([png.width, png.height]).toEqual([CHART_SIZE.width, CHART_SIZE.height]);
    expect(png.counts[0]).toBeGreaterThan(20000); // the largest slice is drawn in food's own colour
  });

  it('GIVEN each chart kind THEN a PNG of the expected size with something drawn', async () => {
    for (const kind of ['pie', 'bars', 'balance', 'members']) {
      const rs = await h.replies(ann, `/chart ${kind} 2026`);
      const image = imageOf(rs);
      expect(image, kind).toBeDefined();
      const png = await inspectPng(image!.png, []);
      expect([png.width, png.height]).toEqual([1080, 1080]);
      expect(png.nonWhite, kind).toBeGreaterThan(20000);
      expect(rs[0]!.text).toContain('2026 · EUR');
    }
  });

  it('GIVEN the current month THEN /stats counts only this month in the book timezone', async () => {
    const text = await h.say(ann, '/stats');
    expect(text).toContain('December 2026');
    expect(text).toMatch(/Expenses\s+7\.00/);
    expect(text).toContain('Records: 1');
  });

  it('GIVEN a bad period or chart kind THEN a clear message and no image', async () => {
    expect(await h.say(ann, '/stats 2026-13')).toContain('is not a period');
    expect(await h.say(ann, '/stats next-month')).toContain('is not a period');
    const rs = await h.replies(ann, '/chart donut');
    expect(rs[0]!.text).toContain('/chart <pie|bars|balance|members> [period]');
    expect(imageOf(rs)).toBeUndefined();
  });
});

describe('multi-currency statistics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-11-24T12:00:00Z', extend: (s) => (s.renderChart = renderChart) });
    await h.say(ann, '/spend 100 #food');
    await h.say(ann, '/account add Dollars USD');
    await h.say(ann, '/spend 50 usd @Dollars #food');
  });
  afterAll(() => h?.close());

  it('GIVEN USD without a known rate THEN USD is shown apart and never added to EUR', async () => {
    const text = await h.say(ann, '/stats');
    expect(text).toMatch(/Expenses\s+100\.00\n\s+50\.00 USD/);
    expect(text).toContain('No exchange rate for USD');
    expect(text).not.toContain('150.00');
  });

  it('GIVEN /rate USD 0.9 THEN USD is converted into EUR and the rate is named', async () => {
    expect(await h.say(ann, '/rate USD 0.9')).toContain('1 USD = 0.9 EUR');
    const text = await h.say(ann, '/stats');
    expect(text).toMatch(/Expenses\s+145\.00/);
    expect(text).toContain('Converted into EUR at: 1 USD = 0.9 EUR');
  });

  it('GIVEN a later transfer with two amounts THEN its rate replaces the older one', async () => {
    h.clock.advance(60_000);
    await h.say(ann, '/transfer 92 eur 100 usd Main Dollars');
    expect(await h.say(ann, '/rates')).toContain('1 USD = 0.92 EUR (transfer 2026-11-24)');
    expect(await h.say(ann, '/stats')).toMatch(/Expenses\s+146\.00/);
  });
});

describe('charts without a renderer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({
      now: '2026-11-24T12:00:00Z',
      extend: (s) => {
        s.renderChart = async () => {
          throw new Error('worker gone');
        };
      },
    });
    await h.say(ann, '/spend 12.5 #food');
  });
  afterAll(() => h?.close());

  it('GIVEN rendering fails THEN /stats and /chart answer with text only, numbers included', async () => {
    const stats = await h.replies(ann, '/stats');
    expect(imageOf(stats)).toBeUndefined();
    expect(textOf(stats)).toMatch(/#food\s+12\.50/);
    const chart = await h.replies(ann, '/chart pie');
    expect(imageOf(chart)).toBeUndefined();
    expect(textOf(chart)).toContain('The chart could not be drawn right now');
    expect(textOf(chart)).toMatch(/food\s+12\.50/);
  });
});

describe('statistics in a group', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-11-24T12:00:00Z' });
  });
  afterAll(() => h?.close());

  it('GIVEN two members spending THEN /stats in the group shows each one', async () => {
    await h.say(ann, '/spend 30 #food', 'family');
    await h.say(bob, '/spend 10 #fun', 'family');
    await h.say(bob, '/income 5 #refund', 'family');
    const text = await h.say(ann, '/stats', 'family');
    expect(text).toContain('By member');
    expect(text).toMatch(/Ann\s+30\.00\s+0\.00/);
    expect(text).toMatch(/Bob\s+10\.00\s+\+5\.00/);
  });

  it('GIVEN a Russian book THEN /stats and /budgets answer in Russian', async () => {
    await h.say(ann, '/language ru', 'family');
    const text = await h.say(ann, '/stats', 'family');
    // Russian readers get Russian marks: a decimal comma (and a no-break space between thousands).
    expect(text).toMatch(/Расходы\s+40,00/);
    expect(text).toContain("расходы +40,00 EUR");
    expect(text).toContain('Расходы по меткам');
    expect(await h.say(ann, '/budgets', 'family')).toContain('Бюджетов пока нет');
  });
});
