import { DomainError } from '../../domain/errors.js';
import { balances, settleUp, undoSettlement } from '../../domain/sharing/shared-ledger.js';
import { formatMoney } from '../../domain/money/money.js';
import type { Language } from '../../domain/types.js';
import { t } from '../i18n/index.js';
import type { ActionDef, CommandDef } from '../registry.js';
import type { Reply } from '../reply.js';
import { table } from '../reply.js';

const signed = (minor: number, currency: string, lang: Language) => formatMoney(minor, currency, { sign: true, lang });

/** `/balances`, `/settle` and the settlement's Undo button. */
export const splitCommands: CommandDef[] = [
  {
    name: 'balances',
    description: 'Who owes whom for split expenses, and the fewest transfers to settle up',
    usage: '/balances',
    run: async (ctx) => {
      const list = await balances(ctx.actor);
      if (list.length === 0) return { text: t(ctx.lang, 'balances.empty') };
      return list.map((b): Reply => {
        const head = t(ctx.lang, 'balances.title', { currency: b.currency });
        const net = table(
          b.net.filter((n) => n.minor !== 0).map((n) => [n.member.name, signed(n.minor, b.currency, ctx.lang)]),
          ['l', 'r'],
        );
        if (b.transfers.length === 0) return { text: `${head}\n${t(ctx.lang, 'balances.square')}` };
        const plan = b.transfers.map((x) => t(ctx.lang, 'balances.transfer', { from: x.from.name, to: x.to.name, amount: formatMoney(x.minor, b.currency, { lang: ctx.lang }) }));
        return { text: `${head}\n${t(ctx.lang, 'balances.plan')}\n${plan.join('\n')}`, pre: net };
      });
    },
  },
  {
    name: 'settle',
    description: 'Record that you paid a member back',
    usage: '/settle <user> [amount]',
    options: [
      { name: 'user', description: 'Who you paid: @username or name', type: 'string', required: true, autocomplete: 'member', quote: true },
      { name: 'amount', description: 'How much (default: what you owe them)', type: 'string' },
    ],
    run: async (ctx, args) => {
      if (!args.trim()) throw new DomainError('usage', {});
      const r = await settleUp(ctx.actor, args);
      if (r.settlements.length === 0) return { text: t(ctx.lang, 'settle.nothing', { member: r.to.name }) };
      const lines = r.settlements.map((s) => t(ctx.lang, 'settle.done', { from: r.from.name, to: r.to.name, amount: formatMoney(s.amountMinor, s.currency, { lang: ctx.lang }) }));
      for (const c of r.after.filter((x) => r.settlements.some((s) => s.currency === x.currency))) {
        if (c.minor < 0) lines.push(t(ctx.lang, 'settle.you_owe', { amount: formatMoney(-c.minor, c.currency, { lang: ctx.lang }) }));
        else if (c.minor > 0) lines.push(t(ctx.lang, 'settle.you_are_owed', { amount: formatMoney(c.minor, c.currency, { lang: ctx.lang }) }));
        else lines.push(t(ctx.lang, 'settle.you_square', { currency: c.currency }));
      }
      return {
        text: lines.join('\n'),
        buttons: [
          r.settlements.map((s) => ({
            label: r.settlements.length > 1 ? `${t(ctx.lang, 'settle.undo')} ${s.currency}` : t(ctx.lang, 'settle.undo'),
            action: `unsettle:${s.id}`,
          })),
        ],
      };
    },
  },
];

export const splitActions: ActionDef[] = [
  {
    name: 'unsettle',
    replaces: true,
    run: async (ctx, arg) => {
      if (!/^\d{1,9}$/.test(arg)) throw new DomainError('not_found', { what: 'settlement' });
      const s = await undoSettlement(ctx.actor, Number(arg));
      const profiles = await ctx.actor.store.listMemberProfiles(ctx.actor.book.id);
      const name = (id: number) => profiles.find((p) => p.userId === id)?.name ?? `#${id}`;
      return { text: t(ctx.lang, 'settle.undone', { from: name(s.fromUserId), to: name(s.toUserId), amount: formatMoney(s.amountMinor, s.currency, { lang: ctx.lang }) }) };
    },
  },
];
