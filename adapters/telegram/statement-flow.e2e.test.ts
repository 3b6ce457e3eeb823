import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelegramDouble } from '../../test/doubles/telegram-api.js';
import type { Harness } from '../../test/harness.js';
import { buttons, startTelegramKit, type TelegramKit } from '../../test/telegram-kit.js';
import { writeOfx } from '../../test/statements/writers.js';
import type { Statement } from '../../domain/statements/types.js';

const ann = { id: 601, first_name: 'Ann', username: 'ann_s', language_code: 'en' };
const annChat = { id: 601, type: 'private' as const };

const may: Statement = {
  format: 'ofx',
  currency: 'EUR',
  accountId: 'DE02120300000000202051',
  rows: [
    { externalId: 'F1', date: '2026-05-03', amountMinor: -2340, currency: 'EUR', payee: 'LIDL', memo: 'Card' },
    { externalId: 'F2', date: '2026-05-04', amountMinor: 250000, currency: 'EUR', payee: 'ACME PAYROLL', memo: '' },
    { externalId: 'F3', date: '2026-05-09', amountMinor: -2340, currency: 'EUR', payee: 'Kiosk', memo: '' },
  ],
};

/** A statement sent as a Telegram document, answered with buttons, through the real grammY client and the Bot API double. */
describe('bank statement in Telegram', () => {
  let k: TelegramKit;
  let tg: TelegramDouble;
  let h: Harness;

  beforeAll(async () => {
    k = await startTelegramKit({ now: '2026-05-20T12:00:00Z' });
    ({ tg, h } = k);
  });
  afterAll(() => k?.close());

  it('GIVEN an OFX document with /import THEN the account buttons, the preview buttons and the import edit the same message; the same file again (no caption) adds nothing', async () => {
    tg.sendText(annChat, ann, '/spend 23.40 #groceries lidl 2026-05-02');
    await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('#1'));

    tg.sendDocument(annChat, ann, { filename: 'may.ofx', bytes: writeOfx(may, 1) }, { caption: '/import' });
    const ask = await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('Which account'));
    expect(ask.text).toBe('OFX statement …2051, 3 transactions. Which account is it? COIN remembers the answer for the next statement.');
    expect(buttons(ask).map((b) => b.text)).toEqual(['@Main', 'Cancel']);

    tg.pressButton(annChat, ann, ask.message_id, buttons(ask)[0]!.callback_data);
    const preview = await tg.waitForOutbox((m) => m.method === 'editMessageText' && m.message_id === ask.message_id && !!m.text?.includes('merge?'));
    expect(preview.text).toBe(
      'OFX statement, 3 transactions, compared with @Main: 2 new, 0 already imported, 1 looks like a record you typed (LIDL 23.40 on 3 May ↔ #1 23.40 on 2 May) — merge? Nothing is imported yet.',
    );
    expect(buttons(preview).map((b) => b.text)).toEqual(['Import', 'Import and merge twins', 'Cancel']);
    expect((await h.services.store.exportEvents((await h.services.store.resolveChat({ platform: 'telegram', chatId: '601', kind: 'private', title: 'Ann' }, h.services.defaults)).id)).length).toBe(1);

    tg.pressButton(annChat, ann, ask.message_id, buttons(preview).find((b) => b.text === 'Import and merge twins')!.callback_data);
    const done = await tg.waitForOutbox((m) => m.method === 'editMessageText' && m.message_id === ask.message_id && !!m.text?.startsWith('Imported'));
    expect(done.text).toBe('Imported into @Main: 2 new, 1 merged with records you typed, 0 there already.');
    expect(buttons(done)).toEqual([]);

    tg.sendText(annChat, ann, '/history');
    const hist = await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('Kiosk'));
    expect(hist.text).toContain('ACME PAYROLL');

    // A document sent without a caption in a private chat is an import too.
    tg.sendDocument(annChat, ann, { filename: 'may-again.ofx', bytes: writeOfx(may, 2) });
    const again = await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('Nothing to do'));
    expect(again.text).toBe('OFX statement, 3 transactions, compared with @Main: all 3 are imported already. Nothing to do.');
  });
});
