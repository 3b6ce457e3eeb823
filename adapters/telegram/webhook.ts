import type { Hono } from 'hono';
import type { Update } from 'grammy/types';
import { timingSafeEqual } from 'node:crypto';
import type { TelegramBot } from './telegram-adapter.js';
import type { ChatLock } from '../../drizzle/chat-lock.js';
import { updateChatKey } from './update-chat.js';

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const isUpdate = (v: unknown): v is Update =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Number.isSafeInteger((v as { update_id?: unknown }).update_id);

/**
 * `POST /telegram/webhook`: only requests carrying the secret in
 * `X-Telegram-Bot-Api-Secret-Token` reach the bot; anything else gets 401 and changes nothing.
 * The answer is 200 only once the update is held in the inbox (issue 12): when the database
 * cannot take it, 503 makes Telegram deliver it again later.
 */
export function mountTelegramWebhook(app: Hono, tb: TelegramBot, secret: string, opts: { path?: string; chatLock?: ChatLock } = {}): void {
  app.post(opts.path ?? '/telegram/webhook', async (c) => {
    const got = c.req.header('X-Telegram-Bot-Api-Secret-Token') ?? '';
    if (!same(got, secret)) return c.json({ error: 'unauthorized' }, 401);
    const body: unknown = await c.req.json().catch(() => undefined);
    if (!isUpdate(body)) return c.json({ error: 'bad update' }, 400);
    try {
      // With `chatLock` (replicas) one chat's updates are also held one at a time, in arrival order.
      const key = opts.chatLock ? updateChatKey(body) : undefined;
      await (key ? opts.chatLock!(key, () => tb.receive(body)) : tb.receive(body));
    } catch (err) {
      tb.logger.error({ err: String(err) }, 'webhook update not held');
      return c.json({ error: 'unavailable' }, 503);
    }
    return c.json({ ok: true });
  });
}
