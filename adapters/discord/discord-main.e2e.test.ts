import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Running } from '../../app/main.js';
import { TEST_PG_URL } from '../../test/databases.js';
import { startDiscordDouble, type DiscordDouble, type GuildSpec } from '../../test/doubles/discord/index.js';

/** Runs one statement on the test server's maintenance connection. */
async function onServer(sql: string): Promise<void> {
  const admin = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(sql);
  } finally {
    await admin.end();
  }
}

/** The process as operators start it: configuration from the environment, Discord only. */
describe('Discord wiring in main', () => {
  const dbName = `coin_test_main_dc_${randomBytes(4).toString('hex')}`;
  let dc: DiscordDouble;
  let guild: GuildSpec;
  let running: Running;

  beforeAll(async () => {
    dc = await startDiscordDouble();
    guild = dc.addGuild({ name: 'Dev', channels: [{ name: 'general' }] });
    await onServer(`create database ${dbName}`);
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${dbName}`;
    running = await main({
      ROLES: 'bot',
      DATABASE_URL: url.toString(),
      LOG_LEVEL: 'silent',
      DISCORD_TOKEN: dc.token,
      DISCORD_APPLICATION_ID: dc.applicationId,
      DISCORD_API_ROOT: dc.restApi,
      DISCORD_GUILD_ID: guild.id,
    });
  });
  afterAll(async () => {
    await running?.stop();
    await dc?.close();
    await onServer(`drop database if exists ${dbName} with (force)`);
  });

  it('GIVEN DISCORD_TOKEN and DISCORD_GUILD_ID THEN commands go to that guild and a slash command is answered', async () => {
    expect(dc.registeredCommands()).toEqual([]);
    expect(dc.registeredCommands(guild.id).map((c) => c.name)).toContain('spend');
    const i = dc.sendCommand({
      guildId: guild.id,
      channelId: guild.channels[0]!.id,
      user: { id: '130000000000000001', username: 'ann' },
      name: 'spend',
      options: { record: '3.20 #coffee' },
    });
    const reply = await dc.waitForResponse(i.id);
    expect(reply.data.content).toContain('#1 −3.20 EUR');
    expect(running.consoleDone).toBeUndefined();
  });
});
