import pino from 'pino';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../test/databases.js';
import { storeOn } from '../test/store-on.js';
import type { Database } from '../drizzle/db.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { deliveryStore } from '../drizzle/store/chat-delivery-store.js';
import { keepNotices, noticeOutboxStore } from '../drizzle/store/notice-outbox-store.js';
import { deliver, SendingElsewhere, type DeliverDeps } from './outbound.js';
import { outbound, type Notifier } from './notifier.js';

const GROUP = 'lease-test';
const logger = pino({ level: 'silent' });

/**
 * A kept notice is sent by one delivery at a time and once: two jobs of the same message (a relay
 * repeated when Redis reconnected, while a job of the old Redis was still in a worker's hands)
 * used to both find it not done and both send it — a chat told of one record twice.
 */
describe.each(ENGINES)('notice lease: one delivery of a kept notice at a time, on $engine', ({ open }) => {
  let database: Database;
  storeOn(open, (db) => (database = db));
  const notices = () => noticeOutboxStore(database.db, GROUP);
  const keep = (key: string, chatId = 'c-1') =>
    keepNotices(database.db, GROUP, [{ key, platform: 'console', chatId, message: outbound('console', chatId, { text: `notice ${key}` }, key) }]);

  /** A platform that takes `ms` to accept each message, and remembers what it got. */
  const slowPlatform = (ms: number) => {
    const got: string[] = [];
    const notifier: Notifier = {
      async send(_p, _chat, reply) {
        await new Promise((r) => setTimeout(r, ms));
        got.push(reply.text);
        return 'sent';
      },
    };
    return { got, notifier };
  };
  const depsWith = (notifier: Notifier): DeliverDeps => ({ notifier, store: deliveryStore(database.db), now: () => new Date(), logger, done: notices() });

  it('GIVEN two deliveries of one notice at once THEN the platform gets it once; the other is told to retry, and its retry sends nothing', async () => {
    await keep('twice-1');
    const platform = slowPlatform(150);
    const msg = outbound('console', 'c-1', { text: 'notice twice-1' }, 'twice-1');
    const both = await Promise.allSettled([deliver(msg, depsWith(platform.notifier)), deliver(msg, depsWith(platform.notifier))]);
    expect(both.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<string>).value)).toEqual(['sent']);
    expect(both.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([expect.any(SendingElsewhere)]);
    expect(await deliver(msg, depsWith(platform.notifier))).toBe('skipped');
    expect(platform.got).toEqual(['notice twice-1']);
  });

  it('GIVEN a send that fails (to be retried) THEN the next delivery sends it at once, not after the lease', async () => {
    await keep('fails-1');
    const msg = outbound('console', 'c-1', { text: 'notice fails-1' }, 'fails-1');
    const failing: Notifier = { send: async () => Promise.reject(new Error('platform unavailable')) };
    await expect(deliver(msg, depsWith(failing))).rejects.toThrow('platform unavailable');
    const platform = slowPlatform(0);
    expect(await deliver(msg, depsWith(platform.notifier))).toBe('sent');
    expect(platform.got).toEqual(['notice fails-1']);
  });

  it('GIVEN a delivery that died while sending (its lease left behind) THEN it is busy until the lease ends, then sent', async () => {
    await keep('died-1');
    expect(await notices().claim('died-1', 300)).toBe('go');
    expect(await notices().claim('died-1')).toBe('busy');
    await new Promise((r) => setTimeout(r, 400));
    expect(await notices().claim('died-1')).toBe('go');
  });

  it('GIVEN a message not kept in the outbox THEN a delivery sends it (nothing to guard)', async () => {
    expect(await notices().claim('never-kept')).toBe('go');
  });

  it('GIVEN Redis reconnected THEN relayed notices not yet sent are relayed again at once; sent ones are not', async () => {
    await keep('relayed-sent', 'c-2');
    await keep('relayed-lost', 'c-2');
    const store = notices();
    const relay = (handed: string[]) => store.relay(100, async (rows) => new Set(rows.filter((r) => (handed.push(r.key), true)).map((r) => r.id)));
    const first: string[] = [];
    await relay(first);
    expect(first).toEqual(expect.arrayContaining(['relayed-sent', 'relayed-lost']));
    await store.markDone('relayed-sent');
    const beforeReconnect: string[] = [];
    await store.retryNow();
    await relay(beforeReconnect);
    expect(beforeReconnect).toEqual([]);
    await store.retryNow({ relayedToo: true });
    const afterReconnect: string[] = [];
    await relay(afterReconnect);
    expect(afterReconnect.filter((k) => k.startsWith('relayed-'))).toEqual(['relayed-lost']);
    const [row] = rowsOf<{ done: boolean }>(await database.db.execute(sql`select done_at is not null as done from notice_outbox where key = 'relayed-sent'`));
    expect(row!.done).toBe(true);
  });
});
