import { formatMoney } from '../../domain/money/money.js';
import { parsePeriod } from '../../domain/parsing/period.js';
import { describeCommand, t } from '../i18n/index.js';
import type { CommandContext, CommandDef, Registry } from '../registry.js';
import type { Reply } from '../reply.js';

async function state(ctx: CommandContext): Promise<string> {
  const { book, store, clock } = ctx.actor;
  const month = parsePeriod('month', clock.now(), book.timezone);
  const totals = await store.periodTotals(book.id, month.start, month.end);
  const sum = (f: 'expenseMinor' | 'incomeMinor') =>
    totals.length ? totals.map((x) => formatMoney(x[f], x.currency, { lang: ctx.lang })).join(' + ') : formatMoney(0, book.currency, { lang: ctx.lang });
  return t(ctx.lang, 'start.state', {
    title: book.title,
    currency: book.currency,
    timezone: book.timezone,
    spent: sum('expenseMinor'),
    earned: sum('incomeMinor'),
  });
}

/** `/start` and `/help`: the help text is built from the registry, so it never drifts. */
export function startCommands(registry: Registry): CommandDef[] {
  const help = async (ctx: CommandContext, args: string): Promise<Reply> => {
    const name = args.trim().replace(/^\//, '');
    if (name) {
      const def = registry.find(name);
      if (!def) return { text: t(ctx.lang, 'error.unknown_command', { command: name }), ephemeral: true };
      const usage = [def.usage, ...(def.subcommands ?? []).map((s) => `${s.usage} — ${describeCommand(ctx.lang, `${def.name} ${s.name}`, s.description)}`)].join('\n');
      return { text: t(ctx.lang, 'help.command', { usage, description: describeCommand(ctx.lang, def.name, def.description) }) };
    }
    // Aliases are typed words; Discord has slash commands only, so it is not told about them.
    const aliases = (c: CommandDef): string => (c.aliases?.length && ctx.chat.platform !== 'discord' ? ` (/${c.aliases.join(', /')})` : '');
    const lines = registry.commands.map((c) => `${c.usage.split(' ')[0]}${aliases(c)} — ${describeCommand(ctx.lang, c.name, c.description)}`);
    return { text: t(ctx.lang, 'help.title'), pre: lines.join('\n') };
  };
  return [
    {
      name: 'start',
      description: "Greeting and the book's state",
      usage: '/start',
      run: async (ctx) => ({
        text: [
          t(ctx.lang, 'start.greeting', { name: (await ctx.actor.store.listMembers(ctx.actor.book.id)).find((m) => m.userId === ctx.actor.userId)?.name ?? '' }),
          await state(ctx),
          t(ctx.lang, 'start.how'),
        ].join('\n\n'),
      }),
    },
    {
      name: 'help',
      description: 'How to use COIN; /help <command> for one command',
      usage: '/help [command]',
      options: [{ name: 'command', description: 'A command name', type: 'string' }],
      run: help,
    },
  ];
}
