import pino from 'pino';
import { createDiscordBot, type DiscordBot } from '../adapters/discord/discord-adapter.js';
import { startDiscordDouble, type DiscordDouble, type DiscordDoubleOptions } from './doubles/discord/index.js';
import { createHarness, type Harness } from './harness.js';

export interface DiscordKit {
  dc: DiscordDouble;
  h: Harness;
  bot: DiscordBot;
  close(): Promise<void>;
}

/**
 * COIN's Discord bot (the real discord.js client) on a fresh harness, against the Discord double,
 * wired as `main` wires it (answers through the reply outbox). `prepare` runs before the bot is
 * made: guilds, members, test commands.
 */
export async function startDiscordKit(
  opts: { double?: DiscordDoubleOptions; harness?: Parameters<typeof createHarness>[0]; deferAfterMs?: number; prepare?: (dc: DiscordDouble, h: Harness) => void } = {},
): Promise<DiscordKit> {
  const dc = await startDiscordDouble({ heartbeatIntervalMs: 500, ...opts.double });
  const h = await createHarness(opts.harness);
  opts.prepare?.(dc, h);
  const bot = createDiscordBot({
    token: dc.token,
    applicationId: dc.applicationId,
    apiRoot: dc.restApi,
    dispatcher: h.dispatcher,
    registry: h.registry,
    journal: h.journal,
    logger: pino({ level: 'silent' }),
    ...(opts.deferAfterMs ? { deferAfterMs: opts.deferAfterMs } : {}),
  });
  await bot.start();
  return {
    dc,
    h,
    bot,
    close: async () => {
      await bot.stop();
      await dc.close();
      await h.close();
    },
  };
}
