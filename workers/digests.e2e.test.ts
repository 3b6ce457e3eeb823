import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incoming } from '../bot/dispatcher.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { startDiscordDouble } from '../test/doubles/discord/index.js';
import { startTelegramDouble, type TelegramDouble } from '../test/doubles/telegram-api.js';
import { createHarness, type Harness } from '../test/harness.js';
import { TEST_REDIS_URL, dropPrefix, uniquePrefix, waitUntil } from '../test/worker-kit.js';
import { buildNotifier, startWorkerRole, type WorkerRole } from './worker-role.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/** Ann's private Telegram chat (id 701) and a group (-7001), through the dispatcher as the bot would. */
const say = (h: Harness, text: string, chatId = '701', kind: 'private' | 'group' = 'private') => {
  const msg: Incoming = {
    chat: { platform: 'telegram', chatId, kind, title: kind === 'group' ? 'Flat' : 'Ann' },
    from: { platform: 'telegram', externalId: '701', name: 'Ann', locale: 'en' },
    platformAdmin: true,
    text,
  };
  return h.dispatcher.handleMessage(msg).then((rs) => rs.map((r) => r.text).join('\n'));
};

const settingsOf = async (h: Harness, chatId: string) =>
  rowsOf<{ kind: string }>(await h.database.db.execute(sql`select kind from digest_settings where chat_id = ${chatId} order by kind`)).map((r) => r.kind);

type Variant = { scheduler: 'bullmq' | 'in-process' };

/**
 * The digest on the real scheduler (BullMQ on the local Redis, or the in-process timer without
 * Redis), delivered through the real grammY client to the Telegram double: two workers, a
 * restart, and a chat that blocked the bot.
 */
describe.each<Variant>([{ scheduler: 'bullmq' }, { scheduler: 'in-process' }])('digest end to end on the $scheduler scheduler', ({ scheduler }) => {
  let tg: TelegramDouble;
  let h: Harness;
  const prefix = uniquePrefix('digest');
  const roles: WorkerRole[] = [];
  const logs: { msg?: string; off?: string[]; chat?: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });

  const start = async () => {
    const role = await startWorkerRole({
      db: h.database.db,
      store: h.services.store,
      clock: h.clock,
      logger,
      notifier: await buildNotifier({ telegram: { token: tg.token, apiRoot: tg.apiRoot } }),
      runWorkers: true,
      relayIntervalMs: 200,
      // The minute timer must not fire on its own during the test; runs are triggered below.
      sweepIntervalMs: 24 * 3600_000,
      ...(scheduler === 'bullmq' ? { redisUrl: TEST_REDIS_URL, prefix, reconcileMs: 3600_000, sweepPattern: '0 0 1 1 *' } : {}),
    });
    roles.push(role);
    return role;
  };

  /** Every worker runs a sweep at once (two jobs on the queue, or both timers firing). */
  const sweepAll = async () => {
    const live = roles.filter((r) => !(r as { closed?: boolean }).closed);
    if (scheduler === 'in-process') await Promise.all(live.map((r) => r.sweeps!.runNow()));
    else {
      const { QueueEvents } = await import('bullmq');
      const events = new QueueEvents('templates', { connection: { url: TEST_REDIS_URL }, prefix });
      try {
        await events.waitUntilReady();
        const q = live[0]!.queues!.templates;
        const jobs = await Promise.all(live.map((_, i) => q.add('sweep', {}, { jobId: `t-${Date.now()}-${i}` })));
        await Promise.all(jobs.map((j) => j.waitUntilFinished(events, 30_000)));
      } finally {
        await events.close();
      }
    }
    await Promise.all(live.map((r) => r.relay.drain()));
  };

  const stop = async (role: WorkerRole) => {
    await role.close();
    (role as { closed?: boolean }).closed = true;
  };

  const digestsSent = () => tg.outbox(701).filter((m) => m.method === 'sendPhoto' || m.text?.includes('🗓'));

  beforeAll(async () => {
    tg = await startTelegramDouble();
    // Wednesday 4 November 2026 in New York (summer time ended on Sunday 1 November).
    h = await createHarness({ now: '2026-11-04T15:00:00Z' });
    await say(h, '/timezone America/New_York');
    expect(await say(h, '/digest weekly 08:30')).toContain('Next: Mon 9 Nov 08:30');
    await say(h, '/spend 30 #food');
    await say(h, '/spend 12 #books');
    await start();
    await start();
  });
  afterAll(async () => {
    for (const r of roles) if (!(r as { closed?: boolean }).closed) await r.close();
    await tg?.close();
    await h?.close();
    if (scheduler === 'bullmq') await dropPrefix(prefix);
  });

  it('GIVEN two workers and then a restart THEN the week’s digest reaches the chat once, as a chart with the summary', async () => {
    // Monday 9 November 08:30 in New York is 13:30 UTC (EST).
    h.clock.set('2026-11-09T13:29:00Z');
    await sweepAll();
    expect(digestsSent()).toHaveLength(0);
    h.clock.set('2026-11-09T13:30:05Z');
    await sweepAll();
    await waitUntil(async () => digestsSent().length >= 1, 20_000);
    // One worker stops, a new one starts (a deploy); every worker sweeps again.
    await stop(roles[0]!);
    await start();
    h.clock.set('2026-11-09T13:31:00Z');
    await sweepAll();
    await new Promise((r) => setTimeout(r, 500));
    const sent = digestsSent();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.method).toBe('sendPhoto');
    expect(sent[0]!.file!.bytes.subarray(0, 4).equals(PNG)).toBe(true);
    expect(sent[0]!.caption).toContain('🗓 Ann: the week 2026-11-02 – 2026-11-08');
    expect(sent[0]!.caption).toContain('Spent 42.00 EUR');
    expect(sent[0]!.caption).toContain('Top labels: #food 30.00 EUR, #books 12.00 EUR');
  });

  it('GIVEN the chat blocked the bot THEN the next digest turns itself off, is logged, and nothing more is tried', async () => {
    expect(await say(h, '/remind daily 21:00')).toContain('Reminder: daily at 21:00 (America/New_York)');
    tg.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    tg.failNext('sendPhoto', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    // Monday 16 November: nothing recorded since the last digest; the digest goes as text.
    h.clock.set('2026-11-16T13:30:05Z');
    await sweepAll();
    await waitUntil(async () => (await settingsOf(h, '701')).length === 0, 20_000);
    expect(logs.some((l) => l.msg?.includes('digest/reminder is turned off') && l.chat === '701')).toBe(true);
    const tried = tg.calls.filter((c) => Number(c.payload.chat_id) === 701 && c.error_code === 403);
    expect(tried).toHaveLength(1);
    // The reminder's time comes: nothing is tried any more.
    h.clock.set('2026-11-17T02:00:10Z');
    await sweepAll();
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.calls.filter((c) => Number(c.payload.chat_id) === 701 && c.at > tried[0]!.at)).toHaveLength(0);
  });
});

