/**
 * Date layouts banks write, as patterns of `YYYY`, `YY`, `MM`, `M`, `DD`, `D` and literal
 * separators: `DD.MM.YYYY`, `MM/DD/YYYY`, `YYYY-MM-DD`, `D/M/YY`, `YYYYMMDD`.
 */
export type DateFormat = string;

const TOKEN = /YYYY|YY|MM|M|DD|D/g;
const cache = new Map<string, { re: RegExp; order: string[] }>();

function compile(format: DateFormat): { re: RegExp; order: string[] } {
  let hit = cache.get(format);
  if (hit) return hit;
  const order: string[] = [];
  let source = '';
  let last = 0;
  for (const m of format.matchAll(TOKEN)) {
    source += format.slice(last, m.index).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    order.push(m[0]);
    source += { YYYY: '(\\d{4})', YY: '(\\d{2})', MM: '(\\d{2})', M: '(\\d{1,2})', DD: '(\\d{2})', D: '(\\d{1,2})' }[m[0]];
    last = m.index! + m[0].length;
  }
  source += format.slice(last).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  hit = { re: new RegExp(`^${source}$`), order };
  cache.set(format, hit);
  return hit;
}

/** True when year/month/day name a real calendar day. */
export function isCalendarDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1900 || y > 2999) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

export const isoDay = (y: number, m: number, d: number): string =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/**
 * Reads `text` in `format` into `YYYY-MM-DD`; `undefined` when it does not fit or is no real day.
 * Two-digit years are 2000–2069 or 1970–1999.
 */
export function readDate(text: string, format: DateFormat): string | undefined {
  const { re, order } = compile(format);
  const m = re.exec(text.trim());
  if (!m) return undefined;
  let y = 0;
  let mo = 0;
  let d = 0;
  order.forEach((token, i) => {
    const n = Number(m[i + 1]);
    if (token === 'YYYY') y = n;
    else if (token === 'YY') y = n < 70 ? 2000 + n : 1900 + n;
    else if (token[0] === 'M') mo = n;
    else d = n;
  });
  return isCalendarDay(y, mo, d) ? isoDay(y, mo, d) : undefined;
}

/** Shifts a `YYYY-MM-DD` day by whole days. */
export function addDays(day: string, days: number): string {
  const t = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (both `YYYY-MM-DD`). */
export function daysBetween(a: string, b: string): number {
  const t = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
  return Math.round((t(b) - t(a)) / 86_400_000);
}
