import { autoRetry } from '@grammyjs/auto-retry';
import { Api, GrammyError } from 'grammy';
import { botApiFetch } from '../adapters/telegram/bot-api-fetch.js';
import { sendReply } from '../adapters/telegram/render.js';
import { chatGone } from '../adapters/telegram/chat-gone.js';
import { RateLimited, Undeliverable, type DeliveryResult, type Notifier } from './notifier.js';

export interface TelegramNotifierOptions {
  token: string;
  apiRoot: string;
  /**
   * Longest 429 `retry_after` to wait in place (default 0: none). Longer ones throw
   * `RateLimited` and the outbound queue delays the message (and its chat) by `retry_after`.
   */
  maxDelaySeconds?: number;
}

/**
 * Sends notifications through the Bot API with grammY's `Api` (no polling). A 429 becomes
 * `RateLimited` with Telegram's `retry_after`, so the queue holds the job instead of a worker
 * waiting (or retrying early and burning attempts); the outbound queue already keeps to
 * Telegram's rates, so they are rare.
 */
export function telegramNotifier(opts: TelegramNotifierOptions): Notifier {
  const api = new Api(opts.token, { apiRoot: opts.apiRoot, fetch: botApiFetch() as never });
  // 5xx and network errors go back to the queue, which retries with its own backoff.
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: opts.maxDelaySeconds ?? 0, rethrowInternalServerErrors: true, rethrowHttpErrors: true }));

  return {
    async send(_platform, chatId, reply): Promise<DeliveryResult> {
      try {
        await sendReply(api, chatId, reply);
        return 'sent';
      } catch (err) {
        if (err instanceof GrammyError) {
          if (err.error_code === 429) throw new RateLimited(err.description, Math.max(1, err.parameters.retry_after ?? 1) * 1000);
          if (chatGone(err)) return 'blocked';
          if (err.error_code >= 400 && err.error_code < 500 && err.error_code !== 429) throw new Undeliverable(err.description);
        }
        throw err;
      }
    },
  };
}
