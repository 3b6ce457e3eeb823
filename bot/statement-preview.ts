import { isDomainError } from '../domain/errors.js';
import { formatMoney } from '../domain/money/money.js';
import { mappingWords } from '../domain/statements/csv-mapping.js';
import type { StatementStep } from '../domain/statements/flow.js';
import type { Classification } from '../domain/statements/matching.js';
import type { Language } from '../domain/types.js';
import { t } from './i18n/index.js';
import { messageFor } from './messages.js';
import type { Button, Reply } from './reply.js';

/** How many likely twins the preview spells out; the rest are counted. */
const EXAMPLES = 3;
/** Account buttons per row. */
const PER_ROW = 3;

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

/** The action of a statement button: `st:<preview id>.<choice>` (well under Telegram's 64 bytes). */
export const statementAction = (id: string, choice: string): string => `st:${id}.${choice}`;

/** A bank account number shown by its end only (`…0512`). */
const bankTail = (id: string | undefined) => (id ? ` …${id.replace(/\s+/g, '').slice(-4)}` : '');

/** The reply for each step of a statement: the question with its buttons, or the preview with its choices. */
export function statementStepReply(s: StatementStep, lang: Language): Reply {
  const cancel: Button = { label: t(lang, 'statement.button.cancel'), action: statementAction(s.id, 'x') };
  if (s.step === 'mapping') {
    const ask = t(lang, 'statement.ask_mapping', { header: s.header.join(' ') });
    const problem = s.problem && isDomainError(s.problem) && s.guess ? t(lang, 'statement.mapping_problem', { mapping: mappingWords(s.guess), problem: messageFor(s.problem, lang) }) + '\n' : '';
    return { text: problem + ask, buttons: [[cancel]] };
  }
  if (s.step === 'account') {
    const rows: Button[][] = [];
    s.accounts.forEach((acc, i) => {
      if (i % PER_ROW === 0) rows.push([]);
      rows[rows.length - 1]!.push({ label: `@${acc.name}`, action: statementAction(s.id, `a${acc.id}`) });
    });
    rows.push([cancel]);
    const text = s.mapping
      ? t(lang, 'statement.ask_account_csv', { rows: s.statement.rows.length, mapping: mappingWords(s.mapping) })
      : t(lang, 'statement.ask_account', { format: s.statement.format.toUpperCase(), bank: bankTail(s.statement.accountId), rows: s.statement.rows.length });
    return { text, buttons: rows };
  }
  const c = s.classification;
  const base = { format: s.statement.format.toUpperCase(), rows: s.statement.rows.length, account: s.account.name };
  if (c.newCount === 0 && c.twins.length === 0) return { text: t(lang, 'statement.nothing_new', { ...base, imported: c.importedCount }) };
  const text = t(lang, 'statement.preview_reply', { ...base, preview: statementPreviewText(c, lang) }) + (s.labelled ? t(lang, 'statement.labelled', { count: s.labelled, rules: s.byRule.map((r) => t(lang, 'statement.by_rule', r)).join(', ') }) : '');
  const choices: Button[] = [{ label: t(lang, 'statement.button.import'), action: statementAction(s.id, 'i') }];
  if (c.twins.length) choices.push({ label: t(lang, 'statement.button.merge'), action: statementAction(s.id, 'm') });
  choices.push(cancel);
  return { text, buttons: [choices] };
}
