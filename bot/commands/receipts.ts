import { z } from 'zod';
import { assertCan } from '../../domain/access/permissions.js';
import { DomainError } from '../../domain/errors.js';
import { recordEntry, type Entry } from '../../domain/ledger/record-entry.js';
import { BadReceiptImage, checkReceiptFile, RECEIPT_LIMITS } from '../../domain/receipts/image-file.js';
import { t } from '../i18n/index.js';
import { badImageText, editCommand, RECEIPT_ACTIONS } from '../presentation/receipt-proposal.js';
import type { ActionDef, CommandContext, CommandDef, ReceiptHandler } from '../registry.js';
import type { Reply } from '../reply.js';
import { parseSeq, recordReply } from './record.js';

/** A scan still `reading` this long is taken for lost (its worker died); the chat may send another. */
export const STALE_READING_MS = 5 * 60_000;

const scanId = z.string().regex(/^\d{1,15}$/).transform(Number);

function parseScanId(raw: string | undefined): number {
  const r = scanId.safeParse(raw ?? '');
  if (!r.success) throw new DomainError('usage', {});
  return r.data;
}

/**
 * A photo, image file or PDF sent to COIN: checked at once (size, type, pixels from the header),
 * held in the database as a scan and handed to the worker, which answers with a proposal. One
 * receipt per chat is read at a time. Nothing is recorded here.
 */
export const receiptPhoto: ReceiptHandler = async (ctx, file) => {
  assertCan(ctx.actor.role, 'record');
  const reader = ctx.services.receipts;
  if (!reader) return [{ text: t(ctx.lang, 'receipt.off') }];
  let mime: string;
  try {
    // A file over the limit is not even fetched: its declared size says so.
    if ((file.bytes ?? 0) > RECEIPT_LIMITS.maxBytes) throw new BadReceiptImage('too_large');
    mime = checkReceiptFile(file.content).mime;
  } catch (e) {
    if (e instanceof BadReceiptImage) return [{ text: badImageText(ctx.lang, e.problem) }];
    throw e;
  }
  const now = ctx.actor.clock.now();
  const id = await ctx.services.store.startReceiptScan(
    { at: now, bookId: ctx.actor.book.id, userId: ctx.actor.userId, platform: ctx.chat.platform, chatId: ctx.chat.chatId, image: file.content, mime },
    new Date(now.getTime() - STALE_READING_MS),
  );
  if (id === undefined) return [{ text: t(ctx.lang, 'receipt.busy') }];
  await reader.read(id);
  return [{ text: t(ctx.lang, 'receipt.reading') }];
};

/** A receipt date is kept when it is a real past day (an OCR misread into the future is not). */
function usableDate(ctx: CommandContext, date: string | undefined): string | undefined {
  if (!date) return undefined;
  const today = ctx.actor.clock.now().toISOString().slice(0, 10);
  return date <= today ? date : undefined;
}

/** Records an entry for a proposed scan and keeps the photo with the record. */
async function recordScan(ctx: CommandContext, id: number, entry: (p: NonNullable<Awaited<ReturnType<typeof proposed>>>) => Entry | undefined): Promise<Reply[]> {
  assertCan(ctx.actor.role, 'record');
  const scan = await proposed(ctx, id);
  if (!scan) return [{ text: t(ctx.lang, 'receipt.gone'), ephemeral: true }];
  const e = entry(scan);
  if (!e) return [{ text: t(ctx.lang, 'receipt.no_amount'), ephemeral: true }];
  const rec = await recordEntry(ctx.actor, e);
  if (!(await ctx.services.store.attachReceipt(ctx.actor.book.id, id, rec.event.id))) return [{ text: t(ctx.lang, 'receipt.gone'), ephemeral: true }];
  const [first, ...rest] = recordReply(ctx, rec);
  return [{ ...first!, text: `${first!.text}\n${t(ctx.lang, 'receipt.with_photo', { seq: rec.event.seq })}` }, ...rest];
}

