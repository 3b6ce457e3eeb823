import { DateTime } from 'luxon';
import { formatDate } from '../domain/parsing/dates.js';
import type { Period } from '../domain/parsing/period.js';
import { formatMoney } from '../domain/money/money.js';
import type { Language, LedgerEvent } from '../domain/types.js';

/** `−4.50 EUR`, `+2,500.00 EUR`, `100.00 USD → 92.00 EUR` (`+2 500,00 EUR` in Russian) */
export function eventAmount(e: LedgerEvent, lang: Language): string {
  if (e.kind === 'expense') return `−${formatMoney(e.amountMinor, e.currency, { lang })}`;
  if (e.kind === 'income') return `+${formatMoney(e.amountMinor, e.currency, { lang })}`;
  const out = formatMoney(e.amountMinor, e.currency, { lang });
  return e.toCurrency && e.toCurrency !== e.currency ? `${out} → ${formatMoney(e.toAmountMinor ?? 0, e.toCurrency, { lang })}` : out;
}

/** One line per event: `#12 2026-11-24 −4.50 EUR #coffee @Main latte (Ann)` */
export function eventLine(e: LedgerEvent, tz: string, lang: Language, withAuthor = false): string {
  const parts = [`#${e.seq}`, formatDate(e.occurredAt, tz), eventAmount(e, lang)];
  if (e.kind === 'transfer') parts.push(`${e.accountName} → ${e.toAccountName ?? '?'}`);
  else {
    if (e.labels.length) parts.push(e.labels.map((l) => `#${l}`).join(' '));
    parts.push(`@${e.accountName}`);
  }
  if (e.note) parts.push(e.note);
  if (withAuthor && e.authorName) parts.push(`(${e.authorName})`);
  return parts.join(' ');
}

/** Short description for undo/delete confirmations: `−4.50 EUR #coffee`. */
export function eventSummary(e: LedgerEvent, lang: Language): string {
  const labels = e.labels.map((l) => `#${l}`).join(' ');
  return [eventAmount(e, lang), labels, e.kind === 'transfer' ? `${e.accountName} → ${e.toAccountName}` : '', e.note]
    .filter(Boolean)
    .join(' ');
}

/**
 * A period as people of the book's language name it: `November 2026`, `ноябрь 2026` (Russian
 * writes months in lower case, and the texts put it mid-sentence: «траты за ноябрь 2026»),
 * `2026-11-24`.
 */
export function periodText(p: Period, lang: Language): string {
  if (lang !== 'ru' || !p.month) return p.label;
  return DateTime.fromFormat(p.month, 'yyyy-LL', { locale: 'ru' }).toFormat('LLLL yyyy');
}
