import { webhookCallback, type Bot } from 'grammy';
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { timingSafeEqual } from 'node:crypto';
import type { ChatLock } from '../../drizzle/chat-lock.js';
import { updateChatKey } from './update-chat.js';

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Largest update body accepted (bytes). Telegram's updates are a few KiB (a message with a long
 * text and entities stays far below 64 KiB); 1 MiB leaves room and refuses floods (SPEC §6).
 */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * `POST /telegram/webhook`: only requests carrying the secret in
 * `X-Telegram-Bot-Api-Secret-Token` reach the bot; anything else gets 401 and changes nothing.
 * A body over {@link WEBHOOK_BODY_LIMIT} gets 413 and one that is not JSON 400, before the bot
 * sees it.
 * With `chatLock` (several replicas on one PostgreSQL) an update is handled holding its chat's
 * lock, so two updates of one chat reaching two replicas at once take effect one after the other.
 */
export function mountTelegramWebhook(app: Hono, bot: Bot, secret: string, opts: { path?: string; chatLock?: ChatLock } = {}): void {
  const handle = webhookCallback(bot, 'hono', { secretToken: secret, onTimeout: 'return' });
  const limit = bodyLimit({ maxSize: WEBHOOK_BODY_LIMIT, onError: (c) => c.json({ error: 'payload_too_large' }, 413) });
  app.post(
    opts.path ?? '/telegram/webhook',
    async (c, next) => {
      const got = c.req.header('X-Telegram-Bot-Api-Secret-Token') ?? '';
      if (!same(got, secret)) return c.json({ error: 'unauthorized' }, 401);
      await next();
    },
    limit,
    async (c) => {
      let update: unknown;
      try {
        update = JSON.parse(await c.req.text());
      } catch {
        return c.json({ error: 'invalid_json' }, 400);
      }
      const key = opts.chatLock ? updateChatKey(update) : undefined;
      return key ? opts.chatLock!(key, () => handle(c)) : handle(c);
    },
  );
}
