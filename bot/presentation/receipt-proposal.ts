import { formatMoney } from '../../domain/money/money.js';
import type { ReceiptProposal } from '../../domain/receipts/ports.js';
import { SURE } from '../../domain/receipts/read-receipt.js';
import type { Language } from '../../domain/types.js';
import { t } from '../i18n/index.js';
import type { Reply } from '../reply.js';
import { RECEIPT_LIMITS, type ImageProblem } from '../../domain/receipts/image-file.js';

/** Button actions of a proposal (`receipt_record:17`); the argument is the scan id. */
export const RECEIPT_ACTIONS = { record: 'receipt_record', edit: 'receipt_edit', cancel: 'receipt_cancel' } as const;

/** `/receipt record 17 12.40 #groceries Lidl 2026-12-05`: what Edit suggests sending. */
export function editCommand(id: number, p: ReceiptProposal): string {
  const amount = p.totalMinor ?? p.guessMinor;
  const decimal = amount === undefined ? '<amount>' : formatMoney(amount, p.currency, { lang: 'en' }).replace(/\s*[A-Z]{3}$/, '').replace(/,/g, '');
  const merchant = p.merchant?.replace(/[#@]/g, '');
  return ['/receipt record', String(id), decimal, p.label ? `#${p.label}` : '', merchant ?? '', p.date ?? ''].filter(Boolean).join(' ');
}

/** The proposed record with Record / Edit / Cancel (Record only when the total is known). */
export function proposalReply(lang: Language, id: number, p: ReceiptProposal): Reply {
  const money = (m: number) => formatMoney(m, p.currency, { lang });
  const lines: string[] = [];
  if (p.totalMinor !== undefined) lines.push(t(lang, p.confidence >= SURE ? 'receipt.proposal' : 'receipt.proposal_unsure', { amount: money(p.totalMinor) }));
  else if (p.guessMinor !== undefined) lines.push(t(lang, 'receipt.no_total_guess', { amount: money(p.guessMinor) }));
  else lines.push(t(lang, 'receipt.no_total'));
  if (p.date) lines.push(t(lang, 'receipt.detail_date', { date: p.date }));
  if (p.merchant) lines.push(t(lang, 'receipt.detail_merchant', { merchant: p.merchant }));
  if (p.label) lines.push(t(lang, 'receipt.detail_label', { label: p.label }));
  if (p.printedCurrency && p.printedCurrency !== p.currency) lines.push(t(lang, 'receipt.detail_currency', { printed: p.printedCurrency, currency: p.currency }));
  if (p.totalMinor !== undefined) lines.push(t(lang, 'receipt.sure', { percent: Math.round(p.confidence * 100) }));
  const row = [
    ...(p.totalMinor !== undefined ? [{ label: t(lang, 'receipt.button_record'), action: `${RECEIPT_ACTIONS.record}:${id}` }] : []),
    { label: t(lang, 'receipt.button_edit'), action: `${RECEIPT_ACTIONS.edit}:${id}` },
    { label: t(lang, 'receipt.button_cancel'), action: `${RECEIPT_ACTIONS.cancel}:${id}` },
  ];
  return { text: lines.join('\n'), buttons: [row] };
}

/** The reply for a file that is not a readable receipt (image or PDF), in the book's language. */
export function badImageText(lang: Language, problem: ImageProblem): string {
  if (problem === 'too_large') return t(lang, 'receipt.too_large', { mb: RECEIPT_LIMITS.maxBytes / 1024 / 1024 });
  if (problem === 'too_many_pixels') return t(lang, 'receipt.too_many_pixels', { megapixels: RECEIPT_LIMITS.maxPixels / 1_000_000 });
  if (problem === 'pdf_pages') return t(lang, 'receipt.pdf_pages', { pages: RECEIPT_LIMITS.pdfMaxPages });
  if (problem === 'pdf_inflates') return t(lang, 'receipt.pdf_inflates', { mb: RECEIPT_LIMITS.pdfMaxInflated / 1024 / 1024 });
  if (problem === 'pdf_memory') return t(lang, 'receipt.pdf_memory', { mb: RECEIPT_LIMITS.pdfMaxHeapMb });
  return t(lang, `receipt.${problem}`);
}
