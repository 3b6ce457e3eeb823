import { createRequire } from 'node:module';
import path from 'node:path';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { mulberry32 } from '../seeded-random.js';

/**
 * Receipts drawn for the tests and the benchmark (issue 18): printed lines in a DejaVu face from
 * the `dejavu-fonts-ttf` package, at a size, turned a little, with speckle noise. Nothing here
 * knows what OCR will make of them: the expected total is what the shop "printed".
 */
export interface SampleReceipt {
  name: string;
  currency: string;
  merchant: string;
  /** `YYYY-MM-DD` printed on it. */
  date: string;
  /** Item lines: name and price in minor units. */
  items: [string, number][];
  /** What the total line says (`TOTAL`, `ИТОГО`…); none: the slip prints no total line. */
  totalWord?: string | undefined;
  /** How dates and decimals are printed. */
  style: 'en' | 'ru' | 'de';
  /** A payment line after the total (`VISA`, `НАЛИЧНЫМИ` with change). */
  payment?: 'card' | 'cash' | undefined;
}

export const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'DejaVu Sans Condensed'] as const;
export type Font = (typeof FONTS)[number];

export interface Look {
  font: Font;
  /** Pixel size of the text. */
  size: number;
  /** Degrees, clockwise. */
  rotate: number;
  /** Share of pixels speckled (0…0.05). */
  noise: number;
  seed: number;
}

export const CLEAN: Look = { font: 'DejaVu Sans Mono', size: 18, rotate: 0, noise: 0, seed: 1 };

const require = createRequire(import.meta.url);
let registered = false;
function registerFonts() {
  if (registered) return;
  const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const files: [string, Font][] = [
    ['DejaVuSans.ttf', 'DejaVu Sans'],
    ['DejaVuSerif.ttf', 'DejaVu Serif'],
    ['DejaVuSansMono.ttf', 'DejaVu Sans Mono'],
    ['DejaVuSansCondensed.ttf', 'DejaVu Sans Condensed'],
  ];
  for (const [file, family] of files) if (!GlobalFonts.registerFromPath(path.join(dir, file), family)) throw new Error(`font ${file} not loaded`);
  registered = true;
}

export const totalOf = (r: SampleReceipt): number => r.items.reduce((s, [, p]) => s + p, 0);

function money(minor: number, style: SampleReceipt['style']): string {
  const major = Math.floor(minor / 100);
  const cents = String(minor % 100).padStart(2, '0');
  if (style === 'en') return `${major.toLocaleString('en-US')}.${cents}`;
  const grouped = String(major).replace(/\B(?=(\d{3})+(?!\d))/g, style === 'ru' ? ' ' : '.');
  return `${grouped},${cents}`;
}

function dateText(iso: string, style: SampleReceipt['style']): string {
  const [y, m, d] = iso.split('-');
  return style === 'en' ? `${d}/${m}/${y} 14:32` : `${d}.${m}.${y} 14:32`;
}

/** The printed lines, left and right parts (a right part is aligned to the edge). */
export function receiptLines(r: SampleReceipt): [string, string][] {
  const total = totalOf(r);
  const m = (v: number) => money(v, r.style);
  const lines: [string, string][] = [[r.merchant, ''], [r.style === 'ru' ? 'КАССОВЫЙ ЧЕК' : r.style === 'de' ? 'Kassenbon' : 'Receipt', ''], [dateText(r.date, r.style), '']];
  lines.push(['-'.repeat(28), '']);
  for (const [name, price] of r.items) lines.push([name, m(price)]);
  lines.push(['-'.repeat(28), '']);
  if (r.totalWord) lines.push([r.totalWord, m(total)]);
  if (r.payment === 'card') lines.push([r.style === 'ru' ? 'БЕЗНАЛИЧНЫМИ' : 'VISA', m(total)]);
  if (r.payment === 'cash') {
    const given = [500, 1000, 2000, 5000, 10_000, 50_000, 100_000, 500_000, 5_000_000].find((b) => b > total) ?? total;
    lines.push([r.style === 'ru' ? 'НАЛИЧНЫМИ' : r.style === 'de' ? 'Gegeben' : 'CASH', m(given)]);
    lines.push([r.style === 'ru' ? 'СДАЧА' : r.style === 'de' ? 'Rückgeld' : 'CHANGE', m(given - total)]);
  }
  lines.push([r.style === 'ru' ? 'СПАСИБО ЗА ПОКУПКУ' : r.style === 'de' ? 'Vielen Dank' : 'Thank you!', '']);
  return lines;
}

/** Where text is drawn: a canvas, or a page of a PDF (whose text is then its text layer). */
export type TextSurface = Pick<SKRSContext2D, 'fillText' | 'textAlign' | 'font' | 'fillStyle'>;

/** Prints the lines: the left part at the margin, the right part aligned to the edge. */
export function drawLines(g: TextSurface, lines: [string, string][], at: { font: Font; size: number; pad: number; width: number; lineH: number }): void {
  registerFonts();
  g.fillStyle = '#1a1a1a';
  g.font = `${at.size}px "${at.font}"`;
  lines.forEach(([left, right], i) => {
    const y = at.pad + at.lineH * (i + 1);
    g.textAlign = 'left';
    g.fillText(left, at.pad, y);
    if (right) {
      g.textAlign = 'right';
      g.fillText(right, at.pad + at.width, y);
    }
  });
}