describe('digest on Discord: a channel the bot lost access to', () => {
  it('GIVEN Missing Access on the monthly digest THEN the digest turns itself off and is logged', async () => {
    const discord = await startDiscordDouble();
    const h = await createHarness({ now: '2026-11-20T12:00:00Z' });
    const logs: { msg?: string; chat?: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    let role: WorkerRole | undefined;
    try {
      const channel = discord.addGuild({ name: 'Flat', channels: [{ name: 'money' }] }).channels[0]!.id;
      const msg: Incoming = {
        chat: { platform: 'discord', chatId: channel, kind: 'group', title: 'money' },
        from: { platform: 'discord', externalId: '323456789012345678', name: 'Ann' },
        platformAdmin: true,
        text: '/digest monthly',
      };
      expect((await h.dispatcher.handleMessage(msg))[0]!.text).toContain('Next: Tue 1 Dec 09:00');
      role = await startWorkerRole({
        db: h.database.db,
        store: h.services.store,
        clock: h.clock,
        logger,
        notifier: await buildNotifier({ discord: { token: discord.token, apiRoot: discord.restApi } }),
        runWorkers: true,
        relayIntervalMs: 200,
        sweepIntervalMs: 24 * 3600_000,
      });
      discord.failNext({ method: 'POST', path: `/channels/${channel}/messages`, status: 403, code: 50001, message: 'Missing Access' });
      h.clock.set('2026-12-01T09:00:10Z');
      await role.sweeps!.runNow();
      await role.relay.drain();
      await waitUntil(async () => (await settingsOf(h, channel)).length === 0, 20_000);
      expect(logs.some((l) => l.msg?.includes('digest/reminder is turned off') && l.chat === channel)).toBe(true);
    } finally {
      await role?.close();
      await h.close();
      await discord.close();
    }
  });
});
