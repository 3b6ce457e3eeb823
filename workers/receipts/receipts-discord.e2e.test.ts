import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { createDiscordBot, type DiscordBot } from '../../adapters/discord/discord-adapter.js';
import { plainText } from '../../adapters/discord/render.js';
import { startDiscordDouble, type DiscordDouble, type DoubleResponse } from '../../test/doubles/discord/index.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { rowsOf } from '../../drizzle/store/rows.js';
import { countRows, startReceiptWorker, type ReceiptWorker } from '../../test/receipts/reading-kit.js';
import { renderReceipt, SAMPLE_RECEIPTS } from '../../test/receipts/render-receipt.js';
import { receiptPdf } from '../../test/receipts/write-pdf.js';
import { buildNotifier } from '../worker-role.js';

const ann = { id: '130000000000000001', username: 'ann', global_name: 'Ann' };
const bob = { id: '130000000000000002', username: 'bob', global_name: 'Bob' };
const annDm = '330000000000000001';

const supermart = SAMPLE_RECEIPTS.find((r) => r.name === 'supermart')!;
const cafe = SAMPLE_RECEIPTS.find((r) => r.name === 'corner-cafe')!;

/** What a person reads, with Discord's markdown escapes removed. */
const readable = (r: DoubleResponse): string => plainText(r.data).replace(/\\([*_`~|>#\-[\]().])/g, '$1');
const buttons = (r: DoubleResponse): { label: string; custom_id: string }[] =>
  ((r.data.components ?? []) as { components: { label: string; custom_id: string }[] }[]).flatMap((row) => row.components);

/**
 * Receipts on Discord (issue 18) through the real discord.js client against the Discord double:
 * `/receipt read` with the photo or PDF attached, in a DM or a server channel → "Reading…" → the
 * worker reads it (BullMQ on Redis) → the proposal is posted into the chat with Record / Edit /
 * Cancel → the buttons act through the same use cases as in Telegram.
 */
describe('receipts in Discord', () => {
  let dc: DiscordDouble;
  let h: Harness;
  let bot: DiscordBot;
  let worker: ReceiptWorker;
  let channel: string;
  let guildId: string;
  const count = (table: 'events' | 'receipt_scans') => countRows(h, table);

  beforeAll(async () => {
    dc = await startDiscordDouble({ heartbeatIntervalMs: 500, interactionTimeoutMs: 3000 });
    const guild = dc.addGuild({ name: 'Flat 4B', channels: [{ name: 'money' }] });
    channel = guild.channels[0]!.id;
    guildId = guild.id;
    dc.addMember(guild.id, bob);
    h = await createHarness({ now: '2026-12-06T12:00:00Z' });
    worker = await startReceiptWorker(h, await buildNotifier({ discord: { token: dc.token, apiRoot: dc.restApi } }), true);
    bot = createDiscordBot({ token: dc.token, applicationId: dc.applicationId, apiRoot: dc.restApi, dispatcher: h.dispatcher, registry: h.registry, logger: pino({ level: 'silent' }) });
    await bot.start();
  });
  afterAll(async () => {
    await bot?.stop();
    await worker?.close();
    await dc?.close();
    await h?.close();
  });

  const read = (place: { user: typeof ann; channelId: string; guildId?: string }, name: string, bytes: Buffer, contentType: string) =>
    dc.sendCommand({ ...place, name: 'receipt', subcommand: 'read', attachments: { file: { name, bytes, contentType } } });

  it('GIVEN a PDF receipt attached to /receipt read in a DM THEN its text is read, the proposal comes with buttons, and Record records it with the page kept', async () => {
    await dc.waitForResponse(dc.sendCommand({ user: ann, channelId: annDm, name: 'spend', options: { amount: '9.10', label: 'groceries', note: 'SUPERMART' } }).id);

    const i = read({ user: ann, channelId: annDm }, 'receipt.pdf', receiptPdf(supermart, { layer: 'text' }), 'application/pdf');
    expect(readable(await dc.waitForResponse(i.id, (r) => r.kind !== 'callback' || r.type !== 5))).toContain('Reading the receipt');
    const proposal = await dc.waitForDirectMessage(ann.id, (m) => readable(m).includes('From the receipt'), 30_000);
    const text = readable(proposal);
    expect(text).toContain('From the receipt: 11.83 EUR');
    expect(text).toContain('Date: 2026-12-05');
    expect(text).toContain('Shop: SUPERMART');
    expect(text).toContain('Label: #groceries');
    expect(buttons(proposal).map((b) => b.label)).toEqual(['Record', 'Edit', 'Cancel']);
    expect(await count('events')).toBe(1);

    const dm = dc.dmChannelId(ann.id)!;
    const press = dc.pressButton({ user: ann, channelId: dm, customId: buttons(proposal)[0]!.custom_id, messageId: proposal.messageId! });
    const recorded = readable(await dc.waitForResponse(press.id));
    expect(recorded).toContain('#2 −11.83 EUR');
    expect(recorded).toContain('receipt photo kept');
    const [scan] = rowsOf<{ state: string; mime: string; head: string }>(
      await h.database.db.execute(sql`select state, mime, encode(substring(image from 1 for 2), 'hex') as head from receipt_scans`),
    );
    expect(scan).toEqual({ state: 'recorded', mime: 'image/jpeg', head: 'ffd8' });
    // The proposal became the record: its buttons are gone (only Undo is left).
    expect(buttons(await dc.waitForResponse(press.id)).map((b) => b.custom_id)).toEqual(['undo:2']);
    expect(await count('events')).toBe(2);

    const show = dc.sendCommand({ user: ann, channelId: annDm, name: 'receipt', subcommand: 'show', options: { record: '2' } });
    const photo = await dc.waitForResponse(show.id, (r) => r.files.length > 0, 10_000);
    expect(photo.files[0]!.bytes.subarray(0, 2).toString('hex')).toBe('ffd8');
    // The photo goes with the record.
    await dc.waitForResponse(dc.sendCommand({ user: ann, channelId: annDm, name: 'undo' }).id);
    expect(await count('receipt_scans')).toBe(0);
  });

  it('GIVEN a photo attached to /receipt read in a server channel THEN the proposal is posted there, and Cancel records nothing', async () => {
    const before = await count('events');
    const i = read({ user: bob, guildId, channelId: channel }, 'lunch.png', renderReceipt(cafe), 'image/png');
    await dc.waitForResponse(i.id);
    const proposal = await dc.waitForChannelMessage(channel, (m) => readable(m).includes('From the receipt'), 60_000);
    expect(readable(proposal)).toContain('From the receipt: 6.20 EUR');
    const cancel = buttons(proposal).find((b) => b.label === 'Cancel')!;
    const press = dc.pressButton({ user: bob, guildId, channelId: channel, customId: cancel.custom_id, messageId: proposal.messageId! });
    expect(readable(await dc.waitForResponse(press.id))).toContain('Cancelled: nothing was recorded');
    expect(await count('events')).toBe(before);
    expect(await count('receipt_scans')).toBe(0);
  });

  it('GIVEN a file that is no receipt, one too large, a damaged PDF, or a PDF of many pages THEN each gets a clear answer and nothing is held', async () => {
    const notImage = read({ user: ann, channelId: annDm }, 'receipt.png', Buffer.from('not really a png'), 'image/png');
    expect(readable(await dc.waitForResponse(notImage.id))).toContain('not a receipt I can read');
    // A boosted server lets people attach more than a receipt may be.
    const big = read({ user: ann, channelId: annDm }, 'huge.pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(11 * 1024 * 1024)]), 'application/pdf');
    expect(readable(await dc.waitForResponse(big.id, (r) => r.kind !== 'callback' || r.type !== 5))).toContain('too large for a receipt (at most 10 MB)');

    const broken = read({ user: ann, channelId: annDm }, 'receipt.pdf', Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%EOF'), 'application/pdf');
    await dc.waitForResponse(broken.id);
    await dc.waitForDirectMessage(ann.id, (m) => readable(m).includes('could not open this PDF'), 30_000);

    const long = read({ user: ann, channelId: annDm }, 'statement.pdf', receiptPdf(supermart, { layer: 'text', pages: 6 }), 'application/pdf');
    await dc.waitForResponse(long.id);
    await dc.waitForDirectMessage(ann.id, (m) => readable(m).includes('more pages than a receipt (5 at most)'), 30_000);
    expect(await count('receipt_scans')).toBe(0);
  });
});
