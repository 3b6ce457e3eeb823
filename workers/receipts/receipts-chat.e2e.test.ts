import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttons } from '../../test/telegram-kit.js';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import type { TelegramBot } from '../../adapters/telegram/telegram-adapter.js';
import { createTelegramBot, startTelegram } from '../../adapters/telegram/telegram-adapter.js';
import { startTelegramDouble, type SentMessage, type TelegramDouble } from '../../test/doubles/telegram-api.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { rowsOf } from '../../drizzle/store/rows.js';
import { countRows, startReceiptWorker, type ReceiptWorker } from '../../test/receipts/reading-kit.js';
import { renderReceipt, SAMPLE_RECEIPTS, totalOf } from '../../test/receipts/render-receipt.js';
import { receiptPdf } from '../../test/receipts/write-pdf.js';
import { buildNotifier } from '../worker-role.js';

const ann = { id: 701, first_name: 'Ann', language_code: 'en' };
const annChat = { id: 701, type: 'private' as const };
const bob = { id: 702, first_name: 'Bob', language_code: 'en' };
const group = { id: -3001, type: 'supergroup' as const, title: 'Flat 4B' };

const supermart = SAMPLE_RECEIPTS.find((r) => r.name === 'supermart')!;
const cafe = SAMPLE_RECEIPTS.find((r) => r.name === 'corner-cafe')!;

/**
 * Receipts through the real grammY client against the Bot API double, with the photo read on the
 * worker: photo → "reading" → proposal with Record / Edit / Cancel → the record with its photo.
 * `redis`: the `receipts` and outbound queues on BullMQ; otherwise both in this process.
 */
