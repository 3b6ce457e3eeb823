import type { Update } from 'grammy/types';
import type { TelegramDouble } from './telegram-api.js';

export interface WebhookSenderOptions {
  url: string;
  secret: string;
  /** Requests in flight at most (Telegram's `max_connections`, default 40). */
  maxConnections?: number;
  /** Wait before sending again after a refused or failed request, ms (default 200). */
  retryMs?: number;
}

const chatOf = (u: Update): number | undefined => (u.message ?? u.edited_message ?? u.callback_query?.message)?.chat.id;

/**
 * Telegram's webhook sender for the Bot API double: takes each update as it is queued and POSTs
 * it to `url` with the secret header, one update per request, up to `maxConnections` requests at
 * once, one chat's updates one after the other (the next once the previous was answered 2xx, as
 * Telegram keeps a chat's order); anything else is sent again after `retryMs`. Used where a test
 * or benchmark wants delivery as it happens (`takeUpdates` suits a test that delivers by hand).
 */
export function startWebhookSender(tg: TelegramDouble, opts: WebhookSenderOptions) {
  const max = opts.maxConnections ?? 40;
  const retryMs = opts.retryMs ?? 200;
  /** Per chat (or `undefined`: no chat), its updates not yet answered, in order. */
  const waiting = new Map<number | undefined, Update[]>();
  const sending = new Set<number | undefined>();
  let inFlight = 0;
  let stopped = false;

  const pump = () => {
    if (stopped) return;
    for (const [chat, list] of waiting) {
      if (inFlight >= max) return;
      if (sending.has(chat) || !list.length) continue;
      sending.add(chat);
      inFlight++;
      void send(list[0]!).then((ok) => {
        inFlight--;
        sending.delete(chat);
        if (ok) {
          list.shift();
          if (!list.length) waiting.delete(chat);
          pump();
        } else setTimeout(pump, retryMs).unref();
      });
    }
  };

  const send = (u: Update): Promise<boolean> =>
    fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': opts.secret },
      body: JSON.stringify(u),
    }).then(
      async (res) => {
        await res.arrayBuffer();
        return res.ok;
      },
      () => false,
    );

  const off = tg.onQueued(() => {
    for (const u of tg.takeUpdates()) {
      const chat = chatOf(u);
      const list = waiting.get(chat);
      if (list) list.push(u);
      else waiting.set(chat, [u]);
    }
    pump();
  });

  return {
    /** Requests in flight now. */
    get inFlight() {
      return inFlight;
    },
    stop() {
      stopped = true;
      off();
    },
  };
}
