import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { ENGINES } from '../test/databases.js';
import type { Database } from '../drizzle/db.js';
import { chatJournal } from '../drizzle/store/chat-journal.js';
import { pendingRow, type OutboxRow } from '../drizzle/store/chat-outbox.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { createReplySender, type ReplySender } from './reply-sender.js';
import type { Coalesced } from './coalesce.js';
import type { ChatJournal, PendingReply } from './chat-journal.js';
import { fromWire, toWire, type WireReply } from '../workers/notifier.js';

const codec = { encode: toWire, decode: (v: unknown) => fromWire(v as WireReply) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Issue 12: one chat's replies leave in outbox order even when different processes wrote them
 * (two replicas applied the chat's consecutive updates). Two senders with owners of their own
 * share one database, as two COIN processes do; what each "platform" received is recorded in the
 * order it arrived there.
 */
describe.each(ENGINES)('chat outbox order across senders on $engine', ({ open }) => {
  let db: Database;
  let journal: ChatJournal;
  const delivered: { sender: string; chatId: string; texts: string[]; at: number }[] = [];
  const senders: ReplySender[] = [];

  /** Turns asked of the database, per sender. */
  const turns = new Map<string, number>();

  /** A sender whose platform takes `ms` to accept each message (lingering as configured, 1 s by default). */
  const sender = (name: string, ms: number, lingerMs?: number) => {
    const s = createReplySender({
      journal: { ...journal, turn: (...a: Parameters<ChatJournal['turn']>) => (turns.set(name, (turns.get(name) ?? 0) + 1), journal.turn(...a)) },
      platform: 'telegram',
      logger: pino({ level: 'silent' }),
      sweepMs: 50,
      classify: () => ({}),
      ...(lingerMs !== undefined ? { lingerMs } : {}),
      async deliver(chatId: string, msg: Coalesced) {
        await sleep(ms);
        delivered.push({ sender: name, chatId, texts: msg.reply.text.split('\n\n'), at: performance.now() });
      },
    });
    senders.push(s);
    return s;
  };

  /** A reply as a writer leaves it: claimed for its lease by the process that wrote it. */
  async function write(chatId: string, text: string, claim = sql`now() + make_interval(secs => 10)`, by: string | null = null, due = sql`now()`): Promise<PendingReply> {
    const [row] = rowsOf<OutboxRow>(
      await db.db.execute(sql`
        insert into chat_outbox (platform, chat_id, reply, claimed_until, claimed_by, not_before)
        values ('telegram', ${chatId}, ${JSON.stringify(toWire({ text }))}::jsonb, ${claim}, ${by}, ${due})
        returning id, platform, chat_id, reply, reply_to, edit_message_id, attempts`),
    );
    return pendingRow(codec)(row!) as PendingReply;
  }

  /** A reply written as COIN writes one: in the transaction of its effect (`answer`). */
  async function answer(chatId: string, text: string): Promise<PendingReply> {
    const { replies } = await journal.answer(async (scope) => scope.reply({ platform: 'telegram', chatId, reply: { text } }));
    return replies[0]!;
  }

  const textsOf = (chatId: string) => delivered.filter((d) => d.chatId === chatId).flatMap((d) => d.texts);
  /** The chat's messages, each as the replies it carries. */
  const messagesOf = (chatId: string) => delivered.filter((d) => d.chatId === chatId).map((d) => d.texts);

  beforeAll(async () => {
    db = await open();
    journal = chatJournal(db.db, codec);
  });
  // Each case's senders stop with it (a running sender's sweep would take the next case's rows).
  afterEach(async () => {
    for (const s of senders.splice(0)) await s.drain(2000);
  });
  afterAll(async () => db?.close());

  it('GIVEN a chat whose replies were written alternately by a slow and a fast process THEN the chat gets them in the order written, each once', async () => {
    const slow = sender('slow', 40);
    const fast = sender('fast', 0);
    const chats = ['o-1', 'o-2', 'o-3', 'o-4'];
    for (let k = 1; k <= 8; k++) {
      for (const chat of chats) {
        const r = await write(chat, `#${k}`);
        (k % 2 ? slow : fast).push([r]);
      }
      await sleep(5);
    }
    const want = Array.from({ length: 8 }, (_, i) => `#${i + 1}`);
    for (const chat of chats) await expect.poll(() => textsOf(chat), { timeout: 20_000, interval: 50 }).toEqual(want);
    const pending = async () => rowsOf<{ n: number }>(await db.db.execute(sql`select count(*)::int as n from chat_outbox where sent_at is null`))[0]!.n;
    await expect.poll(pending, { timeout: 5_000, interval: 20 }).toBe(0);
  });

  it('GIVEN one process writing and sending a chat\'s replies THEN they go out in order without asking the database whose turn it is', async () => {
    const s = sender('alone', 3);
    for (let k = 1; k <= 6; k++) {
      s.push([await answer('o-alone', `#${k}`)]);
      await sleep(k % 2 ? 0 : 10);
    }
    await expect.poll(() => textsOf('o-alone'), { timeout: 10_000, interval: 20 }).toEqual(['#1', '#2', '#3', '#4', '#5', '#6']);
    expect(turns.get('alone') ?? 0).toBe(0);
  });

  it('GIVEN replies written through COIN alternately by a slow and a fast process THEN the chat still gets them in the order written', async () => {
    const slow = sender('slow-w', 40);
    const fast = sender('fast-w', 0);
    for (let k = 1; k <= 6; k++) (k % 2 ? slow : fast).push([await answer('o-mixed', `#${k}`)]);
    await expect.poll(() => textsOf('o-mixed'), { timeout: 20_000, interval: 50 }).toEqual(['#1', '#2', '#3', '#4', '#5', '#6']);
    // The fast one found the slow one's reply before its own: it asked for the turn and waited.
    expect(turns.get('fast-w') ?? 0).toBeGreaterThan(0);
  });

  it('GIVEN an earlier reply held by a process that died THEN the later one waits for its lease to end and both go out in order, in one message', async () => {
    const s = sender('survivor', 0);
    // Written by a process that died before sending it: claimed for one more second.
    await write('o-dead', '#1', sql`now() + make_interval(secs => 1)`, 'dead-process');
    const later = await write('o-dead', '#2');
    s.push([later]);
    await sleep(300);
    expect(textsOf('o-dead')).toEqual([]);
    await expect.poll(() => textsOf('o-dead'), { timeout: 10_000, interval: 50 }).toEqual(['#1', '#2']);
    expect(delivered.filter((d) => d.chatId === 'o-dead')).toHaveLength(1);
  });

  it('GIVEN an earlier reply waiting for a retry (429) THEN a later reply of that chat waits behind it while other chats go on', async () => {
    const s = sender('retry', 0);
    await write('o-429', '#1', sql`null`, null, sql`now() + make_interval(secs => 1)`);
    s.push([await write('o-429', '#2'), await write('o-free', 'free')]);
    await expect.poll(() => textsOf('o-free'), { timeout: 5_000, interval: 20 }).toEqual(['free']);
    expect(textsOf('o-429')).toEqual([]);
    await expect.poll(() => textsOf('o-429'), { timeout: 10_000, interval: 50 }).toEqual(['#1', '#2']);
  });

  // Coalescing (the sender driven as the inbox applier drives it: `hold(+1)` when an update is
  // held, the replies of an applied update pushed, then `hold(−1)`): a reply waits for the chat's
  // updates held when it was ready, so a burst is one message, but not for updates that come after
  // it — a chat writing on while the bot is slow would wait behind each next one (up to 5 s here).
  it('GIVEN two updates held before the first is applied THEN their replies go out in one message', async () => {
    const s = sender('linger', 0, 5000);
    s.hold('c-burst', 1);
    s.hold('c-burst', 1);
    s.push([await answer('c-burst', '#1')]);
    s.hold('c-burst', -1);
    await sleep(300);
    expect(messagesOf('c-burst')).toEqual([]); // waits for #2, held when #1 was ready
    s.push([await answer('c-burst', '#2')]);
    s.hold('c-burst', -1);
    await expect.poll(() => messagesOf('c-burst'), { timeout: 3_000, interval: 10 }).toEqual([['#1', '#2']]);
  });

  it('GIVEN a chat whose next update arrives after its reply was ready THEN the reply goes out without waiting for it', async () => {
    const s = sender('linger', 0, 5000);
    s.hold('c-on', 1);
    const started = performance.now();
    s.push([await answer('c-on', '#1')]);
    s.hold('c-on', 1); // the chat writes again while #1's reply waits to go
    s.hold('c-on', -1); // #1 applied
    await expect.poll(() => messagesOf('c-on'), { timeout: 3_000, interval: 10 }).toEqual([['#1']]);
    // Not the 5 s linger behind the next update, still held.
    expect(delivered.find((d) => d.chatId === 'c-on')!.at - started).toBeLessThan(2_000);
    s.push([await answer('c-on', '#2')]);
    s.hold('c-on', -1);
    await expect.poll(() => messagesOf('c-on'), { timeout: 3_000, interval: 10 }).toEqual([['#1'], ['#2']]);
  });
});
