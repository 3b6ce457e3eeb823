import { deleteLabel, labelsWithTotals, mergeLabels, renameLabel } from '../../domain/ledger/labels.js';
import { formatMoney } from '../../domain/money/money.js';
import { t } from '../i18n/index.js';
import type { CommandDef, OptionSpec } from '../registry.js';
import { table } from '../reply.js';
import { periodText } from '../format.js';

const labelOpt = (name: string, description: string): OptionSpec => ({ name, description, type: 'string', required: true, autocomplete: 'label' });

export const labelCommands: CommandDef[] = [
  {
    name: 'labels',
    description: "Labels with this month's totals",
    usage: '/labels',
    run: async (ctx) => {
      const { period, labels, totals } = await labelsWithTotals(ctx.actor);
      if (labels.length === 0) return { text: t(ctx.lang, 'labels.empty') };
      const rows: string[][] = [];
      for (const l of labels) {
        const mine = totals.filter((x) => x.name === l.name);
        if (mine.length === 0) rows.push([`#${l.name}`, '—']);
        for (const x of mine) {
          const cells = [x.expenseMinor ? `−${formatMoney(x.expenseMinor, x.currency, { lang: ctx.lang })}` : '', x.incomeMinor ? `+${formatMoney(x.incomeMinor, x.currency, { lang: ctx.lang })}` : ''];
          rows.push([`#${l.name}`, cells.filter(Boolean).join(' ')]);
        }
      }
      return { text: t(ctx.lang, 'labels.title', { period: periodText(period, ctx.lang) }), pre: table(rows, ['l', 'r']) };
    },
  },
  {
    name: 'label',
    description: 'Rename, merge or delete labels',
    usage: '/label rename|merge|delete …',
    subcommands: [
      {
        name: 'rename',
        description: 'Rename a label',
        usage: '/label rename <#label> <new>',
        options: [labelOpt('label', 'Label'), { name: 'new_name', description: 'New name', type: 'string', required: true }],
        run: async (ctx, args) => ({ text: t(ctx.lang, 'label.renamed', await renameLabel(ctx.actor, args)) }),
      },
      {
        name: 'merge',
        description: 'Merge a label into another',
        usage: '/label merge <#from> <#into>',
        options: [labelOpt('from', 'Label to merge'), labelOpt('into', 'Label to keep')],
        run: async (ctx, args) => ({ text: t(ctx.lang, 'label.merged', await mergeLabels(ctx.actor, args)) }),
      },
      {
        name: 'delete',
        description: 'Delete a label (records stay)',
        usage: '/label delete <#label>',
        options: [labelOpt('label', 'Label')],
        run: async (ctx, args) => ({ text: t(ctx.lang, 'label.deleted', { label: await deleteLabel(ctx.actor, args) }) }),
      },
    ],
  },
];
