import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramDouble, type TelegramDouble } from '../test/doubles/telegram-api.js';
import { RateLimited, Undeliverable } from './notifier.js';
import { telegramNotifier } from './telegram-notifier.js';

describe('Telegram notifier against the Bot API double', () => {
  let tg: TelegramDouble;
  let notifier: ReturnType<typeof telegramNotifier>;
  beforeAll(async () => {
    tg = await startTelegramDouble();
    notifier = telegramNotifier({ token: tg.token, apiRoot: tg.apiRoot, maxDelaySeconds: 2 });
  });
  afterAll(async () => tg?.close());

  it('GIVEN a reply with a table and a button THEN it arrives as one HTML message with an inline keyboard', async () => {
    const result = await notifier.send('telegram', '501', {
      text: 'Recorded from templates: <rent>',
      pre: '#1 −850.00 EUR',
      buttons: [[{ label: 'Undo', action: 'undo:1' }]],
    });
    expect(result).toBe('sent');
    const [m] = tg.outbox(501);
    expect(m!.text).toBe('Recorded from templates: &lt;rent&gt;\n<pre>#1 −850.00 EUR</pre>');
    expect(m!.parse_mode).toBe('HTML');
    expect(JSON.stringify(m!.reply_markup)).toContain('undo:1');
  });

  it('GIVEN a user who blocked the bot THEN the answer is blocked, not an error to retry', async () => {
    tg.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(await notifier.send('telegram', '502', { text: 'hi' })).toBe('blocked');
    tg.failNext('sendMessage', { error_code: 400, description: 'Bad Request: chat not found' });
    expect(await notifier.send('telegram', '503', { text: 'hi' })).toBe('blocked');
    expect(tg.outbox(502)).toHaveLength(0);
  });

  it('GIVEN a message Telegram refuses THEN it is undeliverable; a server error is thrown for a retry', async () => {
    tg.failNext('sendMessage', { error_code: 400, description: "Bad Request: can't parse entities" });
    await expect(notifier.send('telegram', '504', { text: 'x' })).rejects.toBeInstanceOf(Undeliverable);
    tg.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' });
    await expect(notifier.send('telegram', '504', { text: 'x' })).rejects.not.toBeInstanceOf(Undeliverable);
  }, 20_000);

  it('GIVEN a 429 with a short retry_after THEN the notifier waits and delivers', async () => {
    tg.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    const started = Date.now();
    expect(await notifier.send('telegram', '505', { text: 'later' })).toBe('sent');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(tg.outbox(505)).toHaveLength(1);
  });
});

describe('Telegram notifier: a 429 is handed to the queue, not waited out in place', () => {
  it('GIVEN a 429 with retry_after 7 THEN send throws RateLimited with 7 s at once', async () => {
    const tg = await startTelegramDouble();
    try {
      const notifier = telegramNotifier({ token: tg.token, apiRoot: tg.apiRoot });
      tg.failNext('sendMessage', { error_code: 429, retry_after: 7 });
      const started = Date.now();
      const err = await notifier.send('telegram', '506', { text: 'later' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimited);
      expect((err as RateLimited).retryAfterMs).toBe(7_000);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await tg.close();
    }
  });
});
