import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { readReceipt } from '../../domain/receipts/read-receipt.js';
import type { ReceiptProposal, ReceiptWorkStore } from '../../domain/receipts/ports.js';
import { languageOf, t } from '../../bot/i18n/index.js';
import { badImageText, proposalReply } from '../../bot/presentation/receipt-proposal.js';
import type { Reply } from '../../bot/reply.js';
import { outbound, type Outbox } from '../notifier.js';
import type { OcrEngine } from './ocr-engine.js';
import { OcrTimeout } from './ocr-engine.js';
import { prepareReceiptImage } from './receipt-image.js';
import { BadReceiptImage, checkReceiptFile } from '../../domain/receipts/image-file.js';
import { readPdfReceipt } from './receipt-pdf.js';
import type { Platform } from '../../domain/types.js';
import { compileRules } from '../../domain/rules/matcher.js';
import type { RuleStore } from '../../domain/rules/ports.js';

/** How long one receipt may be read before the job gives up and says so. */
export const DEFAULT_OCR_TIMEOUT_MS = 45_000;

/** The scan is not visible yet (its chat transaction has not committed): the queue tries again. */
export class ScanNotVisible extends Error {
  override readonly name = 'ScanNotVisible';
}

export interface ReadJobDeps {
  /** Scans, and the book's rules (a rule matching the merchant gives the label). */
  store: ReceiptWorkStore & Pick<RuleStore, 'listRules'>;
  ocr: OcrEngine;
  outbox: Outbox;
  logger: Logger;
  timeoutMs?: number;
}

export type ReadOutcome = 'proposed' | 'refused' | 'failed' | 'gone';

/** How the text of a receipt was had: OCR of a photo, a PDF's text layer, or OCR of a PDF's page 1. */
export type TextSource = 'photo' | 'pdf-text' | 'pdf-ocr';

/**
 * The receipt's text and the picture kept with the record: a photo is decoded, bounded and OCR'd;
 * a PDF's text layer is read as it is (no OCR), and a PDF without one (a scan) has page 1 OCR'd.
 */
export async function receiptText(file: Buffer, deps: Pick<ReadJobDeps, 'ocr' | 'timeoutMs'>): Promise<{ text: string; kept: Buffer; keptMime: string; source: TextSource }> {
  const timeout = deps.timeoutMs ?? DEFAULT_OCR_TIMEOUT_MS;
  if (checkReceiptFile(file).type === 'pdf') {
    const started = Date.now();
    const pdf = await readPdfReceipt(file, timeout);
    if (!pdf.ocr) return { text: pdf.text, kept: pdf.kept, keptMime: pdf.keptMime, source: 'pdf-text' };
    // One time limit for the whole receipt: the OCR gets what reading the PDF left of it.
    return { text: (await deps.ocr.recognize(pdf.ocr, Math.max(1000, timeout - (Date.now() - started)))).text, kept: pdf.kept, keptMime: pdf.keptMime, source: 'pdf-ocr' };
  }
  const image = await prepareReceiptImage(file);
  return { text: (await deps.ocr.recognize(image.ocr, timeout)).text, kept: image.kept, keptMime: image.keptMime, source: 'photo' };
}

/**
 * The label for a merchant: the book's rule that matches it (as a payee, like a statement row),
 * else the label its past records carry most often.
 */
async function labelFor(store: ReadJobDeps['store'], bookId: number, merchant: string): Promise<string | undefined> {
  const rules = await store.listRules(bookId);
  const rule = rules.length ? compileRules(rules).match({ payee: merchant }) : null;
  return rule?.label ?? (await store.merchantLabel(bookId, merchant));
}

/**
 * One OCR job (the worker role): the photo is decoded and bounded, read by the OCR engine within
 * the timeout, its text read as a receipt, the label taken from the book's rules or past records of the merchant;
 * the scan becomes a proposal (the kept photo replaces the original) and the proposal goes to the
 * chat through the outbox with Record / Edit / Cancel. Nothing is recorded here. A file that cannot
 * be read, a timeout or a failure forgets the scan and tells the chat why.
 */
export async function readReceiptScan(id: number, deps: ReadJobDeps): Promise<ReadOutcome> {
  const scan = await deps.store.scanToRead(id);
  if (!scan) throw new ScanNotVisible(`receipt scan ${id} not visible (yet)`);
  if (scan.state !== 'reading') return 'gone';
  const lang = languageOf(scan.language);
  const tell = (reply: Reply, key: string) => deps.outbox.send(outbound(scan.platform as Platform, scan.chatId, reply, `receipt:${id}:${key}`));
  try {
    const image = await receiptText(scan.image, deps);
    const reading = readReceipt(image.text, scan.currency);
    const label = reading.merchant ? await labelFor(deps.store, scan.bookId, reading.merchant) : undefined;
    const proposal: ReceiptProposal = {
      totalMinor: reading.total,
      guessMinor: reading.guess,
      confidence: reading.confidence,
      date: reading.date,
      merchant: reading.merchant,
      label,
      currency: scan.currency,
      printedCurrency: reading.currency,
    };
    if (!(await deps.store.proposeReceipt(id, JSON.parse(JSON.stringify(proposal)) as ReceiptProposal, image.kept, image.keptMime))) return 'gone';
    deps.logger.info({ scan: id, book: scan.bookId, source: image.source, found: reading.total !== undefined, confidence: reading.confidence }, 'receipt read');
    await tell(proposalReply(lang, id, proposal), 'proposal');
    return 'proposed';
  } catch (err) {
    await deps.store.failReceiptScan(id);
    if (err instanceof BadReceiptImage) {
      await tell({ text: badImageText(lang, err.problem) }, 'refused');
      return 'refused';
    }
    if (err instanceof OcrTimeout) {
      deps.logger.warn({ scan: id, book: scan.bookId }, 'receipt OCR timed out');
      await tell({ text: t(lang, 'receipt.timeout') }, 'timeout');
      return 'failed';
    }
    const ref = randomBytes(4).toString('hex');
    deps.logger.error({ err: String(err), scan: id, ref }, 'receipt could not be read');
    await tell({ text: t(lang, 'receipt.failed', { ref }) }, 'failed');
    return 'failed';
  }
}
