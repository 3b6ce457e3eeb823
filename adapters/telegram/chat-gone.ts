import type { GrammyError } from 'grammy';

/**
 * Errors after which a chat will never receive from the bot: the user blocked it or deleted their
 * account, the bot left or was removed from the group, the chat is gone (or became a supergroup
 * under a new id). Replies (`telegram-adapter.ts`) and notices (`workers/telegram-notifier.ts`)
 * both mark such a chat unreachable.
 */
const GONE = [
  /bot was blocked by the user/i,
  /user is deactivated/i,
  /bot was kicked/i,
  /bot is not a member/i,
  /chat not found/i,
  /group chat was upgraded/i,
  /have no rights to send/i,
  /bot can't initiate conversation/i,
  /PEER_ID_INVALID/i,
];

/** Telegram answered that the chat can no longer receive from the bot (403, or one of the descriptions above). */
export const chatGone = (err: GrammyError): boolean => err.error_code === 403 || GONE.some((re) => re.test(err.description));
