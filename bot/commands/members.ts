import { changeRole, membersWithSpending, ROLES } from '../../domain/sharing/members.js';
import { formatMoney } from '../../domain/money/money.js';
import type { Language, Role } from '../../domain/types.js';
import { t } from '../i18n/index.js';
import type { CommandDef } from '../registry.js';
import { table } from '../reply.js';
import { periodText } from '../format.js';

/** A role in the reader's language. */
export const roleName = (lang: Language, role: Role): string => t(lang, `role.${role}`);

/** `/members` and `/role`. */
export const memberCommands: CommandDef[] = [
  {
    name: 'members',
    description: 'Who is in this book, their role and this month’s spending',
    usage: '/members',
    run: async (ctx) => {
      const { period, members } = await membersWithSpending(ctx.actor);
      const rows = members.map(({ member, spent }) => {
        const username = member.handles.find((h) => h.username)?.username;
        return [
          username ? `${member.name} @${username}` : member.name,
          roleName(ctx.lang, member.role),
          spent.length ? spent.map((s) => formatMoney(s.minor, s.currency, { lang: ctx.lang })).join(' + ') : formatMoney(0, ctx.actor.book.currency, { lang: ctx.lang }),
        ];
      });
      return { text: t(ctx.lang, 'members.title', { title: ctx.actor.book.title, period: periodText(period, ctx.lang) }), pre: table(rows, ['l', 'l', 'r']) };
    },
  },
  {
    name: 'role',
    description: 'Change a member’s role (admins)',
    usage: '/role <user> <owner|admin|member|viewer>',
    options: [
      { name: 'user', description: 'Member: @username or name', type: 'string', required: true, autocomplete: 'member', quote: true },
      { name: 'role', description: 'New role', type: 'string', required: true, choices: ROLES },
    ],
    run: async (ctx, args) => {
      const r = await changeRole(ctx.actor, args);
      if (r.from === r.to) return { text: t(ctx.lang, 'members.role_unchanged', { member: r.member.name, role: roleName(ctx.lang, r.to) }) };
      return {
        text: t(ctx.lang, 'members.role_changed', { member: r.member.name, role: roleName(ctx.lang, r.to), from: roleName(ctx.lang, r.from) }),
      };
    },
  },
];
