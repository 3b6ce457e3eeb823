import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Running } from '../../app/main.js';
import { emptyDatabase } from '../../test/databases.js';
import { startDiscordDouble, type DiscordDouble, type GuildSpec } from '../../test/doubles/discord/index.js';

/** The process as operators start it: configuration from the environment, Discord only. */
describe('Discord wiring in main', () => {
  let empty: Awaited<ReturnType<typeof emptyDatabase>>;
  let dc: DiscordDouble;
  let guild: GuildSpec;
  let running: Running;

  beforeAll(async () => {
    dc = await startDiscordDouble();
    guild = dc.addGuild({ name: 'Dev', channels: [{ name: 'general' }] });
    empty = await emptyDatabase();
    running = await main({
      ROLES: 'bot',
      // Every process serves its health endpoints; any free port.
      PORT: '0',
      DATABASE_URL: empty.url,
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
    await empty?.drop();
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
