import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../bot/rate-limit.js';
import type { TelegramDouble } from '../../test/doubles/telegram-api.js';
import { startTelegramKit, type TelegramKit } from '../../test/telegram-kit.js';

const ann = { id: 601, first_name: 'Ann', language_code: 'en' };
const bob = { id: 602, first_name: 'Bob', language_code: 'en' };
const annChat = { id: 601, type: 'private' as const };
const bobChat = { id: 602, type: 'private' as const };

/**
 * The chat's command limit meets the inbox's retries (found by the chaos suite: a PostgreSQL
 * restart rolled a batch back, its re-application was charged the limit again, and the burst's
 * tail was answered "slow down" and never recorded). The real grammY client against the Bot API
 * double, the inbox applying many chats per transaction.
 */
describe('Telegram intake and the chat limit', () => {
  let k: TelegramKit;
  let tg: TelegramDouble;

  beforeAll(async () => {
    k = await startTelegramKit(
      { extend: (s) => void (s.commandLimiter = createRateLimiter({ capacity: 5, refillPerSecond: 0.01 })) },
      { batch: { chats: 32, perChat: 10 } },
    );
    ({ tg } = k);
  });
  afterAll(() => k?.close());

  it('GIVEN a burst at the chat limit in a batch applied again one update at a time THEN every record is kept once and nobody is told to slow down', async () => {
    // One getUpdates batch: Bob's first message, then his rename (a savepoint: a batch of several
    // chats rolls back and is applied one update at a time), and Ann's five records (her limit).
    tg.sendText(bobChat, bob, '1 tea');
    tg.sendText(bobChat, bob, '/account rename Main Wallet');
    for (let n = 1; n <= 5; n++) tg.sendText(annChat, ann, `${n} r${n}`);
    await tg.waitForOutbox((m) => m.chat_id === bobChat.id && !!m.text?.includes('Wallet'));
    const said = async () => tg.outbox(annChat.id).map((m) => m.text ?? '').join('\n');
    await expect.poll(said, { timeout: 10_000 }).toMatch(/#5 −5\.00 EUR/);
    const text = await said();
    expect(text).not.toMatch(/Slow down/i);
    for (let n = 1; n <= 5; n++) expect(text.match(new RegExp(`#${n} −${n}\\.00 EUR`, 'g'))).toHaveLength(1);
    // The sixth is over the limit, as it should be.
    tg.sendText(annChat, ann, '6 r6');
    await tg.waitForOutbox((m) => m.chat_id === annChat.id && /Slow down/i.test(m.text ?? ''));
  });

  it('GIVEN records sent at an allowed pace and delivered at once (a backlog after an outage) THEN every one is kept and nobody is told to slow down', async () => {
    const carl = { id: 603, first_name: 'Carl', language_code: 'en' };
    const carlChat = { id: 603, type: 'private' as const };
    // Twelve records sent over the last 20 minutes, one every 100 s (the pace this limit allows:
    // 5 at once, then one every 100 s), arriving in one getUpdates batch.
    const sent = Date.now() - 1_300_000;
    for (let n = 1; n <= 12; n++) tg.sendText(carlChat, carl, `${n} r${n}`, { date: new Date(sent + n * 100_000) });
    const said = async () => tg.outbox(carlChat.id).map((m) => m.text ?? '').join('\n');
    await expect.poll(said, { timeout: 10_000 }).toMatch(/#12 −12\.00 EUR/);
    expect(await said()).not.toMatch(/Slow down/i);
  });
});
