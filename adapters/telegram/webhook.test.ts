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

describe('Telegram webhook: secret, body size and JSON', () => {
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

  it('GIVEN no secret, a wrong one, or a near miss THEN 401 and the update never reaches the bot', async () => {
    const before = await state();
    const attempts: Record<string, string>[] = [
      {},
      { 'X-Telegram-Bot-Api-Secret-Token': '' },
      { 'X-Telegram-Bot-Api-Secret-Token': 'wrong' },
      { 'X-Telegram-Bot-Api-Secret-Token': SECRET.slice(0, -1) },
      { 'X-Telegram-Bot-Api-Secret-Token': SECRET + 'x' },
      { 'X-Telegram-Bot-Api-Secret-Token': SECRET.toUpperCase() },
      { 'X-Telegram-Bot-Api-Secret-Token': `${SECRET}, ${SECRET}` },
      { Authorization: `Bearer ${SECRET}` },
    ];
    for (const headers of attempts) {
      const res = await post(JSON.stringify(update('4.50 coffee')), headers);
      expect([headers, res.status]).toEqual([headers, 401]);
      expect(await res.text()).not.toContain(SECRET);
    }
    expect(await state()).toBe(before);
    expect(tg.outbox()).toHaveLength(0);
  });

  it('GIVEN the right secret THEN the update is applied once and answered', async () => {
    const u = update('4.50 coffee');
    const res = await post(JSON.stringify(u), { 'X-Telegram-Bot-Api-Secret-Token': SECRET });
    expect(res.status).toBe(200);
    const reply = await tg.waitForOutbox((m) => m.chat_id === ann.id, 5000);
    expect(reply.text).toContain('4.50 EUR');
    // Telegram redelivers after a timeout: the same update changes nothing the second time.
    const before = await state();
    expect((await post(JSON.stringify(u), { 'X-Telegram-Bot-Api-Secret-Token': SECRET })).status).toBe(200);
    expect(await state()).toBe(before);
  });

  it('GIVEN the right secret and a garbage body THEN an error status without internals, and nothing changes', async () => {
    const before = await state();
    for (const body of ['{"update_id": ', 'null', '[]', '{"update_id": "x", "message": {"text": 5}}']) {
      const res = await post(body, { 'X-Telegram-Bot-Api-Secret-Token': SECRET });
      const text = await res.text();
      expect(text).not.toMatch(/at .*\.(ts|js)|SyntaxError|stack/);
      expect(text).not.toContain(SECRET);
    }
    expect(await state()).toBe(before);
  });

  it('GIVEN other methods on the webhook path THEN it is not found', async () => {
    const res = await app.request('/telegram/webhook', { method: 'GET', headers: { 'X-Telegram-Bot-Api-Secret-Token': SECRET } });
    expect(res.status).toBe(404);
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
