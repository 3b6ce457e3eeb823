import type { Hono } from 'hono';
import type { Update } from 'grammy/types';
import { timingSafeEqual } from 'node:crypto';
import type { TelegramBot } from './telegram-adapter.js';

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
export function mountTelegramWebhook(app: Hono, tb: TelegramBot, secret: string, path = '/telegram/webhook'): void {
  app.post(path, async (c) => {
    const got = c.req.header('X-Telegram-Bot-Api-Secret-Token') ?? '';
    if (!same(got, secret)) return c.json({ error: 'unauthorized' }, 401);
    const body: unknown = await c.req.json().catch(() => undefined);
    if (!isUpdate(body)) return c.json({ error: 'bad update' }, 400);
    try {
      await tb.receive(body);
    } catch (err) {
      tb.logger.error({ err: String(err) }, 'webhook update not held');
      return c.json({ error: 'unavailable' }, 503);
    }
    return c.json({ ok: true });
  });
}
