import pino from 'pino';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test/harness.js';
import { deliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { createInProcessOutbox } from './in-process-queue.js';
import { outbound, type Notifier, type OutboundMessage } from './notifier.js';
import { scriptedNotifier } from '../test/worker-kit.js';

const silent = pino({ level: 'silent' });


describe('in-process outbound queue (REDIS_URL unset)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.say({ id: '7', name: 'Gus' }, '/start'); // chat p-7 exists
    await h.say({ id: '8', name: 'Hal' }, '/start');
  });
  afterAll(async () => h?.close());

  const deps = (notifier: Notifier, extra: Partial<Parameters<typeof createInProcessOutbox>[0]> = {}) => ({
    notifier,
    store: deliveryStore(h.database.db),
    now: () => new Date(),
    logger: silent,
    backoff: () => 30,
    ...extra,
  });

  it('GIVEN two messages to one Telegram chat THEN they go a second apart; another chat is not held up', async () => {
    const s = scriptedNotifier();
    const q = createInProcessOutbox(deps(s.notifier));
    const start = Date.now();
    await q.send(outbound('telegram', '100', { text: 'one' }));
    await q.send(outbound('telegram', '100', { text: 'two' }));
    await q.send(outbound('telegram', '200', { text: 'other' }));
    await q.idle();
    const [one, two] = s.got.filter((g) => g.chatId === '100');
    expect(s.got.map((g) => g.text).sort()).toEqual(['one', 'other', 'two']);
    // Sends start a second apart; the notifier sees them after a blocked-chat lookup of varying length.
    expect(two!.at - one!.at).toBeGreaterThanOrEqual(900);
    expect(s.got.find((g) => g.chatId === '200')!.at - start).toBeLessThan(500);
    await q.close();
  });

  it('GIVEN a failure worth retrying THEN the message is retried with backoff until it goes', async () => {
    const s = scriptedNotifier((_c, n) => (n < 3 ? new Error('ETIMEDOUT') : 'sent'));
    const outcomes: string[] = [];
    const q = createInProcessOutbox(deps(s.notifier, { onOutcome: (_m, o) => outcomes.push(o) }));
    await q.send(outbound('console', 'local', { text: 'retry me' }));
    await q.idle();
    expect(s.calls()).toBe(3);
    expect(outcomes).toEqual(['sent']);
    await q.close();
  });

  it('GIVEN a failure that never ends THEN it stops after the attempts and reports failed', async () => {
    const s = scriptedNotifier(() => new Error('down'));
    const outcomes: string[] = [];
    const q = createInProcessOutbox(deps(s.notifier, { attempts: 4, onOutcome: (_m, o) => outcomes.push(o) }));
    await q.send(outbound('console', 'local', { text: 'never' }));
    await q.idle();
    expect(s.calls()).toBe(4);
    expect(outcomes).toEqual(['failed']);
    await q.close();
  });

  it('GIVEN a chat that blocked the bot THEN it is marked once and later messages are not sent', async () => {
    const s = scriptedNotifier((chatId) => (chatId === 'p-7' ? 'blocked' : 'sent'));
    const outcomes: string[] = [];
    const q = createInProcessOutbox(deps(s.notifier, { onOutcome: (m: OutboundMessage, o) => outcomes.push(`${m.chatId}:${o}`) }));
    await q.send(outbound('telegram', 'p-7', { text: 'first' }));
    await q.idle();
    await q.send(outbound('telegram', 'p-7', { text: 'second' }));
    await q.send(outbound('telegram', 'p-8', { text: 'fine' }));
    await q.idle();
    expect(outcomes.sort()).toEqual(['p-7:blocked', 'p-7:skipped', 'p-8:sent']);
    expect(s.calls()).toBe(2);
    const rows = rowsOf<{ chat_id: string; blocked: boolean }>(
      await h.database.db.execute(sql`select chat_id, blocked_at is not null as blocked from chats where chat_id in ('p-7', 'p-8') order by chat_id`),
    );
    expect(rows).toEqual([
      { chat_id: 'p-7', blocked: true },
      { chat_id: 'p-8', blocked: false },
    ]);
    await q.close();
  });

  it('GIVEN the same keyed message twice THEN it is sent once', async () => {
    const s = scriptedNotifier();
    const q = createInProcessOutbox(deps(s.notifier));
    await q.send(outbound('console', 'local', { text: 'once' }, 'tpl-1-1-1'));
    await q.send(outbound('console', 'local', { text: 'once' }, 'tpl-1-1-1'));
    await q.idle();
    expect(s.got).toHaveLength(1);
    await q.close();
  });
});
