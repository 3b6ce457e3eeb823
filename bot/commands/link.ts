import { createLink, LINK_CODE_MINUTES, redeemLink, unlinkChat, unlinkIdentity } from '../../domain/sharing/link.js';
import { t } from '../i18n/index.js';
import type { CommandDef } from '../registry.js';

/** `/link` (make a code) and `/link <code>` (redeem it in the other chat). */
export const linkCommands: CommandDef[] = [
  {
    name: 'link',
    description: 'Join two chats (Telegram and Discord, or two groups) into one book, or your own accounts',
    usage: '/link [code]',
    options: [{ name: 'code', description: 'The code from /link in the other chat', type: 'string' }],
    run: async (ctx, args) => {
      const written = args.trim();
      if (!written) {
        const { kind, code } = await createLink(ctx.actor, ctx.chat);
        // Ephemeral: on Discord only the admin sees the code (Telegram shows it to the group).
        return { text: t(ctx.lang, kind === 'book' ? 'link.code_book' : 'link.code_identity', { code, minutes: LINK_CODE_MINUTES }), ephemeral: true };
      }
      const r = await redeemLink(ctx.actor, ctx.chat, written);
      // The chat now speaks the language of the book it joined.
      return { text: t(r.book.language, r.kind === 'book' ? 'link.linked_book' : 'link.linked_identity', { title: r.book.title, count: r.chats }) };
    },
  },
  {
    name: 'unlink',
    description: 'Take this chat out of a shared book, or this account off your linked ones; it starts anew',
    usage: '/unlink',
    run: async (ctx) => {
      if (ctx.chat.kind === 'private') {
        const r = await unlinkIdentity(ctx.actor, ctx.chat, ctx.from);
        return { text: t(ctx.lang, 'link.unlinked_identity', { platform: r.platform, title: r.book.title }) };
      }
      const r = await unlinkChat(ctx.actor, ctx.chat);
      return { text: t(ctx.lang, 'link.unlinked', { left: r.left.title, count: r.remaining, title: r.book.title, currency: r.book.currency, timezone: r.book.timezone }) };
    },
  },
];
