import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../drizzle/store/rows.js';
import type { TelegramDouble } from '../../test/doubles/telegram-api.js';
import { startTelegramKit, type TelegramKit } from '../../test/telegram-kit.js';

/** A window much longer than the bot's work on one batch, so the test does not race it. */
const WINDOW_MS = 400;
const polls = (tg: TelegramDouble) => tg.calls.filter((c) => c.method === 'getUpdates');

/**
 * Long polling's gather window (`TELEGRAM_GATHER_MS`): the real grammY client against the Bot
 * API double. While updates keep coming the bot fetches them a window apart, so many are held and
 * applied together; after a pause the poll already waiting takes the next update at once.
 */
describe('Telegram long polling gathers a busy stream into batches', () => {
  let k: TelegramKit;
  let tg: TelegramDouble;

  beforeAll(async () => {
    k = await startTelegramKit({}, {}, { gatherMs: WINDOW_MS });
    ({ tg } = k);
  });
  afterAll(() => k?.close());

  it('GIVEN thirty people writing one after another, 20 ms apart THEN a few getUpdates calls fetch them all and each is recorded and answered', async () => {
    const before = polls(tg).length;
    const users = Array.from({ length: 30 }, (_, i) => ({ id: 7100 + i, first_name: `U${i}`, language_code: 'en' }));
    for (const u of users) {
      tg.sendText({ id: u.id, type: 'private' }, u, '4.50 lunch');
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const u of users) await tg.waitForOutbox((m) => m.chat_id === u.id && /#1 −4\.50 EUR/.test(m.text ?? ''), 15_000);
    // About 600 ms of messages a 400 ms window apart: two or three fetches (one per message without the window).
    expect(polls(tg).length - before).toBeLessThanOrEqual(6);
    const [row] = rowsOf<{ n: number }>(await k.h.database.db.execute(sql`select count(*)::int as n from events`));
    expect(row?.n).toBe(30);
  });

  it('GIVEN a quiet bot THEN the next message is taken by the poll already waiting, not held back by the window', async () => {
    // Two people, so that Telegram's one-message-a-second per chat (the reply throttle) is not in the way.
    const [u1, u2] = [7200, 7201].map((id) => ({ id, first_name: `Q${id}`, language_code: 'en' }));
    tg.sendText({ id: u1!.id, type: 'private' }, u1!, '1 tea');
    await tg.waitForOutbox((m) => m.chat_id === u1!.id && /#1 /.test(m.text ?? ''));
    await tg.waitForPoll();
    const open = polls(tg).length;
    tg.sendText({ id: u2!.id, type: 'private' }, u2!, '2 tea');
    const reply = await tg.waitForOutbox((m) => m.chat_id === u2!.id && /#1 /.test(m.text ?? ''));
    // Answered from the poll that was open when it was sent: the next poll comes a window after it.
    const next = polls(tg)[open];
    expect(next === undefined || next.at >= reply.at).toBe(true);
  });
});

describe('Telegram long polling: a full batch is fetched past the window', () => {
  const LONG_WINDOW_MS = 3000;
  let k: TelegramKit;

  beforeAll(async () => {
    k = await startTelegramKit({}, {}, { gatherMs: LONG_WINDOW_MS });
  });
  afterAll(() => k?.close());

  it('GIVEN 150 updates waiting when the bot asks (a backlog) THEN a full batch is followed by the next call at once, not a window apart', async () => {
    const { tg } = k;
    const first = { id: 7399, first_name: 'A', language_code: 'en' };
    tg.sendText({ id: first.id, type: 'private' }, first, '1 cake');
    await tg.waitForOutbox((m) => m.chat_id === first.id);
    // The next getUpdates is a window away: 150 updates pile up meanwhile.
    const t = Date.now();
    const users = Array.from({ length: 150 }, (_, i) => ({ id: 7400 + i, first_name: `B${i}`, language_code: 'en' }));
    for (const u of users) tg.sendText({ id: u.id, type: 'private' }, u, '2 cake');
    const after = () => polls(tg).filter((c) => c.at >= t);
    // 100 (Telegram's most), then the other 50 at once, not a window later.
    await expect.poll(() => after().length, { timeout: LONG_WINDOW_MS + 5000 }).toBeGreaterThanOrEqual(2);
    const [c1, c2] = after();
    expect(c2!.at - c1!.at).toBeLessThan(LONG_WINDOW_MS / 2);
    for (const u of users.slice(-5)) await tg.waitForOutbox((m) => m.chat_id === u.id && /#1 −2\.00 EUR/.test(m.text ?? ''), 15_000);
    const [row] = rowsOf<{ n: number }>(await k.h.database.db.execute(sql`select count(*)::int as n from events`));
    expect(row?.n).toBe(151);
  }, 30_000);
});
