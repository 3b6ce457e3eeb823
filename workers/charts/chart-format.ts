import { minorDigits } from '../../domain/money/money.js';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/**
 * Axis tick text: a tick value in minor units shown as compact major units ("1.5K", "250",
 * "-2M"). Ticks are forced to integers (Chart.js `precision: 0`), and only this display step
 * divides; amounts printed as money always go through `formatMoney`.
 */
export function compactMinor(minor: number, currency: string): string {
  return compact.format(Math.round(minor) / 10 ** minorDigits(currency));
}

/** Same as {@link compactMinor} for a value already scaled to `digits` minor digits. */
export function compactScaled(value: number, digits: number): string {
  return compact.format(Math.round(value) / 10 ** digits);
}

/**
 * Whole percent of `part` in `total`, rounded half up with integer arithmetic; a positive part
 * that rounds to 0 shows as "<1%" so a visible slice never claims to be nothing.
 */
export function percentText(part: number, total: number): string {
  if (total <= 0) return '0%';
  const pct = Math.floor((200 * part + total) / (2 * total));
  return pct === 0 && part > 0 ? '<1%' : `${pct}%`;
}
