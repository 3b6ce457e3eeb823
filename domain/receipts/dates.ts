import { isCalendarDay, isoDay } from '../statements/dates.js';

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  янв: 1, фев: 2, мар: 3, апр: 4, мая: 5, май: 5, июн: 6, июл: 7, авг: 8, сен: 9, окт: 10, ноя: 11, дек: 12,
};

const year = (y: string): number => (y.length === 2 ? (Number(y) < 70 ? 2000 + Number(y) : 1900 + Number(y)) : Number(y));

/**
 * The first date printed on a receipt, as `YYYY-MM-DD`: `2026-12-05`, `05.12.2026`, `05/12/26`,
 * `5-12-2026`, `5 Dec 2026`, `Dec 5, 2026`, `05 дек 2026`. Numeric dates are read day first (as
 * most of the world prints them) unless only month-first names a real day (`12/31/2026`).
 * Undefined when there is none.
 */
export function findReceiptDate(text: string): string | undefined {
  const patterns: [RegExp, (m: RegExpExecArray) => string | undefined][] = [
    [/(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)/g, (m) => day(Number(m[1]), Number(m[2]), Number(m[3]))],
    [
      /(?<![\d.])(\d{1,2})[-./](\d{1,2})[-./](\d{4}|\d{2})(?![\d]|[.,]\d)/g,
      (m) => {
        const a = Number(m[1]);
        const b = Number(m[2]);
        const y = year(m[3]!);
        return day(y, b, a) ?? day(y, a, b);
      },
    ],
    [/(?<!\d)(\d{1,2})\.?\s+([A-Za-zА-Яа-яё]{3,9})\.?,?\s+(\d{4})(?!\d)/g, (m) => named(m[3]!, m[2]!, m[1]!)],
    [/\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?!\d)/g, (m) => named(m[3]!, m[1]!, m[2]!)],
  ];
  let best: { at: number; iso: string } | undefined;
  for (const [re, read] of patterns) {
    for (const m of text.matchAll(re)) {
      const iso = read(m as RegExpExecArray);
      if (iso && (!best || m.index! < best.at)) best = { at: m.index!, iso };
    }
  }
  return best?.iso;
}

/** Receipts are printed this century: `2626` is a misread 2026, not a date to record. */
function day(y: number, m: number, d: number): string | undefined {
  return y >= 2000 && y < 2100 && isCalendarDay(y, m, d) ? isoDay(y, m, d) : undefined;
}

function named(y: string, monthName: string, d: string): string | undefined {
  const m = MONTHS[monthName.slice(0, 3).toLowerCase()];
  return m === undefined ? undefined : day(year(y), m, Number(d));
}
