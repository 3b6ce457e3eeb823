import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import { createHttpApp } from '../http/app.js';
import { createMetrics } from '../../app/metrics.js';
import { rowsOf } from '../../drizzle/store/rows.js';
import type { ChatJournal } from '../../bot/chat-journal.js';
import { startTelegramDouble, type TelegramDouble } from '../../test/doubles/telegram-api.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { createTelegramBot } from './telegram-adapter.js';
import { mountTelegramWebhook } from './webhook.js';

const SECRET = 'webhook-secret_0123456789abcdef';
const update = (id: number, userId: number, text: string) => ({
  update_id: id,
  message: {
    message_id: id,
    date: 1_795_000_000,
    chat: { id: userId, type: 'private', first_name: `U${userId}` },
    from: { id: userId, is_bot: false, first_name: `U${userId}`, language_code: 'en' },
    text,
  },
});

/**
 * Telegram's webhook sends one update per request, up to 40 requests at once. The updates that
 * arrive while one is being held go into the inbox together (group commit, `bot/hold-group.ts`):
 * the real route, the real inbox on the test database, the Bot API double for the replies.
 */
describe('Telegram webhook: updates arriving together are held together', () => {
  let tg: TelegramDouble;
  let h: Harness;
  let app: Hono;
  /** How many updates each INSERT into the inbox carried. */
  const holds: number[] = [];

  beforeAll(async () => {
    tg = await startTelegramDouble();
    h = await createHarness();
    const logger = pino({ level: 'silent' });
    const journal: ChatJournal = { ...h.journal, hold: (us) => (holds.push(us.length), h.journal.hold(us)) };
    const bot = createTelegramBot({
      token: tg.token,
      apiRoot: tg.apiRoot,
      dispatcher: h.dispatcher,
      registry: h.registry,
      journal,
      logger,
      throttle: false,
      botInfo: { id: tg.bot.id, is_bot: true, first_name: tg.bot.first_name, username: tg.bot.username } as never,
    });
    app = createHttpApp({ logger, metrics: createMetrics(), pingDatabase: async () => {}, mount: (a) => mountTelegramWebhook(a, bot, SECRET) });
  });
  afterAll(async () => {
    await tg?.close();
    await h?.close();
  });

  const post = (body: object) =>
    app.request('/telegram/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET },
      body: JSON.stringify(body),
    });

  it('GIVEN forty people writing at once, one update delivered twice THEN each answer 200 means held, a few INSERTs hold them all, and each is recorded and answered once', async () => {
    const users = Array.from({ length: 40 }, (_, i) => 8100 + i);
    const updates = users.map((u, i) => update(500 + i, u, '3.20 bus'));
    const answers = await Promise.all([...updates, updates[7]!].map(post));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    // Answered 200: in the inbox already, whatever the applier has done with it since.
    const [inbox] = rowsOf<{ n: number }>(await h.database.db.execute(sql`select count(*)::int as n from chat_inbox`));
    expect(inbox?.n).toBe(40);
    expect(holds.reduce((a, b) => a + b, 0)).toBe(41);
    expect(holds.length).toBeLessThanOrEqual(8);
    for (const u of users) await tg.waitForOutbox((m) => m.chat_id === u && /#1 −3\.20 EUR/.test(m.text ?? ''), 10_000);
    const [events] = rowsOf<{ n: number }>(await h.database.db.execute(sql`select count(*)::int as n from events`));
    expect(events?.n).toBe(40);
    expect(tg.outbox(8107)).toHaveLength(1);
  });
});
