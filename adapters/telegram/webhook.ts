import { webhookCallback, type Bot } from 'grammy';
import type { Hono } from 'hono';
import { timingSafeEqual } from 'node:crypto';
import type { ChatLock } from '../../drizzle/chat-lock.js';
import { updateChatKey } from './update-chat.js';

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * `POST /telegram/webhook`: only requests carrying the secret in
 * `X-Telegram-Bot-Api-Secret-Token` reach the bot; anything else gets 401 and changes nothing.
 * With `chatLock` (several replicas on one PostgreSQL) an update is handled holding its chat's
 * lock, so two updates of one chat reaching two replicas at once take effect one after the other.
 */
export function mountTelegramWebhook(app: Hono, bot: Bot, secret: string, opts: { path?: string; chatLock?: ChatLock } = {}): void {
  const handle = webhookCallback(bot, 'hono', { secretToken: secret, onTimeout: 'return' });
  app.post(opts.path ?? '/telegram/webhook', async (c) => {
    const got = c.req.header('X-Telegram-Bot-Api-Secret-Token') ?? '';
    if (!same(got, secret)) return c.json({ error: 'unauthorized' }, 401);
    const key = opts.chatLock ? updateChatKey(await c.req.json().catch(() => undefined)) : undefined;
    return key ? opts.chatLock!(key, () => handle(c)) : handle(c);
  });
}
