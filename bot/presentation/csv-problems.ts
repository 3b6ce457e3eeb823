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
