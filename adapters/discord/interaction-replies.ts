import { DiscordAPIError, MessageFlags, REST, RESTJSONErrorCodes, RateLimitError, Routes, type APIMessage } from 'discord.js';
import { z } from 'zod';
import type { Coalesced } from '../../bot/coalesce.js';
import type { Reply } from '../../bot/reply.js';
import type { DeliveryFailure } from '../../bot/reply-sender.js';
import { chatGone } from './chat-gone.js';
import { restMessage } from './render.js';

/**
 * Discord replies from the outbox (issue 12, docs/durability.md): an interaction's answer that
 * did not arrive directly (the answer failed, or its process died between the commit and the
 * answer) is delivered later through the interaction's webhook while its token lives, else as a
 * channel message. What the outbox keeps to do so is an {@link InteractionVia}.
 */

/** An interaction token lives 15 minutes; a margin keeps a slow request inside it. */
export const TOKEN_LIFE_MS = 15 * 60_000 - 30_000;
/** Discord takes the first answer (the callback) within 3 s of the interaction; a margin again. */
export const CALLBACK_WINDOW_MS = 2_500;

/** How a reply reaches its interaction later (`chat_outbox.via`; the token is never logged). */
export const interactionVia = z.object({
  interaction: z.string().min(1),
  token: z.string().min(1),
  application: z.string().min(1),
  /** When the interaction arrived (epoch ms). */
  at: z.number(),
  /** Its channel (a DM channel for `dm:` chats): where a channel message goes. */
  channel: z.string().min(1),
  /** 0: the interaction's answer; 1, 2…: follow-ups. */
  part: z.number().int().nonnegative(),
  /** A button press: the message the button is on, and whether the answer replaces it. */
  message: z.string().optional(),
  replaces: z.boolean().optional(),
});
export type InteractionVia = z.infer<typeof interactionVia>;

/** A reply that cannot be delivered any more: its interaction expired and it was only for one person. */
export class InteractionExpired extends Error {
  override readonly name = 'InteractionExpired';
}

const code = (err: unknown): number | string | undefined => (err instanceof DiscordAPIError ? err.code : undefined);
/** The interaction was never acknowledged (its answer did not reach Discord): it has no webhook. */
const unacknowledged = (err: unknown): boolean => code(err) === RESTJSONErrorCodes.UnknownWebhook || code(err) === RESTJSONErrorCodes.UnknownInteraction;

/** What a failed delivery means for the outbox: Discord's rate-limit headers, a channel gone, a refusal. */
export function classifyDiscordFailure(err: unknown): DeliveryFailure {
  if (err instanceof RateLimitError) return { retryAfterMs: Math.max(err.retryAfter, err.timeToReset, err.sublimitTimeout, 50) };
  if (err instanceof InteractionExpired) return { permanent: err.message };
  if (chatGone(err)) return { unreachable: `${err.code}: ${err.message}` };
  if (err instanceof DiscordAPIError && err.status >= 400 && err.status < 500 && err.status !== 429) return { permanent: `${err.code}: ${err.message}` };
  return {};
}

export interface InteractionRepliesOptions {
  token: string;
  apiRoot?: string | undefined;
  now?: () => number;
}

/**
 * Delivers one outbox reply of Discord. A rate limit is not waited out here (`rejectOnRateLimit`):
 * it becomes the outbox's `retryAfterMs`. Every step is safe to repeat when the first answer did
 * arrive after all (a process killed before it could mark it sent): the answer is edited in
 * place, not sent again; follow-ups are the one at-least-once window.
 */
export function interactionReplies(opts: InteractionRepliesOptions) {
  const rest = new REST({ version: '10', rejectOnRateLimit: () => true, retries: 1, ...(opts.apiRoot ? { api: opts.apiRoot } : {}) }).setToken(opts.token);
  const now = opts.now ?? Date.now;

  /**
   * Through the interaction: true when delivered there, false when the interaction was never
   * acknowledged and its 3 s are over (it has no webhook: the reply goes to the channel).
   */
  async function viaInteraction(via: InteractionVia, reply: Reply): Promise<boolean> {
    const ephemeral = !!reply.ephemeral;
    const original = Routes.webhookMessage(via.application, via.token, '@original');
    const followUp = () => rest.post(Routes.webhook(via.application, via.token), { auth: false, ...restMessage(reply, ephemeral ? MessageFlags.Ephemeral : undefined) });
    const edit = () => rest.patch(original, { auth: false, ...restMessage(reply) });
    if (via.part > 0) {
      try {
        await followUp();
        return true;
      } catch (err) {
        if (unacknowledged(err)) return false;
        throw err;
      }
    }
    // The answer: what does the interaction show now? (Also tells whether it was acknowledged.)
    let current: APIMessage | undefined;
    try {
      current = (await rest.get(original, { auth: false })) as APIMessage;
    } catch (err) {
      if (unacknowledged(err)) {
        if (now() - via.at > CALLBACK_WINDOW_MS) return false;
        const type = via.message && via.replaces && !ephemeral ? 7 : 4;
        const { body, files } = restMessage(reply, ephemeral ? MessageFlags.Ephemeral : undefined);
        await rest.post(Routes.interactionCallback(via.interaction, via.token), { auth: false, body: { type, data: body }, ...(files ? { files } : {}) });
        return true;
      }
      // The original is gone: an ephemeral answer removed the public "thinking…" before its follow-up.
      if (code(err) !== RESTJSONErrorCodes.UnknownMessage) throw err;
    }
    if (!current) await followUp();
    else if (via.message && current.id === via.message) {
      // Acknowledged as an update of the button's message: that message is the original.
      await (via.replaces && !ephemeral ? edit() : followUp());
    } else if (ephemeral && !((current.flags ?? 0) & MessageFlags.Ephemeral)) {
      // A public "thinking…" cannot become private: it goes, the answer follows for the person alone.
      await rest.delete(original, { auth: false }).catch((err: unknown) => {
        if (code(err) !== RESTJSONErrorCodes.UnknownMessage) throw err;
      });
      await followUp();
    } else await edit(); // fills the placeholder, or writes the same answer again (it had arrived)
    return true;
  }

  return {
    /** Delivers one reply (the sender never merges interaction replies, so `msg` is one row). */
    async deliver(chatId: string, msg: Coalesced): Promise<void> {
      const parsed = interactionVia.safeParse(msg.via);
      const via = parsed.success ? parsed.data : undefined;
      if (via && now() - via.at < TOKEN_LIFE_MS && (await viaInteraction(via, msg.reply))) return;
      if (msg.reply.ephemeral) throw new InteractionExpired('the interaction expired; an answer for one person is not posted to the channel');
      const channel = via?.channel ?? (chatId.startsWith('dm:') ? undefined : chatId);
      if (!channel) throw new InteractionExpired('no channel to post to');
      await rest.post(Routes.channelMessages(channel), restMessage(msg.reply));
    },
  };
}