async function proposed(ctx: CommandContext, id: number) {
  const scan = await ctx.services.store.receiptScan(ctx.actor.book.id, id);
  return scan?.state === 'proposed' && scan.proposal ? { ...scan, proposal: scan.proposal } : undefined;
}

export const receiptActions: ActionDef[] = [
  {
    name: RECEIPT_ACTIONS.record,
    replaces: true,
    run: (ctx, arg) =>
      recordScan(ctx, parseScanId(arg), ({ id, proposal: p }) =>
        p.totalMinor === undefined
          ? undefined
          : {
              fields: {
                kind: 'expense',
                amountMinor: p.totalMinor,
                labels: p.label ? [p.label] : [],
                note: p.merchant ?? '',
                date: usableDate(ctx, p.date),
                sourceKey: `receipt:${id}`,
              },
            },
      ),
  },
  {
    name: RECEIPT_ACTIONS.edit,
    run: async (ctx, arg) => {
      const scan = await proposed(ctx, parseScanId(arg));
      if (!scan) return { text: t(ctx.lang, 'receipt.gone'), ephemeral: true };
      return { text: t(ctx.lang, 'receipt.edit_hint', { command: editCommand(scan.id, { ...scan.proposal, date: usableDate(ctx, scan.proposal.date) }) }) };
    },
  },
  {
    name: RECEIPT_ACTIONS.cancel,
    replaces: true,
    run: async (ctx, arg) => {
      assertCan(ctx.actor.role, 'record');
      const dropped = await ctx.services.store.dropReceiptScan(ctx.actor.book.id, parseScanId(arg));
      return { text: t(ctx.lang, dropped ? 'receipt.cancelled' : 'receipt.gone') };
    },
  },
];

export const receiptCommands: CommandDef[] = [
  {
    name: 'receipt',
    description: 'Receipts: read a photo or PDF, show a kept photo, or record a proposal as you write it',
    usage: '/receipt read (with the photo or PDF attached) · /receipt show <#N> · /receipt record <receipt> <amount> [#label] [note] [date]',
    subcommands: [
      {
        name: 'read',
        description: 'Read a receipt: a photo or its PDF, attached',
        usage: '/receipt read (with the photo or PDF attached; in Telegram just send the photo)',
        options: [{ name: 'file', description: 'The receipt: a photo (PNG, JPEG, WebP) or a PDF', type: 'attachment', required: true }],
        // Discord: the attachment option. Telegram sends the photo itself (no command needed).
        run: async (ctx) => (ctx.attachment ? receiptPhoto(ctx, ctx.attachment) : { text: t(ctx.lang, 'receipt.read_hint') }),
      },
      {
        name: 'show',
        description: 'Show the receipt photo kept with a record',
        usage: '/receipt show <#N>',
        options: [{ name: 'record', description: 'Record number, e.g. 12', type: 'string', required: true }],
        run: async (ctx, args) => {
          assertCan(ctx.actor.role, 'read');
          const seq = parseSeq(args.trim());
          const kept = await ctx.services.store.receiptOfRecord(ctx.actor.book.id, seq);
          if (!kept) return { text: t(ctx.lang, 'receipt.none', { seq }) };
          const ext = kept.mime === 'image/png' ? 'png' : 'jpg';
          return { text: t(ctx.lang, 'receipt.photo', { seq }), image: { name: `receipt-${seq}.${ext}`, png: kept.image, alt: t(ctx.lang, 'receipt.photo', { seq }) } };
        },
      },
      {
        name: 'record',
        description: 'Record a read receipt as you write it (what Edit suggests)',
        usage: '/receipt record <receipt> <amount> [#label] [note] [date]',
        options: [
          { name: 'receipt', description: 'The receipt number from Edit', type: 'string', required: true },
          { name: 'line', description: 'The record: 12.40 #groceries Lidl', type: 'string', required: true },
        ],
        run: async (ctx, args) => {
          const [raw, ...rest] = args.trim().split(/\s+/);
          const line = rest.join(' ');
          if (!line) throw new DomainError('usage', {});
          return recordScan(ctx, parseScanId(raw), () => ({ kind: 'expense', line }));
        },
      },
    ],
  },
];
