import { issueSignInLink } from '../../domain/access/web-access.js';
import { t } from '../i18n/index.js';
import type { CommandDef } from '../registry.js';

/**
 * `/app`: opens the web app. In a private Telegram chat a Mini App button (Telegram signs who
 * opens it); elsewhere a one-time sign-in link for the person who asked, shown only to them
 * (private chats, Discord ephemeral replies). Telegram groups cannot show a message to one
 * person, so there the answer points to the private chat.
 */
export const appCommands: CommandDef[] = [
  {
    name: 'app',
    description: 'Open the web app (a one-time sign-in link, or a button in Telegram)',
    usage: '/app',
    run: async (ctx) => {
      const base = ctx.services.webAppUrl?.replace(/\/+$/, '');
      if (!base) return { text: t(ctx.lang, 'app.off'), ephemeral: true };
      const { platform, kind } = ctx.chat;
      if (platform === 'telegram' && kind !== 'private') return { text: t(ctx.lang, 'app.group_private') };
      // Telegram accepts only https Mini Apps; on an http address (development) the link works.
      if (platform === 'telegram' && base.startsWith('https:'))
        return { text: t(ctx.lang, 'app.telegram'), webApp: { label: t(ctx.lang, 'app.open'), url: `${base}/app/` } };
      const { store, clock, userId, book } = ctx.actor;
      const { secret } = await issueSignInLink(store, clock, userId, book.id);
      return { text: t(ctx.lang, 'app.link', { url: `${base}/app/auth/link/${secret}` }), ephemeral: true };
    },
  },
];
