import { DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';

/**
 * Discord errors after which a channel (or a person's DM) will never receive from the bot: DMs
 * closed (50007), the channel or user gone, the bot removed or without the right to post (the
 * 403s). Replies (`interaction-replies.ts`) and notices (`workers/discord-notifier.ts`) both mark
 * such a chat unreachable.
 */
const GONE = new Set<number | string>([
  RESTJSONErrorCodes.CannotSendMessagesToThisUser,
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.UnknownUser,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
]);

/** Discord answered that the chat can no longer receive from the bot. */
export const chatGone = (err: unknown): err is DiscordAPIError => err instanceof DiscordAPIError && (GONE.has(err.code) || err.status === 403);
