import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decimalToMinor } from './amount.js';
import { isCalendarDay, isoDay } from './dates.js';
import { fillExternalIds } from './external-id.js';
import { statementError } from './statement-error.js';
import { isCurrency } from '../money/money.js';
import type { Statement, StatementRow } from './types.js';

type X = { [k: string]: unknown };
const ARRAYS = new Set(['Stmt', 'Rpt', 'Ntry', 'Bal', 'TxDtls', 'Ustrd', 'NtryDtls']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => ARRAYS.has(name),
});

const obj = (v: unknown): X | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as X) : undefined);
const arr = (v: unknown): X[] => (Array.isArray(v) ? v.filter((x): x is X => !!obj(x)) : obj(v) ? [v as X] : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : obj(v) && typeof (v as X)['#text'] === 'string' ? ((v as X)['#text'] as string) : undefined);
const at = (v: unknown, ...path: string[]): unknown => {
  let n: unknown = v;
  for (const p of path) {
    const o = Array.isArray(n) ? obj(n[0]) : obj(n);
    n = o?.[p];
  }
  return n;
};

/** `2026-05-03`, `2026-05-03T10:00:00+02:00` → `2026-05-03`. */
function readIsoDate(s: string | undefined): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s?.trim() ?? '');
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isCalendarDay(y, mo, d) ? isoDay(y, mo, d) : undefined;
}

/** Which CAMT message an XML document is, or undefined when it is none COIN reads. */
export function camtKind(doc: X): { format: 'camt.053' | 'camt.052'; reports: X[]; path: string } | undefined {
  const root = obj(doc['Document']);
  if (!root) return undefined;
  const stmt = obj(root['BkToCstmrStmt']);
  if (stmt) return { format: 'camt.053', reports: arr(stmt['Stmt']), path: 'Stmt' };
  const rpt = obj(root['BkToCstmrAcctRpt']);
  if (rpt) return { format: 'camt.052', reports: arr(rpt['Rpt']), path: 'Rpt' };
  return undefined;
}

/**
 * Parses an ISO 20022 bank-to-customer statement (camt.053) or account report (camt.052), any
 * version. Only booked entries count (`Sts` BOOK, or no status). The payee is the counterparty:
 * the creditor of a debit, the debtor of a credit. The id is `AcctSvcrRef`, else `NtryRef`, else
 * the transaction's `AcctSvcrRef`/`EndToEndId`, else a hash. Balances: OPBD (or PRCD) opening,
 * CLBD closing.
 */
