import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createHttpApp } from '../http/app.js';
import { createMetrics } from '../../app/metrics.js';
import { rowsOf } from '../../drizzle/store/rows.js';
import type { ChatJournal } from '../../bot/chat-journal.js';
import { startTelegramDouble, type TelegramDouble } from '../../test/doubles/telegram-api.js';
import { startWebhookSender } from '../../test/doubles/telegram-webhook-sender.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { createTelegramBot, startTelegram } from './telegram-adapter.js';
import { mountTelegramWebhook } from './webhook.js';

const SECRET = 'webhook-secret_gather_0123456789';
/** A window much longer than the bot's work on one batch, so the test does not race it. */
const WINDOW_MS = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Webhook mode's gather window (`TELEGRAM_GATHER_MS`): Telegram sends one update per request, and
 * while they keep coming the inbox starts a batch no sooner than the window after the previous one,
 * so they are applied many per transaction. The real route on a real HTTP server, the Bot API
 * double's webhook sender (one request per update, a chat's updates in order), the real inbox.
 */
describe('Telegram webhook: a busy stream is applied in batches', () => {
  let tg: TelegramDouble;
  let h: Harness;
  let server: ServerType;
  let stopBot: () => Promise<void>;
  let sender: ReturnType<typeof startWebhookSender>;
  /** When each batch began, and when each update was held (performance.now()). */
  const batches: number[] = [];
  const held: number[] = [];

  beforeAll(async () => {
    tg = await startTelegramDouble();
    h = await createHarness();
    const logger = pino({ level: 'silent' });
    const journal: ChatJournal = {
      ...h.journal,
      applyBatch: (...a) => (batches.push(performance.now()), h.journal.applyBatch(...a)),
      hold: (us) => h.journal.hold(us).then(() => void held.push(performance.now())),
    };
    const bot = createTelegramBot({ token: tg.token, apiRoot: tg.apiRoot, dispatcher: h.dispatcher, registry: h.registry, journal, logger, throttle: false });
    const app = createHttpApp({ logger, metrics: createMetrics(), pingDatabase: async () => {}, mount: (a) => mountTelegramWebhook(a, bot, SECRET) });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram/webhook`;
    stopBot = await startTelegram(bot, h.registry, { kind: 'webhook', url, secret: SECRET, gatherMs: WINDOW_MS });
    sender = startWebhookSender(tg, { url, secret: SECRET });
  });
  afterAll(async () => {
    sender?.stop();
    await stopBot?.();
    await new Promise((resolve) => server?.close(resolve));
    await tg?.close();
    await h?.close();
  });

  it('GIVEN thirty people writing one after another, 20 ms apart THEN a few transactions apply them all, each recorded and answered once', async () => {
    const users = Array.from({ length: 30 }, (_, i) => ({ id: 9100 + i, first_name: `W${i}`, language_code: 'en' }));
    for (const u of users) {
      tg.sendText({ id: u.id, type: 'private' }, u, '6.10 dinner');
      await sleep(20);
    }
    for (const u of users) await tg.waitForOutbox((m) => m.chat_id === u.id && /#1 −6\.10 EUR/.test(m.text ?? ''), 15_000);
    // About 600 ms of messages, a 400 ms window: two or three batches (thirty without the window).
    expect(batches.length).toBeLessThanOrEqual(6);
    const [row] = rowsOf<{ n: number }>(await h.database.db.execute(sql`select count(*)::int as n from events`));
    expect(row?.n).toBe(30);
    for (const u of users) expect(tg.outbox(u.id)).toHaveLength(1);
  });

  it('GIVEN a pause longer than the window THEN the next update is applied at once, not a window later', async () => {
    await sleep(WINDOW_MS + 100);
    const u = { id: 9200, first_name: 'Quiet', language_code: 'en' };
    const before = batches.length;
    tg.sendText({ id: u.id, type: 'private' }, u, '1 tea');
    await tg.waitForOutbox((m) => m.chat_id === u.id && /#1 /.test(m.text ?? ''));
    expect(batches.length).toBe(before + 1);
    expect(batches.at(-1)! - held.at(-1)!).toBeLessThan(WINDOW_MS / 2);
  });
});
