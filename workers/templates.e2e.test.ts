import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttons } from '../test/telegram-kit.js';
import pino from 'pino';
import type { TelegramBot } from '../adapters/telegram/telegram-adapter.js';
import { sql } from 'drizzle-orm';
import { QueueEvents } from 'bullmq';
import { startTelegramDouble, type TelegramDouble } from '../test/doubles/telegram-api.js';
import { createHarness, type Harness } from '../test/harness.js';
import { createTelegramBot, startTelegram } from '../adapters/telegram/telegram-adapter.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { buildNotifier, startWorkerRole, type WorkerRole } from './worker-role.js';
import { TEMPLATES_QUEUE } from './queues.js';
import { TEST_REDIS_URL, dropPrefix, uniquePrefix } from '../test/worker-kit.js';

const ann = { id: 601, first_name: 'Ann', language_code: 'en' };
const annChat = { id: 601, type: 'private' as const };
const group = { id: -2001, type: 'supergroup' as const, title: 'Flat 4B' };

/**
 * The whole path: a chat command on Telegram creates a template, a BullMQ sweep job records it
 * when due, and the outbound queue tells that chat through the Bot API.
 */
describe('templates end to end: Telegram command → BullMQ sweep → event → message in the chat', () => {
  let tg: TelegramDouble;
  let h: Harness;
  let bot: TelegramBot;
  let stopBot: () => Promise<void>;
  let role: WorkerRole;
  const prefix = uniquePrefix('e2e');

  beforeAll(async () => {
    tg = await startTelegramDouble();
    h = await createHarness({ now: '2026-11-24T12:00:00Z' });
    const logger = pino({ level: 'silent' });
    bot = createTelegramBot({ token: tg.token, apiRoot: tg.apiRoot, dispatcher: h.dispatcher, registry: h.registry, journal: h.journal, logger, throttle: false });
    stopBot = await startTelegram(bot, h.registry, { kind: 'polling' });
    await tg.waitForPoll();
    role = await startWorkerRole({
      db: h.database.db,
      store: h.services.store,
      clock: h.clock,
      logger,
      notifier: await buildNotifier({ telegram: { token: tg.token, apiRoot: tg.apiRoot } }),
      redisUrl: TEST_REDIS_URL,
      prefix,
      runWorkers: true,
    });
  });
  afterAll(async () => {
    await role?.close();
    await stopBot?.();
    await tg?.close();
    await h?.close();
    await dropPrefix(prefix);
  });

  it('GIVEN /template add in a private chat THEN when due the record is made and the chat gets a message with Undo', async () => {
    tg.sendText(annChat, ann, '/template add daily at:13:00 12.50 #rent flat');
    const added = await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('Template'));
    expect(added.text).toContain('Template 1 added: 12.50 #rent flat');
    expect(added.text).toContain('Next: 2026-11-24 13:00 (UTC)');

    h.clock.set('2026-11-24T13:00:20Z');
    await role.queues!.templates.add('sweep', {});
    const note = await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('Recorded from templates'), 15_000);
    expect(note.text).toContain('#1 2026-11-24 −12.50 EUR #rent @Main flat (T1)');
    expect(note.text).toContain('Main: −12.50 EUR');
    expect(buttons(note)).toEqual([{ text: 'Undo', callback_data: 'undo:1' }]);

    const [ev] = rowsOf<{ template_id: number; occurred_at: Date }>(
      await h.database.db.execute(sql`select template_id, occurred_at from events where seq = 1`),
    );
    expect(ev!.template_id).toBe(1);
    expect(new Date(ev!.occurred_at).toISOString()).toBe('2026-11-24T13:00:00.000Z');

    // The button under a worker's message is answered by the bot like any other.
    tg.pressButton(annChat, ann, note.message_id, 'undo:1');
    const undone = await tg.waitForOutbox((m) => m.method === 'editMessageText' && m.message_id === note.message_id);
    expect(undone.text).toContain('Undone #1');
  });

  it('GIVEN a sweep job delivered twice THEN the second one records and says nothing', async () => {
    h.clock.set('2026-11-25T13:00:20Z');
    await role.queues!.templates.add('sweep', {});
    await tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('#2 2026-11-25'), 15_000);
    const before = tg.outbox(annChat.id).length;
    const events = new QueueEvents(TEMPLATES_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix });
    try {
      await events.waitUntilReady();
      const again = await role.queues!.templates.add('sweep', {});
      expect(await again.waitUntilFinished(events, 15_000)).toMatchObject({ applied: 0 });
    } finally {
      await events.close();
    }
    const [count] = rowsOf<{ n: number }>(await h.database.db.execute(sql`select count(*)::int as n from events`));
    expect(count!.n).toBe(2);
    expect(tg.outbox(annChat.id)).toHaveLength(before);
  });

  it('GIVEN a group that removed the bot THEN the template still records, the chat is marked blocked and not retried', async () => {
    h.clock.set('2026-11-26T12:00:00Z');
    tg.sendText(group, ann, '/template add daily at:12:30 3 #cleaning');
    await tg.waitForOutbox((m) => m.chat_id === group.id && !!m.text?.includes('Template'));
    tg.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was kicked from the supergroup chat' });
    h.clock.set('2026-11-26T12:30:10Z');
    await role.queues!.templates.add('sweep', {});
    const deadline = Date.now() + 15_000;
    let blocked = false;
    while (!blocked && Date.now() < deadline) {
      const [row] = rowsOf<{ blocked: boolean }>(
        await h.database.db.execute(sql`select blocked_at is not null as blocked from chats where chat_id = ${String(group.id)}`),
      );
      blocked = row!.blocked;
      if (!blocked) await new Promise((r) => setTimeout(r, 100));
    }
    expect(blocked).toBe(true);
    const sends = tg.calls.filter((c) => c.method === 'sendMessage' && Number(c.payload.chat_id) === group.id && c.error_code === 403);
    expect(sends).toHaveLength(1);
    const [count] = rowsOf<{ n: number }>(await h.database.db.execute(sql`select count(*)::int as n from events where amount_minor = 300`));
    expect(count!.n).toBe(1);
  });
});