export function parseCamt(xml: string): Statement {
  const invalid = XMLValidator.validate(xml);
  if (invalid !== true) {
    const format = /BkToCstmrAcctRpt/.test(xml) ? 'camt.052' : 'camt.053';
    // Tags still open at the end of the file: it was cut off; name the last line.
    const open = /^Invalid '\[(.*)\]' found/s.exec(invalid.err.msg);
    if (open) {
      const tags = [...open[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
      throw statementError(format, { line: xml.trimEnd().split('\n').length }, 'syntax', { value: `ends inside <${tags[tags.length - 1] ?? ''}>` });
    }
    throw statementError(format, { line: invalid.err.line }, 'syntax', { value: invalid.err.msg });
  }
  const doc = parser.parse(xml) as X;
  const kind = camtKind(doc);
  if (!kind) throw statementError('camt.053', { element: 'Document' }, 'missing', { field: 'BkToCstmrStmt' });
  const { format, reports, path } = kind;
  if (!reports.length) throw statementError(format, { element: `Document/${path}` }, 'missing', { field: path });

  const first = reports[0]!;
  const accountId = text(at(first, 'Acct', 'Id', 'IBAN')) ?? text(at(first, 'Acct', 'Id', 'Othr', 'Id'));
  const accountCcy = text(at(first, 'Acct', 'Ccy'));
  const rows: (Omit<StatementRow, 'externalId'> & { externalId?: string | undefined })[] = [];
  let currency = accountCcy?.toUpperCase();
  const amountOf = (node: unknown, where: string): { minor: number; currency: string } => {
    const ccy = (obj(node)?.['@Ccy'] as string | undefined)?.toUpperCase() ?? currency;
    if (!ccy || !isCurrency(ccy)) throw statementError(format, { element: where }, 'currency', { value: ccy ?? '' });
    const value = text(node);
    const minor = value === undefined ? undefined : decimalToMinor(value, ccy, { decimalMark: '.' });
    if (minor === undefined || minor < 0) throw statementError(format, { element: where }, 'amount', { value: value ?? '' });
    return { minor, currency: ccy };
  };
  const signed = (minor: number, indicator: unknown, where: string): number => {
    const ind = text(indicator);
    if (ind === 'CRDT') return minor;
    if (ind === 'DBIT') return -minor;
    throw statementError(format, { element: `${where}/CdtDbtInd` }, ind === undefined ? 'missing' : 'syntax', { field: 'CdtDbtInd', value: ind ?? '' });
  };

  let openingBalance: number | undefined;
  let closingBalance: number | undefined;
  arr(first['Bal']).forEach((bal, i) => {
    const where = `${path}[1]/Bal[${i + 1}]`;
    const code = text(at(bal, 'Tp', 'CdOrPrtry', 'Cd')) ?? text(at(bal, 'Tp', 'CdOrPrtry', 'Prtry'));
    if (code !== 'OPBD' && code !== 'PRCD' && code !== 'CLBD') return;
    const { minor, currency: ccy } = amountOf(bal['Amt'], `${where}/Amt`);
    currency ??= ccy;
    const value = signed(minor, bal['CdtDbtInd'], where);
    if (code === 'CLBD') closingBalance = value;
    else if (code === 'OPBD' || openingBalance === undefined) openingBalance = value;
  });

  reports.forEach((report, r) => {
    arr(report['Ntry']).forEach((entry, e) => {
      const where = `${path}[${r + 1}]/Ntry[${e + 1}]`;
      const status = text(at(entry, 'Sts', 'Cd')) ?? text(entry['Sts']);
      if (status && status !== 'BOOK') return;
      if (entry['Amt'] === undefined) throw statementError(format, { element: where }, 'missing', { field: 'Amt' });
      const { minor, currency: ccy } = amountOf(entry['Amt'], `${where}/Amt`);
      currency ??= ccy;
      const amountMinor = signed(minor, entry['CdtDbtInd'], where);
      const dateText = text(at(entry, 'BookgDt', 'Dt')) ?? text(at(entry, 'BookgDt', 'DtTm')) ?? text(at(entry, 'ValDt', 'Dt')) ?? text(at(entry, 'ValDt', 'DtTm'));
      if (dateText === undefined) throw statementError(format, { element: where }, 'missing', { field: 'BookgDt' });
      const date = readIsoDate(dateText);
      if (!date) throw statementError(format, { element: `${where}/BookgDt` }, 'date', { value: dateText, expected: 'YYYY-MM-DD' });
      const tx = at(entry, 'NtryDtls', 'TxDtls');
      const party = amountMinor < 0 ? 'Cdtr' : 'Dbtr';
      const payee = text(at(tx, 'RltdPties', party, 'Nm')) ?? text(at(tx, 'RltdPties', party, 'Pty', 'Nm')) ?? '';
      const ustrd = at(tx, 'RmtInf', 'Ustrd');
      const memo = (Array.isArray(ustrd) ? ustrd.map(text).filter(Boolean).join(' ') : undefined) ?? text(entry['AddtlNtryInf']) ?? '';
      const externalId = text(entry['AcctSvcrRef']) ?? text(entry['NtryRef']) ?? text(at(tx, 'Refs', 'AcctSvcrRef')) ?? text(at(tx, 'Refs', 'EndToEndId'));
      rows.push({ externalId: externalId && externalId !== 'NOTPROVIDED' ? externalId.trim() : undefined, date, amountMinor, currency: ccy, payee: payee.trim(), memo: (memo || text(entry['AddtlNtryInf']) || '').trim() });
    });
  });
  return {
    format,
    ...(accountId ? { accountId: accountId.trim() } : {}),
    ...(currency ? { currency } : {}),
    rows: fillExternalIds(rows),
    ...(openingBalance !== undefined ? { openingBalance } : {}),
    ...(closingBalance !== undefined ? { closingBalance } : {}),
  };
}
