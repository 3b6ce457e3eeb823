import { DiscordAPIError, REST, RateLimitError, Routes, type APIChannel } from 'discord.js';
import { restMessage } from '../adapters/discord/render.js';
import { chatGone } from '../adapters/discord/chat-gone.js';
import type { Reply } from '../bot/reply.js';
import { RateLimited, Undeliverable, type DeliveryResult, type Notifier } from './notifier.js';

/** Personal books live at `dm:<user id>` (adapters/discord). */
const DM_PREFIX = 'dm:';

export interface DiscordNotifierOptions {
  token: string;
  /** REST base (`https://discord.com/api`), or a test double's. */
  apiRoot?: string | undefined;
}

/**
 * Sends notifications over Discord's REST API alone (a worker needs no gateway connection):
 * guild channels by id, personal books (`dm:<user id>`) through the user's DM channel.
 * A rate limit (a 429 with `Retry-After` / `X-RateLimit-Reset-After`, or a bucket @discordjs/rest
 * knows is empty) is not waited out here (`rejectOnRateLimit`): it becomes `RateLimited` and the
 * outbound queue holds the message that long, without counting an attempt.
 */
export function discordNotifier(opts: DiscordNotifierOptions): Notifier {
  const rest = new REST({ version: '10', rejectOnRateLimit: () => true, ...(opts.apiRoot ? { api: opts.apiRoot } : {}) }).setToken(opts.token);
  const dmChannels = new Map<string, string>();

  async function channelOf(chatId: string): Promise<string> {
    if (!chatId.startsWith(DM_PREFIX)) return chatId;
    const userId = chatId.slice(DM_PREFIX.length);
    const known = dmChannels.get(userId);
    if (known) return known;
    const ch = (await rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as APIChannel;
    dmChannels.set(userId, ch.id);
    return ch.id;
  }

  async function post(chatId: string, r: Reply): Promise<void> {
    await rest.post(Routes.channelMessages(await channelOf(chatId)), restMessage(r));
  }

  return {
    async send(_platform, chatId, reply): Promise<DeliveryResult> {
      try {
        await post(chatId, reply);
        return 'sent';
      } catch (err) {
        if (err instanceof RateLimitError)
          throw new RateLimited(err.message, Math.max(err.retryAfter, err.timeToReset, err.sublimitTimeout, 50));
        if (chatGone(err)) return 'blocked';
        if (err instanceof DiscordAPIError) {
          if (err.status >= 400 && err.status < 500 && err.status !== 429) throw new Undeliverable(err.message);
        }
        throw err;
      }
    },
  };
}
