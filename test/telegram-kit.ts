import pino from 'pino';
import { createTelegramBot, startTelegram, type TelegramBot } from '../adapters/telegram/telegram-adapter.js';
import { startTelegramDouble, type TelegramDouble } from './doubles/telegram-api.js';
import { createHarness, type Harness } from './harness.js';

/** The inline keyboard of a message the Bot API double received, row after row. */
export const buttons = (m: { reply_markup?: unknown }): { text: string; callback_data: string }[] =>
  ((m.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] })?.inline_keyboard ?? []).flat();

export interface TelegramKit {
  tg: TelegramDouble;
  h: Harness;
  bot: TelegramBot;
  close(): Promise<void>;
}

/** COIN's Telegram bot (the real grammY client, long polling) on a fresh harness, against the Bot API double. */
export async function startTelegramKit(
  opts: Parameters<typeof createHarness>[0] = {},
  bot_: Pick<Parameters<typeof createTelegramBot>[0], 'batch' | 'metrics'> = {},
  /** Long polling's gather window (default: production's). */
  polling: { gatherMs?: number } = {},
): Promise<TelegramKit> {
  const tg = await startTelegramDouble();
  const h = await createHarness(opts);
  const bot = createTelegramBot({ token: tg.token, apiRoot: tg.apiRoot, dispatcher: h.dispatcher, registry: h.registry, journal: h.journal, logger: pino({ level: 'silent' }), ...bot_ });
  const stop = await startTelegram(bot, h.registry, { kind: 'polling', ...polling });
  await tg.waitForPoll();
  return {
    tg,
    h,
    bot,
    close: async () => {
      await stop();
      await tg.close();
      await h.close();
    },
  };
}
