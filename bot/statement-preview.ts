import type { Actor } from '../domain/access/actor.js';
import { formatMoney } from '../domain/money/money.js';
import { decodeStatement } from '../domain/statements/decode.js';
import type { Classification } from '../domain/statements/matching.js';
import { detectStatementFormat } from '../domain/statements/parse.js';
import { previewStatement } from '../domain/statements/preview.js';
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

/** An OFX/QFX, QIF or CAMT file (COIN's own CSV goes to the CSV import; bank CSV needs a mapping). */
export function isBankStatement(content: Buffer): boolean {
  try {
    return content.byteLength > 0 && detectStatementFormat(decodeStatement(content.subarray(0, 4096))) !== 'csv';
  } catch {
    return true; // XML that is no statement: let the parser explain
  }
}

/** `/import` with a bank statement: the preview against the book, nothing written. */
export async function statementPreviewReply(actor: Actor, content: Buffer, lang: Language): Promise<string> {
  const { statement, account, classification } = await previewStatement(actor, content);
  return t(lang, 'statement.preview_reply', {
    format: statement.format.toUpperCase(),
    rows: statement.rows.length,
    account: account?.name ?? '—',
    preview: statementPreviewText(classification, lang),
  });
}
