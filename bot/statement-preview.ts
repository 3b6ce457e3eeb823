import { formatMoney } from '../domain/money/money.js';
import type { Classification } from '../domain/statements/matching.js';
import type { Language } from '../domain/types.js';
import { t } from './i18n/index.js';

/** How many likely twins the preview spells out; the rest are counted. */
const EXAMPLES = 3;

const day = (iso: string, lang: Language) =>
  new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));

/**
 * The statement preview: `42 new, 3 already imported, 2 look like records you typed (Lidl 23.40
 * on 3 May ↔ #118 23.40 on 2 May) — merge?`. Amounts are shown without sign, as the user typed them.
 */
export function statementPreviewText(c: Classification, lang: Language): string {
  const counts = { fresh: c.newCount, imported: c.importedCount };
  if (!c.twins.length) return t(lang, 'statement.preview', counts);
  const shown = c.twins.slice(0, EXAMPLES).map((tw) =>
    t(lang, 'statement.twin', {
      payee: tw.row.payee || tw.row.memo || '—',
      amount: formatMoney(Math.abs(tw.row.amountMinor), tw.row.currency, { code: false, lang }),
      date: day(tw.row.date, lang),
      seq: tw.record.seq,
      recordAmount: formatMoney(Math.abs(tw.record.amountMinor), tw.record.currency, { code: false, lang }),
      recordDate: day(tw.record.date, lang),
    }),
  );
  const more = c.twins.length - shown.length;
  return t(lang, 'statement.preview_twins', { ...counts, count: c.twins.length, examples: shown.join('; ') + (more > 0 ? `; +${more}` : '') });
}
