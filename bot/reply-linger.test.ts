import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { ENGINES } from '../test/databases.js';
import type { Database } from '../drizzle/db.js';
import { chatJournal } from '../drizzle/store/chat-journal.js';
import { createReplySender, type ReplySender } from './reply-sender.js';
import type { Coalesced } from './coalesce.js';
import type { ChatJournal, PendingReply } from './chat-journal.js';
import { fromWire, toWire, type WireReply } from '../workers/notifier.js';

const codec = { encode: toWire, decode: (v: unknown) => fromWire(v as WireReply) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A committed reply waits while its chat's updates held here are being applied, so a burst is
 * answered in one message — but only for the updates held when it was ready: a chat that goes on
 * writing while the bot is slow does not keep its reply waiting behind each next update. The
 * sender is driven as the inbox applier drives it: `hold(+1)` when an update is held, the replies
 * of an applied update pushed, then `hold(−1)`.
 */
describe.each(ENGINES)('reply coalescing on $engine', ({ open }) => {
  let db: Database;
  let journal: ChatJournal;
  const senders: ReplySender[] = [];
  const messages: { chatId: string; texts: string[]; at: number }[] = [];

  beforeAll(async () => {
    db = await open();
    journal = chatJournal(db.db, codec);
  });
  afterEach(async () => {
    for (const s of senders.splice(0)) await s.drain(2000);
  });
  afterAll(async () => db?.close());

  /** A sender that would linger up to 5 s. */
  const sender = () => {
    const s = createReplySender({
      journal,
      platform: 'telegram',
      logger: pino({ level: 'silent' }),
      classify: () => ({}),
      lingerMs: 5000,
      async deliver(chatId: string, msg: Coalesced) {
        messages.push({ chatId, texts: msg.reply.text.split('\n\n'), at: performance.now() });
      },
    });
    senders.push(s);
    return s;
  };
  const answer = async (chatId: string, text: string): Promise<PendingReply> =>
    (await journal.answer(async (scope) => scope.reply({ platform: 'telegram', chatId, reply: { text } }))).replies[0]!;
  const of = (chatId: string) => messages.filter((m) => m.chatId === chatId);

  it('GIVEN two updates held before the first is applied THEN their replies go out in one message', async () => {
    const s = sender();
    s.hold('c-burst', 1);
    s.hold('c-burst', 1);
    s.push([await answer('c-burst', '#1')]);
    s.hold('c-burst', -1);
    await sleep(300);
    expect(of('c-burst')).toEqual([]); // waits for #2, held when #1 was ready
    s.push([await answer('c-burst', '#2')]);
    s.hold('c-burst', -1);
    await expect.poll(() => of('c-burst').map((m) => m.texts), { timeout: 3_000, interval: 10 }).toEqual([['#1', '#2']]);
  });

  it('GIVEN a chat whose next update arrives after its reply was ready THEN the reply goes out without waiting for it', async () => {
    const s = sender();
    s.hold('c-on', 1);
    const started = performance.now();
    s.push([await answer('c-on', '#1')]);
    s.hold('c-on', 1); // the chat writes again while #1's reply waits to go
    s.hold('c-on', -1); // #1 applied
    await expect.poll(() => of('c-on').map((m) => m.texts), { timeout: 3_000, interval: 10 }).toEqual([['#1']]);
    // Not the 5 s linger behind the next update, still held.
    expect(of('c-on')[0]!.at - started).toBeLessThan(2_000);
    s.push([await answer('c-on', '#2')]);
    s.hold('c-on', -1);
    await expect.poll(() => of('c-on').map((m) => m.texts), { timeout: 3_000, interval: 10 }).toEqual([['#1'], ['#2']]);
  });
});
