import { webhookCallback, type Bot } from 'grammy';
import type { Hono } from 'hono';
import { timingSafeEqual } from 'node:crypto';

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * `POST /telegram/webhook`: only requests carrying the secret in
 * `X-Telegram-Bot-Api-Secret-Token` reach the bot; anything else gets 401 and changes nothing.
 */
export function mountTelegramWebhook(app: Hono, bot: Bot, secret: string, path = '/telegram/webhook'): void {
  const handle = webhookCallback(bot, 'hono', { secretToken: secret, onTimeout: 'return' });
  app.post(path, async (c) => {
    const got = c.req.header('X-Telegram-Bot-Api-Secret-Token') ?? '';
    if (!same(got, secret)) return c.json({ error: 'unauthorized' }, 401);
    return handle(c);
  });
}
