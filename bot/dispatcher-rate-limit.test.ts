import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../drizzle/store/rows.js';
import { createHarness, type Harness } from '../test/harness.js';
import { createRateLimiter } from './rate-limit.js';

const ann = { id: '1', name: 'Ann' };
const bob = { id: '2', name: 'Bob' };
const cy = { id: '3', name: 'Cy' };

describe('per-chat command rate limit in the dispatcher', () => {
  let h: Harness;
  let t = 0;
  beforeAll(async () => {
    h = await createHarness({
      extend: (s) => (s.commandLimiter = createRateLimiter({ capacity: 3, refillPerSecond: 0.5, now: () => t })),
    });
  });
  afterAll(async () => h?.close());

  const events = async (note: string) =>
    rowsOf<{ n: number }>(await h.database.db.execute(sql`select count(*)::int as n from events where note = ${note}`))[0]!.n;

  it('GIVEN a flood from one chat THEN the burst is served, one "slow down" follows, then silence, and nothing more is recorded', async () => {
    const replies: string[] = [];
    for (let i = 1; i <= 6; i++) replies.push(await h.say(ann, `/spend ${i} flood`));
    expect(replies.slice(0, 3).every((r) => r.includes('EUR'))).toBe(true);
    expect(replies[3]).toBe('Slow down a little: try again in 2 s.');
    expect(replies.slice(4)).toEqual(['', '']);
    expect(await events('flood')).toBe(3);
  });

  it('GIVEN another chat at the same time THEN it is not limited', async () => {
    expect(await h.say(bob, '/spend 1 calm')).toContain('1.00 EUR');
  });

  it('GIVEN time passes THEN the chat is served again', async () => {
    // A chat of its own, limited here, so the test holds without the one before it.
    for (let i = 1; i <= 4; i++) await h.say(cy, `/spend ${i} burst`);
    t += 2000;
    expect(await h.say(cy, '/spend 7 later')).toContain('7.00 EUR');
    expect(await h.say(cy, '/spend 8 too soon')).toMatch(/Slow down/);
  });

  it('GIVEN slash commands or buttons (interactions) THEN a limited chat always gets the message, never silence', async () => {
    const m = {
      chat: { platform: 'discord' as const, chatId: 'dm-9', kind: 'private' as const, title: 'dm' },
      from: { platform: 'discord' as const, externalId: '9', name: 'Dee' },
      platformAdmin: false,
    };
    for (let i = 0; i < 3; i++) await h.dispatcher.handleCommand(m, 'accounts', '');
    for (let i = 0; i < 3; i++) expect((await h.dispatcher.handleCommand(m, 'accounts', ''))[0]?.text).toMatch(/Slow down/);
    expect((await h.dispatcher.handleAction({ ...m, action: 'undo:1' })).replies[0]?.text).toMatch(/Slow down/);
  });

  it('GIVEN group chatter THEN it does not use up the group’s allowance', async () => {
    t += 10_000;
    for (let i = 0; i < 10; i++) expect(await h.say(ann, 'just talking', 'g1')).toBe('');
    expect(await h.say(ann, '/spend 2 lunch', 'g1')).toContain('2.00 EUR');
  });

  it('GIVEN an update applied again after its transaction rolled back (a database restart) THEN it is not charged again, and the burst still records', async () => {
    t += 60_000;
    const m = (n: number) => ({
      chat: { platform: 'telegram' as const, chatId: 'retry-1', kind: 'private' as const, title: 'Dan' },
      from: { platform: 'telegram' as const, externalId: '41', name: 'Dan' },
      platformAdmin: false,
      text: `/spend ${n} retried`,
      updateKey: `tg:update:retry-${n}`,
    });
    // The inbox applies an update in a transaction and rolls it back when the database goes away;
    // the same update is applied again. Three tries of the first update, then two more updates:
    // the capacity (3) is enough for three updates, however often the first was tried.
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(
        h.services.transact!(async (store) => {
          await h.dispatcher.within(store).handleMessage(m(1));
          throw new Error('connection lost');
        }),
      ).rejects.toThrow('connection lost');
    }
    for (const n of [1, 2, 3]) expect((await h.dispatcher.handleMessage(m(n)))[0]?.text).toContain(`${n}.00 EUR`);
    expect(await events('retried')).toBe(3);
  });
});
