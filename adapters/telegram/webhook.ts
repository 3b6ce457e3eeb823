import type { Hono } from 'hono';
import type { Update } from 'grammy/types';
import { bodyLimit } from 'hono/body-limit';
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
 * Largest update body accepted (bytes). Telegram's updates are a few KiB (a message with a long
 * text and entities stays far below 64 KiB); 1 MiB leaves room and refuses floods (SPEC §6).
 */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * `POST /telegram/webhook`: only requests carrying the secret in
 * `X-Telegram-Bot-Api-Secret-Token` reach the bot; anything else gets 401 and changes nothing.
 * The answer is 200 only once the update is held in the inbox (docs/durability.md): when the
 * database cannot take it, 503 makes Telegram deliver it again later. A body over
 * {@link WEBHOOK_BODY_LIMIT} gets 413 and one that is not a JSON update 400, before the bot sees it.
 * Replicas need nothing more: the inbox applies one chat's updates one at a time in `update_id`
 * order whichever replica held them (docs/durability.md).
 */
export function mountTelegramWebhook(app: Hono, tb: TelegramBot, secret: string, opts: { path?: string } = {}): void {
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
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return c.json({ error: 'invalid_json' }, 400);
      }
      if (!isUpdate(body)) return c.json({ error: 'bad update' }, 400);
      try {
        await tb.receive(body);
      } catch (err) {
        tb.logger.error({ err: String(err) }, 'webhook update not held');
        return c.json({ error: 'unavailable' }, 503);
      }
      return c.json({ ok: true });
    },
  );
}