/** Draws a receipt as a PNG (grey on white, about 400 px wide at size 18). */
export function renderReceipt(r: SampleReceipt, look: Look = CLEAN): Buffer {
  registerFonts();
  const lines = receiptLines(r);
  const lineH = Math.round(look.size * 1.45);
  const width = Math.round(look.size * 22);
  const height = lineH * (lines.length + 1);
  const pad = Math.round(look.size * 1.2);
  const canvas = createCanvas(width + 2 * pad, height + 2 * pad);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.translate(canvas.width / 2, canvas.height / 2);
  g.rotate((look.rotate * Math.PI) / 180);
  g.translate(-canvas.width / 2, -canvas.height / 2);
  drawLines(g, lines, { ...look, pad, width, lineH });
  if (look.noise > 0) {
    g.setTransform(1, 0, 0, 1, 0, 0);
    const rnd = mulberry32(look.seed);
    const img = g.getImageData(0, 0, canvas.width, canvas.height);
    const n = Math.round(canvas.width * canvas.height * look.noise);
    for (let k = 0; k < n; k++) {
      const p = Math.floor(rnd() * canvas.width * canvas.height) * 4;
      const v = rnd() < 0.5 ? 40 + rnd() * 80 : 255;
      img.data[p] = img.data[p + 1] = img.data[p + 2] = v;
    }
    g.putImageData(img, 0, 0);
  }
  return canvas.toBuffer('image/png');
}

/** Ten receipts with a total line (English, Russian, German), and slips without one. */
export const SAMPLE_RECEIPTS: SampleReceipt[] = [
  { name: 'supermart', currency: 'EUR', merchant: 'SUPERMART', date: '2026-12-05', style: 'en', totalWord: 'TOTAL', payment: 'card', items: [['Milk', 129], ['Bread', 245], ['Cheddar', 499], ['Apples 1kg', 310]] },
  { name: 'corner-cafe', currency: 'EUR', merchant: 'CORNER CAFE', date: '2026-11-28', style: 'en', totalWord: 'Total', items: [['Latte', 380], ['Croissant', 240]] },
  { name: 'hardware', currency: 'USD', merchant: 'BOLT & NUT HARDWARE', date: '2026-10-03', style: 'en', totalWord: 'AMOUNT DUE', payment: 'cash', items: [['Screws x100', 749], ['Drill bit', 1299], ['Tape', 425]] },
  { name: 'pharmacy', currency: 'GBP', merchant: 'HIGH ST PHARMACY', date: '2026-09-14', style: 'en', totalWord: 'TOTAL', payment: 'card', items: [['Vitamins', 899], ['Plasters', 350]] },
  { name: 'electronics', currency: 'USD', merchant: 'VOLTAGE STORE', date: '2026-08-21', style: 'en', totalWord: 'GRAND TOTAL', payment: 'card', items: [['Headphones', 12999], ['Cable', 1499], ['Adapter', 2450]] },
  { name: 'baeckerei', currency: 'EUR', merchant: 'BAECKEREI SCHMIDT', date: '2026-12-01', style: 'de', totalWord: 'SUMME EUR', payment: 'cash', items: [['Brezel', 90], ['Kaffee', 280], ['Kuchen', 350]] },
  { name: 'pyaterochka', currency: 'RUB', merchant: 'МАГАЗИН У ДОМА', date: '2026-12-04', style: 'ru', totalWord: 'ИТОГО', payment: 'card', items: [['Молоко', 8990], ['Хлеб', 4500], ['Сыр', 34999]] },
  { name: 'apteka', currency: 'RUB', merchant: 'АПТЕКА', date: '2026-11-17', style: 'ru', totalWord: 'ИТОГО', payment: 'cash', items: [['Бинт', 5600], ['Аспирин', 12450]] },
  { name: 'kafe', currency: 'RUB', merchant: 'КАФЕ ЛУНА', date: '2026-10-30', style: 'ru', totalWord: 'К ОПЛАТЕ', items: [['Капучино', 22000], ['Пирог', 18500], ['Чай', 9000]] },
  { name: 'bigshop', currency: 'RUB', merchant: 'ГИПЕРМАРКЕТ', date: '2026-07-09', style: 'ru', totalWord: 'ИТОГО', payment: 'card', items: [['Телевизор', 3499000], ['Кронштейн', 149900]] },
];

/** Slips that print no total: the reader must ask, not guess. */
export const NO_TOTAL_RECEIPTS: SampleReceipt[] = [
  { name: 'no-total-en', currency: 'EUR', merchant: 'MARKET STALL', date: '2026-12-02', style: 'en', items: [['Tomatoes', 320], ['Onions', 150]] },
  { name: 'no-total-ru', currency: 'RUB', merchant: 'РЫНОК', date: '2026-12-02', style: 'ru', items: [['Картофель', 12000], ['Морковь', 6000]] },
];
