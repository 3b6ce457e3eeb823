import { parse } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import { DomainError } from '../errors.js';
import { guessDelimiter, type CsvColumn, type CsvMapping } from './csv.js';
import { readDate } from './dates.js';

/** Header words banks use for each field (lower case; English, German, French, Russian). */
const NAMES: Record<'date' | 'amount' | 'debit' | 'credit' | 'payee' | 'memo' | 'currency' | 'balance' | 'id', string[]> = {
  date: ['date', 'booking date', 'transaction date', 'posted date', 'posting date', 'buchungstag', 'buchungsdatum', 'datum', 'date opération', 'date operation', 'дата', 'дата операции', 'дата проводки'],
  amount: ['amount', 'betrag', 'umsatz', 'montant', 'сумма', 'сумма операции', 'value'],
  debit: ['debit', 'debit amount', 'withdrawal', 'withdrawals', 'paid out', 'money out', 'soll', 'lastschrift', 'débit', 'расход', 'списание', 'дебет'],
  credit: ['credit', 'credit amount', 'deposit', 'deposits', 'paid in', 'money in', 'haben', 'gutschrift', 'crédit', 'приход', 'зачисление', 'поступление', 'кредит'],
  payee: ['payee', 'name', 'description', 'merchant', 'counterparty', 'beneficiary', 'empfänger', 'zahlungsempfänger', 'auftraggeber/empfänger', 'begünstigter/zahlungspflichtiger', 'name zahlungsbeteiligter', 'libellé', 'libelle', 'получатель', 'контрагент', 'описание'],
  memo: ['memo', 'reference', 'details', 'purpose', 'verwendungszweck', 'buchungstext', 'notes', 'назначение', 'назначение платежа', 'комментарий'],
  currency: ['currency', 'währung', 'waehrung', 'devise', 'валюта'],
  balance: ['balance', 'running balance', 'saldo', 'kontostand', 'solde', 'остаток', 'баланс'],
  id: ['id', 'transaction id', 'reference number', 'fitid', 'transaktions-id', 'номер операции', 'номер'],
};

/** Date layouts tried on a bank CSV's dates, the first that reads every one of them wins. */
const DATE_FORMATS = ['YYYY-MM-DD', 'DD.MM.YYYY', 'DD.MM.YY', 'D.M.YYYY', 'DD/MM/YYYY', 'MM/DD/YYYY', 'D/M/YYYY', 'M/D/YYYY', 'DD/MM/YY', 'MM/DD/YY', 'DD-MM-YYYY', 'YYYY/MM/DD', 'YYYYMMDD'];

function records(text: string, delimiter: string, limit: number): string[][] {
  try {
    return (parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true, to: limit }) as string[][]).map((r) => r.map((c) => c.trim()));
  } catch {
    return [];
  }
}

/**
 * The key a bank CSV is remembered by (its `external_account_id`): `csv:` and a hash of its header
 * line's column names, so the next export of the same bank (same columns) finds its account and
 * mapping. A file without a header is keyed by its number of columns.
 */