describe.each([{ redis: true }, { redis: false }])('receipts in Telegram (redis: $redis)', ({ redis }) => {
  let tg: TelegramDouble;
  let h: Harness;
  let bot: TelegramBot;
  let stopBot: () => Promise<void>;
  let worker: ReceiptWorker;
  const logger = pino({ level: 'silent' });
  const count = (table: 'events' | 'receipt_scans') => countRows(h, table);

  beforeAll(async () => {
    tg = await startTelegramDouble();
    h = await createHarness({ now: '2026-12-06T12:00:00Z' });
    bot = createTelegramBot({ token: tg.token, apiRoot: tg.apiRoot, dispatcher: h.dispatcher, registry: h.registry, journal: h.journal, logger, throttle: false });
    worker = await startReceiptWorker(h, await buildNotifier({ telegram: { token: tg.token, apiRoot: tg.apiRoot } }), redis);
    stopBot = await startTelegram(bot, h.registry, { kind: 'polling' });
    await tg.waitForPoll();
  });
  afterAll(async () => {
    await stopBot?.();
    await worker?.close();
    await tg?.close();
    await h?.close();
  });

  const proposalIn = (chatId: number, after: number) => tg.waitForOutbox((m) => m.chat_id === chatId && m.message_id > after && !!m.text?.includes('From the receipt'), 60_000);

  it('GIVEN a receipt photo in a private chat THEN a proposal comes with the label of past records, and Record records it with the photo', async () => {
    tg.sendText(annChat, ann, '9.10 #groceries SUPERMART');
    await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('#1'));

    tg.sendPhoto(annChat, ann, { filename: 'receipt.png', bytes: renderReceipt(supermart) });
    const reading = await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('Reading the receipt'));
    const proposal = await proposalIn(annChat.id, reading.message_id);
    expect(proposal.text).toContain(`From the receipt: ${(totalOf(supermart) / 100).toFixed(2)} EUR`);
    expect(proposal.text).toContain('Date: 2026-12-05');
    expect(proposal.text).toContain('Shop: SUPERMART');
    expect(proposal.text).toContain('Label: #groceries');
    expect(buttons(proposal).map((b) => b.text)).toEqual(['Record', 'Edit', 'Cancel']);
    // Nothing is recorded before Record.
    expect(await count('events')).toBe(1);

    tg.pressButton(annChat, ann, proposal.message_id, buttons(proposal)[0]!.callback_data);
    const recorded = await tg.waitForOutbox((m) => m.method === 'editMessageText' && m.message_id === proposal.message_id);
    expect(recorded.text).toContain('#2 −11.83 EUR');
    expect(recorded.text).toContain('#groceries');
    expect(recorded.text).toContain('receipt photo kept');
    const [ev] = rowsOf<{ amount_minor: number; note: string; occurred_at: Date }>(
      await h.database.db.execute(sql`select amount_minor, note, occurred_at from events where seq = 2`),
    );
    expect(Number(ev!.amount_minor)).toBe(1183);
    expect(ev!.note).toBe('SUPERMART');
    expect(new Date(ev!.occurred_at).toISOString().slice(0, 10)).toBe('2026-12-05');
    // A second press records nothing more.
    tg.pressButton(annChat, ann, proposal.message_id, buttons(proposal)[0]!.callback_data);
    await tg.waitForCall('answerCallbackQuery', (c) => /no longer waiting/.test(String(c.payload.text ?? '')));
    expect(await count('events')).toBe(2);

    tg.sendText(annChat, ann, '/history');
    const hist = await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('🧾'));
    expect(hist.text).toMatch(/#2 .*SUPERMART 🧾/);

    tg.sendText(annChat, ann, '/receipt show 2');
    const photo = await tg.waitForOutbox((m) => m.chat_id === annChat.id && m.method === 'sendPhoto');
    expect(photo.file!.bytes.subarray(0, 2).toString('hex')).toBe('ffd8');

    // Deleted with the record.
    tg.sendText(annChat, ann, '/undo');
    await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('Undone #2'));
    expect(await count('receipt_scans')).toBe(0);
    tg.sendText(annChat, ann, '/receipt show 2');
    await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('#2 has no receipt photo'));
  });

  it('GIVEN a proposal THEN Cancel records nothing and forgets the photo; Edit gives the line to send', async () => {
    // The book's rule for the merchant gives the label.
    tg.sendText(annChat, ann, '/rule add corner* #eating-out');
    await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('eating-out'));
    const before = await count('events');
    tg.sendPhoto(annChat, ann, { filename: 'cafe.png', bytes: renderReceipt(cafe) });
    const reading = await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('Reading the receipt') && m.message_id > (tg.outbox(annChat.id).at(-2)?.message_id ?? 0));
    const proposal = await proposalIn(annChat.id, reading.message_id);
    expect(proposal.text).toContain('Label: #eating-out');
    const [, edit, cancel] = buttons(proposal);
    tg.pressButton(annChat, ann, proposal.message_id, edit!.callback_data);
    const hint = await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('/receipt record'));
    expect(hint.text).toMatch(/\/receipt record \d+ 6\.20 #eating-out CORNER CAFE 2026-11-28/);

    tg.pressButton(annChat, ann, proposal.message_id, cancel!.callback_data);
    const cancelled = await tg.waitForOutbox((m) => m.method === 'editMessageText' && m.message_id === proposal.message_id);
    expect(cancelled.text).toContain('Cancelled: nothing was recorded');
    expect(await count('events')).toBe(before);
    expect(await count('receipt_scans')).toBe(0);
  });

  it('GIVEN a scanned PDF (a picture, no text) THEN page 1 is read by OCR and proposed; Cancel forgets it', async () => {
    const before = tg.outbox(annChat.id).at(-1)?.message_id ?? 0;
    tg.sendDocument(annChat, ann, { filename: 'scan.pdf', bytes: receiptPdf(cafe, { layer: 'scan' }), mimeType: 'application/pdf' });
    const reading = await tg.waitForOutbox((m) => m.chat_id === annChat.id && m.message_id > before && !!m.text?.includes('Reading the receipt'));
    const proposal = await proposalIn(annChat.id, reading.message_id);
    expect(proposal.text).toContain('From the receipt: 6.20 EUR');
    tg.pressButton(annChat, ann, proposal.message_id, buttons(proposal)[2]!.callback_data);
    await tg.waitForOutbox((m) => m.method === 'editMessageText' && m.message_id === proposal.message_id);
    expect(await count('receipt_scans')).toBe(0);
  });

  it('GIVEN a damaged PDF or a broken image THEN the reply says what to send, and nothing is held', async () => {
    const before = tg.outbox(annChat.id).at(-1)?.message_id ?? 0;
    tg.sendDocument(annChat, ann, { filename: 'receipt.pdf', bytes: Buffer.from('%PDF-1.4\n%…'), mimeType: 'application/pdf' });
    await tg.waitForOutbox((m) => m.chat_id === annChat.id && m.message_id > before && !!m.text?.includes('could not open this PDF'), 30_000);
    tg.sendDocument(annChat, ann, { filename: 'receipt.png', bytes: Buffer.from('not really a png'), mimeType: 'image/png' });
    await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('not a receipt I can read'));
    expect(await count('receipt_scans')).toBe(0);
  });

  it('GIVEN a group THEN a photo is read only when its caption mentions COIN or is /receipt read', async () => {
    tg.sendPhoto(group, bob, { filename: 'holiday.png', bytes: renderReceipt(cafe) });
    tg.sendText(group, bob, '5 snacks');
    const answer = await tg.waitForOutbox((m) => m.chat_id === group.id && !!m.text?.includes('snacks'));
    const said = (m: SentMessage) => m.chat_id === group.id && m.message_id < answer.message_id;
    expect(tg.outbox().filter(said).some((m) => m.text?.includes('Reading'))).toBe(false);

    tg.sendPhoto(group, bob, { filename: 'lunch.png', bytes: renderReceipt(cafe) }, { caption: 'COIN, lunch' });
    const reading = await tg.waitForOutbox((m) => m.chat_id === group.id && !!m.text?.includes('Reading the receipt'));
    const proposal = await proposalIn(group.id, reading.message_id);
    expect(proposal.text).toContain('From the receipt: 6.20 EUR');
    // Edit: the suggested line, changed, records with the photo kept.
    tg.pressButton(group, bob, proposal.message_id, buttons(proposal)[1]!.callback_data);
    const hint = await tg.waitForOutbox((m) => m.chat_id === group.id && !!m.text?.includes('/receipt record'));
    const id = /\/receipt record (\d+)/.exec(hint.text!)![1];
    tg.sendText(group, bob, `/receipt record ${id} 7.00 #lunch`);
    const recorded = await tg.waitForOutbox((m) => m.chat_id === group.id && !!m.text?.includes('receipt photo kept'));
    expect(recorded.text).toMatch(/#\d+ −7\.00 EUR · #lunch/);

    // `/receipt read` as the caption asks for it too (the command Discord uses).
    tg.sendPhoto(group, bob, { filename: 'again.png', bytes: renderReceipt(cafe) }, { caption: '/receipt read' });
    const again = await tg.waitForOutbox((m) => m.chat_id === group.id && m.message_id > recorded.message_id && !!m.text?.includes('Reading the receipt'));
    expect((await proposalIn(group.id, again.message_id)).text).toContain('From the receipt: 6.20 EUR');
  });
});
