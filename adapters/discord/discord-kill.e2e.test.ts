import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordDouble, type DiscordDouble, type DoubleResponse, type GuildSpec } from '../../test/doubles/discord/index.js';
import { scratchDatabase } from '../../test/databases.js';
import { startCoin, type CoinProcess } from '../../chaos/coin-process.js';
import { plainText } from './render.js';

const ann = { id: '140000000000000001', username: 'ann', global_name: 'Ann' };
const readable = (r: { content?: string | null; embeds?: { description?: string | null }[] | null }): string => plainText(r).replace(/\\([*_`~|>#\-[\]().])/g, '$1');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kinds = (rs: DoubleResponse[]) => rs.map((r) => `${r.kind}${r.type ? ` ${r.type}` : ''}`);

/**
 * Issue 12 with a real COIN process (the `npm start` entry point) on PostgreSQL and the Discord
 * double: killed with -9 after an interaction's effect committed and before its answer arrived,
 * and started again: the answer is delivered once, through the interaction's webhook where the
 * interaction was acknowledged, else in the channel.
 */
describe('Discord answers survive kill -9', () => {
  let dc: DiscordDouble;
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let guild: GuildSpec;
  let dir: string;
  const procs: CoinProcess[] = [];

  beforeAll(async () => {
    dc = await startDiscordDouble({ heartbeatIntervalMs: 1000 });
    guild = dc.addGuild({ name: 'Kill', channels: [{ name: 'took' }, { name: 'deferred' }, { name: 'lost' }] });
    dc.addMember(guild.id, ann);
    db = await scratchDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'coin-dc-kill-'));
  });
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await dc?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const log = () => path.join(dir, 'coin.log');
  const launch = async () => {
    const p = startCoin(
      {
        DATABASE_URL: db.url,
        DATABASE_POOL_SIZE: '4',
        DISCORD_TOKEN: dc.token,
        DISCORD_APPLICATION_ID: dc.applicationId,
        DISCORD_API_ROOT: dc.restApi,
        DISCORD_GUILD_ID: guild.id,
        ROLES: 'bot',
        DATA_DIR: dir,
        PORT: '0',
      },
      log(),
    );
    procs.push(p);
    await Promise.race([p.ready, p.exited.then((c) => Promise.reject(new Error(`COIN exited ${c}`)))]);
    return p;
  };

  it('GIVEN answers held by Discord when COIN is killed with -9 THEN after a restart each is delivered once: webhook edits where acknowledged, the channel where not', async () => {
    const [took, deferred, lost] = guild.channels.map((c) => c.id) as [string, string, string];
    const first = await launch();
    const at = (channelId: string, id: string) => ({ guildId: guild.id, channelId, user: ann, id });

    // 1. Discord took the answer (the record's reply is shown) but the process never heard back.
    const tookId = '1340000000000000001';
    const h1 = dc.holdNext({ method: 'POST', path: new RegExp(`^/interactions/${tookId}/`), afterEffect: true });
    dc.sendCommand({ ...at(took, tookId), name: 'spend', options: { record: '3.20 #coffee' } });
    await h1.reached;
    // 2. A slow command: acknowledged with "thinking…", its answer (the edit) lost on the way.
    const deferredId = '1340000000000000002';
    const h2 = dc.holdNext({ method: 'PATCH', path: /^\/webhooks\/\d+\/[^/]+\/messages\/(@|%40)original$/ });
    dc.sendCommand({ ...at(deferred, deferredId), name: 'export' });
    await h2.reached;
    // 3. The first answer lost on the way: the interaction was never acknowledged.
    const lostId = '1340000000000000003';
    const h3 = dc.holdNext({ method: 'POST', path: new RegExp(`^/interactions/${lostId}/`) });
    dc.sendCommand({ ...at(lost, lostId), name: 'spend', options: { record: '5.00 #taxi' } });
    await h3.reached;

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    for (const h of [h1, h2, h3]) h.release();
    await launch();

    try {
      // After the lease (10 s) the new process's sweep takes the three answers.
      const edit1 = await dc.waitForResponse(tookId, (r) => r.kind === 'edit', 30_000);
      expect(readable(edit1.data)).toContain('#1 −3.20 EUR');
      const edit2 = await dc.waitForResponse(deferredId, (r) => r.kind === 'edit', 30_000);
      expect(readable(edit2.data)).toMatch(/nothing|no records/i);
      const posted = await dc.waitForChannelMessage(lost, (r) => readable(r.data).includes('#1 −5.00 EUR'), 30_000);
      expect(posted.interactionId).toBeUndefined();
      await sleep(2000);
      // Once each: the answer Discord had is edited in place (same text), not sent again.
      expect(kinds(dc.responses(tookId))).toEqual(['callback 4', 'edit']);
      expect(dc.messagesIn(took).filter((m) => readable(m).includes('#1 −3.20 EUR'))).toHaveLength(1);
      expect(kinds(dc.responses(deferredId))).toEqual(['callback 5', 'edit']);
      expect(dc.messagesIn(deferred)).toHaveLength(1);
      expect(dc.responses(lostId)).toEqual([]);
      expect(dc.messagesIn(lost).filter((m) => readable(m).includes('#1 −5.00 EUR'))).toHaveLength(1);
    } catch (err) {
      console.log(readFileSync(log(), 'utf8').split('\n').filter((l) => !l.includes('"level":30')).slice(-30).join('\n'));
      throw err;
    }
  }, 90_000);
});