export function csvLayoutKey(text: string, mapping?: Pick<CsvMapping, 'header' | 'delimiter'>): string {
  const delimiter = mapping?.delimiter ?? guessDelimiter(text);
  const [first = []] = records(text, delimiter, 1);
  const key = mapping?.header === false ? `${first.length} columns` : first.map((c) => c.toLowerCase().replace(/\s+/g, ' ')).join('\u001f');
  return 'csv:' + createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

/**
 * A mapping guessed from a bank CSV's header and first rows, for the person to confirm: columns by
 * header words, the date layout that reads all sampled dates, the decimal mark the amounts use.
 * Undefined when no date or amount column is recognised (then `/import map …` says it).
 */
export function guessCsvMapping(text: string): CsvMapping | undefined {
  const delimiter = guessDelimiter(text);
  const rows = records(text, delimiter, 51);
  const header = (rows[0] ?? []).map((h) => h.toLowerCase().replace(/\s+/g, ' '));
  if (header.length < 2) return undefined;
  const taken = new Set<number>();
  const find = (field: keyof typeof NAMES): string | undefined => {
    for (const name of NAMES[field]) {
      const i = header.findIndex((h, j) => !taken.has(j) && h === name);
      if (i >= 0) return (taken.add(i), rows[0]![i]);
    }
    for (const name of NAMES[field]) {
      const i = header.findIndex((h, j) => !taken.has(j) && name.length >= 4 && h.includes(name));
      if (i >= 0) return (taken.add(i), rows[0]![i]);
    }
    return undefined;
  };
  const date = find('date');
  const debit = find('debit');
  const credit = find('credit');
  const amount = debit || credit ? undefined : find('amount');
  if (!date || (!amount && !debit && !credit)) return undefined;
  const cols: Partial<Record<keyof typeof NAMES, string>> = { payee: find('payee'), memo: find('memo'), currency: find('currency'), balance: find('balance'), id: find('id') };
  const at = (name: string | undefined) => (name === undefined ? -1 : rows[0]!.indexOf(name));
  const sample = rows.slice(1);
  const dates = sample.map((r) => (r[at(date)] ?? '').split(/[ T]/)[0]!).filter(Boolean);
  const dateFormat = DATE_FORMATS.find((f) => dates.length > 0 && dates.every((d) => readDate(d, f) !== undefined));
  if (!dateFormat) return undefined;
  const amounts = sample.flatMap((r) => [amount, debit, credit].map((c) => r[at(c)] ?? '')).filter((a) => /\d/.test(a));
  const comma = amounts.filter((a) => /,\d{1,3}$/.test(a.replace(/\s/g, '')) && !/^[-+]?\d{1,3}(,\d{3})+$/.test(a)).length;
  const dot = amounts.filter((a) => /\.\d{1,3}$/.test(a.replace(/\s/g, '')) && !/^[-+]?\d{1,3}(\.\d{3})+$/.test(a)).length;
  const decimalMark = comma > dot ? ',' : '.';
  const grouped = (re: RegExp) => amounts.some((a) => re.test(a));
  const thousands = grouped(decimalMark === ',' ? /\d\.\d{3}/ : /\d,\d{3}/) ? (decimalMark === ',' ? '.' : ',') : grouped(/\d[ \u00a0]\d{3}/) ? ' ' : undefined;
  const mapping: CsvMapping = { date, dateFormat, decimalMark, delimiter };
  if (amount) mapping.amount = amount;
  if (debit) mapping.debit = debit;
  if (credit) mapping.credit = credit;
  for (const [k, v] of Object.entries(cols)) if (v) (mapping as unknown as Record<string, string>)[k] = v;
  if (thousands) mapping.thousands = thousands;
  return mapping;
}

const FIELDS = ['date', 'amount', 'debit', 'credit', 'payee', 'memo', 'currency', 'balance', 'id'] as const;

/** `date=1 amount="Betrag (EUR)" payee=2 format=DD.MM.YYYY decimal=, thousands=. header=no` as words. */
function pairs(args: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /([A-Za-z]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))/g;
  let rest = args;
  for (const m of args.matchAll(re)) {
    out.push([m[1]!.toLowerCase(), m[2] ?? m[3] ?? m[4]!]);
    rest = rest.replace(m[0], '');
  }
  if (rest.trim()) throw new DomainError('usage', {});
  return out;
}

/**
 * Reads `/import map …`: columns by position (from 1) or header text, and the number and date
 * layout. Starts from `base` (the guess) so one word fixes one thing. Throws `usage` for words it
 * does not know and `statement_invalid` for a bad date layout.
 */
export function parseCsvMappingArgs(args: string, base?: CsvMapping): CsvMapping {
  const m: Record<string, unknown> = { ...(base ?? { decimalMark: '.', dateFormat: 'YYYY-MM-DD' }) };
  for (const [key, value] of pairs(args)) {
    const field = FIELDS.find((f) => f === key);
    if (field) {
      if (field === 'amount') (delete m.debit, delete m.credit);
      if (field === 'debit' || field === 'credit') delete m.amount;
      if (value === '-' || value === '') delete m[field];
      else m[field] = (/^\d{1,3}$/.test(value) ? Number(value) : value) satisfies CsvColumn;
    } else if (key === 'format' || key === 'dateformat') {
      if (!/^[YMD][YMD./\- ]*$/i.test(value) || !/YY/i.test(value) || !/M/i.test(value) || !/D/i.test(value)) throw new DomainError('usage', {});
      m.dateFormat = value.toUpperCase();
    } else if (key === 'decimal') {
      if (value !== '.' && value !== ',') throw new DomainError('usage', {});
      m.decimalMark = value;
    } else if (key === 'thousands') {
      if (value === '-' || value === 'none') delete m.thousands;
      else if (/^[,.' ]$/.test(value)) m.thousands = value;
      else throw new DomainError('usage', {});
    } else if (key === 'delimiter') {
      const d = { tab: '\t', semicolon: ';', comma: ',', pipe: '|' }[value] ?? value;
      if (![';', ',', '\t', '|'].includes(d)) throw new DomainError('usage', {});
      m.delimiter = d;
    } else if (key === 'header') {
      m.header = !/^(no|false|0|нет)$/i.test(value);
    } else throw new DomainError('usage', {});
  }
  if (m.date === undefined || (m.amount === undefined && m.debit === undefined && m.credit === undefined)) throw new DomainError('usage', {});
  return m as unknown as CsvMapping;
}

/** The mapping as the words `/import map` takes, for showing it back. */
export function mappingWords(m: CsvMapping): string {
  const col = (c: CsvColumn) => (typeof c === 'number' ? String(c) : /[\s"=]/.test(c) || c === '' ? `"${c.replace(/"/g, "'")}"` : c);
  const words = FIELDS.filter((f) => m[f] !== undefined).map((f) => `${f}=${col(m[f]!)}`);
  words.push(`format=${m.dateFormat}`, `decimal=${m.decimalMark}`);
  if (m.thousands) words.push(`thousands=${m.thousands === ' ' ? "' '" : m.thousands}`);
  if (m.header === false) words.push('header=no');
  return words.join(' ');
}
