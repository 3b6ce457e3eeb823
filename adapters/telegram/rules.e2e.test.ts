import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelegramDouble } from '../../test/doubles/telegram-api.js';
import { buttons, startTelegramKit, type TelegramKit } from '../../test/telegram-kit.js';

const ann = { id: 611, first_name: 'Ann', username: 'ann_r', language_code: 'en' };
const annChat = { id: 611, type: 'private' as const };

/** Rules through the real grammY client against the local Bot API double. */
describe('rules on Telegram', () => {
  let k: TelegramKit;
  let tg: TelegramDouble;

  beforeAll(async () => {
    k = await startTelegramKit();
    ({ tg } = k);
  });
  afterAll(() => k?.close());

  const say = async (text: string, match: (t: string) => boolean) => {
    tg.sendText(annChat, ann, text);
    return tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text && match(m.text));
  };

  // The double keeps the HTML COIN sent: `<` arrives escaped, so Telegram shows it as typed.
  it('GIVEN /rule add with * and <, > THEN the reply shows them as typed and a quick entry is labelled', async () => {
    expect((await say('/rule add amzn *<mktp> #shopping', (t) => t.includes('Added rule'))).text).toContain('Added rule 1: “amzn *&lt;mktp&gt;” → #shopping.');
    expect((await say('12 AMZN Mktp DE', (t) => t.includes('#1 '))).text).toContain('#1 −12.00 EUR · #shopping @Main · AMZN Mktp DE · labelled by rule 1');
    expect((await say('/rules', (t) => t.startsWith('Rules (1)'))).text).toMatch(/1 +amzn \*&lt;mktp&gt; +#shopping/);
  });

  it('GIVEN a Cyrillic payee labelled three times THEN the suggestion button fits Telegram and adds the rule', async () => {
    for (const [i, line] of ['150 #продукты Пятёрочка у дома', '200 #продукты ПЯТЕРОЧКА', '90 #продукты пятёрочка'].entries())
      await say(line, (t) => t.includes(`#${i + 2} `));
    const offer = await say('/rule suggest', (t) => t.startsWith('Rules I could add'));
    expect(offer.text).toContain('/rule add пятерочка #продукты');
    const [button] = buttons(offer);
    expect(button!.text).toBe('Add: пятерочка → #продукты');
    expect(Buffer.byteLength(button!.callback_data)).toBeLessThanOrEqual(64);
    tg.pressButton(annChat, ann, offer.message_id, button!.callback_data);
    expect((await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('Added rule 2'))).text).toContain('“пятерочка” → #продукты');
    expect((await say('75 Пятёрочка', (t) => t.includes('#5 '))).text).toContain('#продукты @Main · Пятёрочка · labelled by rule 2');
  });
});
