import { issueToken, revokeTokens } from '../../domain/access/api-tokens.js';
import { formatDate, formatDateTime } from '../../domain/parsing/dates.js';
import { t } from '../i18n/index.js';
import type { CommandDef } from '../registry.js';
import { table } from '../reply.js';

export const DEFAULT_TOKEN_TTL_DAYS = 90;

/**
 * `/token [name]`, `/tokens`, `/revoke <id|all>`: personal HTTP API tokens. Private chats only
 * (the dispatcher refuses `privateOnly` commands elsewhere), since `/token` shows the secret.
 */
export const tokenCommands: CommandDef[] = [
  {
    name: 'token',
    description: 'Create a personal HTTP API token (shown once)',
    usage: '/token [name]',
    privateOnly: true,
    options: [{ name: 'name', description: 'A name to recognise it by, e.g. laptop', type: 'string' }],
    run: async (ctx, args) => {
      const { store, clock, userId, book } = ctx.actor;
      const ttl = ctx.services.apiTokenTtlDays ?? DEFAULT_TOKEN_TTL_DAYS;
      const { token, record } = await issueToken(store, clock, userId, args, ttl);
      return {
        text: t(ctx.lang, 'tokens.issued', { name: record.name, id: record.id, expires: formatDate(record.expiresAt, book.timezone) }),
        pre: token,
        ephemeral: true,
      };
    },
  },
  {
    name: 'tokens',
    description: 'Your personal API tokens',
    usage: '/tokens',
    privateOnly: true,
    run: async (ctx) => {
      const { store, clock, userId, book } = ctx.actor;
      const [list, sessions] = await Promise.all([store.listTokens(userId), store.listSessions(userId, clock.now())]);
      const webLine = sessions.length ? '\n' + t(ctx.lang, 'tokens.web_sessions', { count: sessions.length }) : '';
      if (list.length === 0) return { text: t(ctx.lang, 'tokens.empty') + webLine, ephemeral: true };
      const now = clock.now().getTime();
      const tz = book.timezone;
      const rows = [
        t(ctx.lang, 'tokens.columns').split('|'),
        ...list.map((x) => [
          String(x.id),
          x.name,
          formatDate(x.createdAt, tz),
          x.lastUsedAt ? formatDateTime(x.lastUsedAt, tz) : t(ctx.lang, 'tokens.never'),
          x.expiresAt.getTime() <= now ? t(ctx.lang, 'tokens.expired') : formatDate(x.expiresAt, tz),
        ]),
      ];
      return { text: t(ctx.lang, 'tokens.title') + webLine, pre: table(rows, ['r']), ephemeral: true };
    },
  },
  {
    name: 'revoke',
    description: 'Revoke an API token, all of them, or web app sessions',
    usage: '/revoke <id|all|web>',
    privateOnly: true,
    options: [{ name: 'token', description: 'Token id from /tokens, all, or web (web app sessions)', type: 'string', required: true }],
    run: async (ctx, args) => {
      const { store, clock, userId } = ctx.actor;
      const word = args.trim().toLowerCase();
      // `web` signs out of the web app everywhere; `all` ends API tokens and web sessions alike.
      const web = word === 'web' || word === 'all' ? await store.revokeAllSessions(userId, clock.now()) : undefined;
      if (word === 'web') return { text: t(ctx.lang, 'tokens.revoked_web', { count: web }), ephemeral: true };
      const r = await revokeTokens(store, clock, userId, args);
      const webLine = web ? '\n' + t(ctx.lang, 'tokens.revoked_web', { count: web }) : '';
      return r.all
        ? { text: t(ctx.lang, 'tokens.revoked_all', { count: r.count }) + webLine, ephemeral: true }
        : { text: t(ctx.lang, 'tokens.revoked', { id: r.token.id, name: r.token.name }), ephemeral: true };
    },
  },
];
