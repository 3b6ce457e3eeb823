import { CSV_COLUMNS, type CsvProblem } from '../../domain/ledger/csv.js';
import { CHAT_EXPORT_LIMITS, exportCsv, importCsv } from '../../domain/ledger/csv-import.js';
import { DomainError } from '../../domain/errors.js';
import type { Language } from '../../domain/types.js';
import { t, type MessageKey } from '../i18n/index.js';
import type { CommandDef } from '../registry.js';
import { periodText } from '../format.js';

/** Problems listed in one reply; the rest are counted. */
const MAX_PROBLEMS = 10;

/** The problems of a rejected import, one line each with its row number. */
export function problemsText(problems: readonly CsvProblem[], lang: Language): string {
  const lines = problems.slice(0, MAX_PROBLEMS).map((p) =>
    t(lang, `csv.problem.${p.field}` as MessageKey, {
      row: p.row,
      value: p.value ?? '',
      columns: CSV_COLUMNS.join(','),
      expected: CSV_COLUMNS.length,
    }),
  );
  if (problems.length > MAX_PROBLEMS) lines.push(t(lang, 'csv.more', { count: problems.length - MAX_PROBLEMS }));
  return '\n' + lines.join('\n');
}

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
    description: 'Import records from a CSV file (the columns of /export)',
    usage: '/import (with a CSV file attached)',
    options: [{ name: 'file', description: 'CSV file in the columns of /export', type: 'attachment', required: true }],
    run: async (ctx) => {
      if (!ctx.attachment) return { text: t(ctx.lang, 'import.no_file', { columns: CSV_COLUMNS.join(',') }) };
      const res = await importCsv(ctx.actor, ctx.attachment.content);
      if (!res.ok) throw new DomainError('csv_invalid', { problems: problemsText(res.problems, ctx.lang) });
      if (res.total === 0) return { text: t(ctx.lang, 'import.empty') };
      return { text: t(ctx.lang, 'import.done', { created: res.created, skipped: res.skipped, total: res.total }) };
    },
  },
];
