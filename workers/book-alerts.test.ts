import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN, GROUP, createApiKit, type ApiKit } from '../test/api-kit.js';
import { deliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { createBookAlerts } from './book-alerts.js';
import { consoleNotifier } from './console-notifier.js';
import { createInProcessOutbox, type InProcessOutbox } from './in-process-queue.js';

/** Records made through the API still alert the book's chats, once per threshold and period. */
describe('budget alerts for API records', () => {
  let k: ApiKit;
  let outbox: InProcessOutbox;
  let printed = '';

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        printed += String(chunk);
        cb();
      },
    });
    let alerts: ReturnType<typeof createBookAlerts> | undefined;
    k = await createApiKit({ tellBook: (book, list) => alerts!(book, list) });
    const delivery = deliveryStore(k.h.database.db);
    outbox = createInProcessOutbox({ notifier: consoleNotifier(sink), store: delivery, now: () => new Date(), logger: pino({ level: 'silent' }) });
    alerts = createBookAlerts({ delivery, outbox });
  });
  afterAll(async () => {
    await outbox?.close(0);
    await k?.close();
  });

  it('GIVEN a group budget WHEN API records cross 80% THEN the group gets the alert once', async () => {
    await k.h.say(ANN, '/spend 10 #food', GROUP);
    await k.h.say(ANN, '/budget total 100', GROUP);
    const group = await k.bookId(GROUP);
    const token = await k.tokenFor(ANN);
    expect(await deliveryStore(k.h.database.db).chatsOfBook(group)).toEqual([{ platform: 'telegram', chatId: GROUP }]);

    const r1 = await k.req('POST', `/books/${group}/events`, { token, json: { amount: '75', labels: ['food'] } });
    expect(r1.status).toBe(201);
    await outbox.idle();
    // With the early warning of issue 18: at this pace the month's limit is reached before it ends.
    expect(printed).toBe('[COIN] ⚠️ Budget total is at 85%: 85.00 EUR of 100.00 EUR spent in November 2026. At this pace it runs out on the 29th.\n');

    // Still between 80% and 100%: no second alert for the same threshold and period.
    await k.req('POST', `/books/${group}/events`, { token, json: { amount: '5', labels: ['food'] } });
    await outbox.idle();
    expect(printed.match(/\[COIN\]/g)).toHaveLength(1);

    // Crossing 100% alerts once more.
    await k.req('POST', `/books/${group}/events`, { token, json: { amount: '20', labels: ['food'] } });
    await outbox.idle();
    expect(printed.match(/\[COIN\]/g)).toHaveLength(2);
    expect(printed).toContain('used up');
  });
});
