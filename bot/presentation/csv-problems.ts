import { CSV_COLUMNS, type CsvProblem } from '../../domain/ledger/csv.js';
import type { Language } from '../../domain/types.js';
import { t, type MessageKey } from '../i18n/index.js';

/** One problem of a rejected import: its row, the value, and why it cannot be read (chat and API). */
export const problemText = (p: CsvProblem, lang: Language): string =>
  t(lang, `csv.problem.${p.field}` as MessageKey, {
    row: p.row,
    value: p.value ?? '',
    columns: CSV_COLUMNS.join(','),
    expected: CSV_COLUMNS.length,
  });

/** Problems listed in one reply; the rest are counted. */
const MAX_PROBLEMS = 10;

/** The problems of a rejected import, one line each with its row number (chat `/import` and the web app). */
export function problemsText(problems: readonly CsvProblem[], lang: Language): string {
  const lines = problems.slice(0, MAX_PROBLEMS).map((p) => problemText(p, lang));
  if (problems.length > MAX_PROBLEMS) lines.push(t(lang, 'csv.more', { count: problems.length - MAX_PROBLEMS }));
  return '\n' + lines.join('\n');
}
