/**
 * Two COIN processes (the real entry point) connected to Discord at once: the gateway gives
 * each interaction to both sessions, as Discord does to every session of a shard. Each command
 * must take effect once and be answered once, with the record, whichever process wins.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordDouble, type DiscordDouble, type GuildSpec } from '../../test/doubles/discord/index.js';
import { createDatabase, startReplica, waitReady, type Replica } from '../../test/replicas/cluster.js';

let dc: DiscordDouble;
let guild: GuildSpec;
let db: { url: string; drop: () => Promise<void> };
const replicas: Replica[] = [];
const BASE_PORT = 18_900 + 2 * Math.floor(Math.random() * 40);

beforeAll(async () => {
  dc = await startDiscordDouble();
  guild = dc.addGuild({ name: 'Replicas', channels: [{ name: 'general' }] });
  db = await createDatabase();
  const env = {
    ROLES: 'bot',
    DATABASE_URL: db.url,
    DISCORD_TOKEN: dc.token,
    DISCORD_APPLICATION_ID: dc.applicationId,
    DISCORD_API_ROOT: dc.restApi,
    DISCORD_GUILD_ID: guild.id,
    QUEUE_PREFIX: `dc-${randomBytes(4).toString('hex')}`,
  };
  replicas.push(startReplica(BASE_PORT, env));
  await waitReady(replicas[0]!);
  replicas.push(startReplica(BASE_PORT + 1, env));
  await waitReady(replicas[1]!);
  // Ready means started, and discord.js starts after its gateway session identified: both are on.
  expect(dc.gatewayStats.identifies).toBeGreaterThanOrEqual(2);
}, 120_000);

afterAll(async () => {
  for (const r of replicas) r.child.kill('SIGKILL');
  await Promise.all(replicas.map((r) => r.exited));
  await dc?.close();
  await db?.drop();
});

describe('Discord with two replicas', () => {
  it('GIVEN every interaction reaches both processes THEN each records once and gets one answer carrying its record, in order', async () => {
    const user = { id: '130000000000000777', username: 'ann' };
    for (let k = 1; k <= 8; k++) {
      const i = dc.sendCommand({ guildId: guild.id, channelId: guild.channels[0]!.id, user, name: 'spend', options: { record: `${k} #item` } });
      const reply = await dc.waitForResponse(i.id, (r) => JSON.stringify(r.data).includes('EUR'), 15_000);
      expect(reply.data.content).toContain(`#${k} −${k}.00 EUR`);
      // One answer: the process that lost the race said nothing over it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(dc.responses(i.id).filter((r) => r.kind !== 'delete').map((r) => r.data.content ?? '')).toEqual([reply.data.content]);
    }
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ seq: number; amount: string }[]>`select seq, abs(amount_minor)::text as amount from events order by seq`;
      expect(rows.map((r) => [r.seq, Number(r.amount) / 100])).toEqual(Array.from({ length: 8 }, (_, i) => [i + 1, i + 1]));
    } finally {
      await sql.end();
    }
  }, 60_000);
});
