import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import { createHttpApp } from '../http/app.js';
import { createMetrics } from '../../app/metrics.js';
import { rowsOf } from '../../drizzle/store/rows.js';
import { startTelegramDouble, type TelegramDouble } from '../../test/doubles/telegram-api.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { createTelegramBot } from './telegram-adapter.js';
import { mountTelegramWebhook } from './webhook.js';

const SECRET = 'webhook-secret_0123456789abcdef';
const ann = { id: 777, is_bot: false, first_name: 'Ann' };

let nextUpdate = 1;
const update = (text: string) => ({
  update_id: nextUpdate++,
  message: { message_id: nextUpdate, date: 1_795_000_000, chat: { id: ann.id, type: 'private', first_name: 'Ann' }, from: ann, text },
});

describe('Telegram webhook bounds (issue 13 item 14)', () => {
  let tg: TelegramDouble;
  let h: Harness;
  let app: Hono;

  const post = (body: string, headers: Record<string, string>) =>
    app.request('/telegram/webhook', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  /** Users, books and events: what a delivered update would create. */
  const state = async () =>
    JSON.stringify(
      rowsOf(
        await h.database.db.execute(
          sql`select (select count(*) from users)::int as users, (select count(*) from books)::int as books, (select count(*) from events)::int as events`,
        ),
      ),
    );

  beforeAll(async () => {
    tg = await startTelegramDouble();
    h = await createHarness();
    const logger = pino({ level: 'silent' });
    // botInfo is given, so grammY never calls getMe: the webhook is the only way in.
    const bot = createTelegramBot({
      token: tg.token,
      apiRoot: tg.apiRoot,
      dispatcher: h.dispatcher,
      registry: h.registry,
      journal: h.journal,
      logger,
      throttle: false,
      botInfo: {
        id: tg.bot.id,
        is_bot: true,
        first_name: tg.bot.first_name,
        username: tg.bot.username,
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
        can_connect_to_business: false,
        has_main_web_app: false,
      } as never,
    });
    app = createHttpApp({ logger, metrics: createMetrics(), pingDatabase: async () => {}, mount: (a) => mountTelegramWebhook(a, bot, SECRET) });
  });
  afterAll(async () => {
    await tg?.close();
    await h?.close();
  });

  it('GIVEN the right secret and malformed JSON THEN 400, and nothing changes', async () => {
    const before = await state();
    for (const body of ['{"update_id": ', 'not json', '']) {
      const res = await post(body, { 'X-Telegram-Bot-Api-Secret-Token': SECRET });
      expect([body, res.status]).toEqual([body, 400]);
      expect(await res.text()).not.toMatch(/SyntaxError|stack/);
    }
    expect(await state()).toBe(before);
  });

  it('GIVEN the right secret and a body over the limit THEN 413 before any of it is parsed, and nothing changes', async () => {
    const before = await state();
    const big = JSON.stringify({ ...update('4.50 coffee'), padding: 'x'.repeat(5 * 1024 * 1024) });
    const res = await post(big, { 'X-Telegram-Bot-Api-Secret-Token': SECRET });
    expect(res.status).toBe(413);
    expect(await state()).toBe(before);
  });
});
