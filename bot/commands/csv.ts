import { CSV_COLUMNS } from '../../domain/ledger/csv.js';
import { CHAT_EXPORT_LIMITS, exportCsv, importCsv } from '../../domain/ledger/csv-import.js';
import { DomainError } from '../../domain/errors.js';
import { t } from '../i18n/index.js';
import type { CommandDef } from '../registry.js';
import { periodText } from '../format.js';
import { problemsText } from '../presentation/csv-problems.js';
import { alertReplies } from './record.js';
import { isCoinCsv, statementFileReply, statementMapReply } from './statements.js';

export { problemsText };

/** `/export`, `/import`. */
export const csvCommands: CommandDef[] = [
  {
    name: 'export',
    slow: true,
    description: 'Download the records as a CSV file',
    usage: '/export [period|all]',
    options: [{ name: 'period', description: 'all (default), month, last-month, 2026, 2026-11, …', type: 'string' }],
    run: async (ctx, args) => {
      const out = await exportCsv(ctx.actor, args, CHAT_EXPORT_LIMITS);
      const period = out.period ? periodText(out.period, ctx.lang) : t(ctx.lang, 'export.all');
      if (out.count === 0) return { text: t(ctx.lang, 'export.empty', { period }) };
      return {
        text: t(ctx.lang, 'export.done', { count: out.count, period }),
        file: { name: out.name, content: out.content, mime: 'text/csv' },
      };
    },
  },
  {
    name: 'import',
    slow: true,
    description: 'Import a bank statement (OFX, QFX, QIF, CAMT, bank CSV) or a CSV of /export',
    usage: '/import (with the file attached; in the terminal chat: /import <path>) · /import map date=1 amount=3 payee=2 …',
    options: [
      { name: 'file', description: 'A bank statement or a CSV in the columns of /export', type: 'attachment' },
      { name: 'map', description: 'Bank CSV columns: date=1 amount=3 payee=2 …', type: 'string', prefix: 'map ' },
    ],
    run: async (ctx, args) => {
      if (/^map(\s|$)/i.test(args)) return statementMapReply(ctx, args.slice(3));
      if (!ctx.attachment) return { text: t(ctx.lang, 'import.no_file', { columns: CSV_COLUMNS.join(',') }) };
      if (!isCoinCsv(ctx.attachment.content)) return statementFileReply(ctx, ctx.attachment);
      const res = await importCsv(ctx.actor, ctx.attachment.content);
      if (!res.ok) throw new DomainError('csv_invalid', { problems: problemsText(res.problems, ctx.lang) });
      if (res.total === 0) return { text: t(ctx.lang, 'import.empty') };
      return [{ text: t(ctx.lang, 'import.done', { created: res.created, skipped: res.skipped, total: res.total }) }, ...alertReplies(ctx, res)];
    },
  },
];
