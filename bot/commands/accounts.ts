import { addAccount, deleteAccount, listAccounts, renameAccount, setDefaultAccount } from '../../domain/ledger/accounts.js';
import { formatMoney } from '../../domain/money/money.js';
import { t } from '../i18n/index.js';
import type { CommandDef } from '../registry.js';
import { table } from '../reply.js';

const nameOpt = (name: string, description: string, autocomplete = true) => ({
  name,
  description,
  type: 'string' as const,
  required: true,
  quote: true,
  ...(autocomplete ? { autocomplete: 'account' as const } : {}),
});

export const accountCommands: CommandDef[] = [
  {
    name: 'accounts',
    description: 'Accounts with balances',
    usage: '/accounts',
    run: async (ctx) => {
      const list = await listAccounts(ctx.actor);
      if (list.length === 0) return { text: t(ctx.lang, 'accounts.empty') };
      const def = ctx.actor.book.defaultAccountId;
      const rows = list.map((a) => [a.name, formatMoney(a.balanceMinor, a.currency, { lang: ctx.lang }), a.id === def ? t(ctx.lang, 'accounts.default') : '']);
      return { text: t(ctx.lang, 'accounts.title'), pre: table(rows, ['l', 'r', 'l']) };
    },
  },
  {
    name: 'account',
    description: 'Add, rename, delete accounts or pick the default',
    usage: '/account add|rename|delete|default …',
    subcommands: [
      {
        name: 'add',
        description: 'Add an account',
        usage: '/account add <name> [currency] [opening balance]',
        options: [
          nameOpt('name', 'Account name', false),
          { name: 'currency', description: 'ISO code, e.g. USD', type: 'string' },
          { name: 'opening', description: 'Opening balance', type: 'string' },
        ],
        run: async (ctx, args) => {
          const a = await addAccount(ctx.actor, args);
          return { text: t(ctx.lang, 'account.added', { account: a.name, currency: a.currency, balance: formatMoney(a.balanceMinor, a.currency, { lang: ctx.lang }) }) };
        },
      },
      {
        name: 'rename',
        description: 'Rename an account',
        usage: '/account rename <name> <new name>',
        options: [nameOpt('name', 'Account'), nameOpt('new_name', 'New name', false)],
        run: async (ctx, args) => ({ text: t(ctx.lang, 'account.renamed', await renameAccount(ctx.actor, args)) }),
      },
      {
        name: 'delete',
        description: 'Delete an account without records',
        usage: '/account delete <name>',
        options: [nameOpt('name', 'Account')],
        run: async (ctx, args) => ({ text: t(ctx.lang, 'account.deleted', { account: (await deleteAccount(ctx.actor, args)).name }) }),
      },
      {
        name: 'default',
        description: 'Make an account the default',
        usage: '/account default <name>',
        options: [nameOpt('name', 'Account')],
        run: async (ctx, args) => ({ text: t(ctx.lang, 'account.default_set', { account: (await setDefaultAccount(ctx.actor, args)).name }) }),
      },
    ],
  },
];
