import { decimalToMinor } from './amount.js';
import { isCalendarDay, isoDay } from './dates.js';
import { fillExternalIds } from './external-id.js';
import { statementError } from './statement-error.js';
import { isCurrency } from '../money/money.js';
import type { Statement, StatementRow } from './types.js';
import { child, children, leaf, path as at, readMarkup, type MarkupNode } from './markup-tree.js';

/** `2026-05-03`, `2026-05-03T10:00:00+02:00` → `2026-05-03`. */
function readIsoDate(s: string | undefined): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s?.trim() ?? '');
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isCalendarDay(y, mo, d) ? isoDay(y, mo, d) : undefined;
}

/** Which CAMT message a document is, or undefined when it is none COIN reads. */
export function camtKind(root: MarkupNode): { format: 'camt.053' | 'camt.052'; reports: MarkupNode[]; path: string } | undefined {
  const doc = child(root, 'Document');
  const stmt = child(doc, 'BkToCstmrStmt');
  if (stmt) return { format: 'camt.053', reports: children(stmt, 'Stmt'), path: 'Stmt' };
  const rpt = child(doc, 'BkToCstmrAcctRpt');
  if (rpt) return { format: 'camt.052', reports: children(rpt, 'Rpt'), path: 'Rpt' };
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
  const doc = readMarkup(xml, /BkToCstmrAcctRpt/.test(xml) ? 'camt.052' : 'camt.053', 'xml');
  const kind = camtKind(doc);
  if (!kind) throw statementError('camt.053', { element: 'Document' }, 'missing', { field: 'BkToCstmrStmt' });
  const { format, reports, path } = kind;
  if (!reports.length) throw statementError(format, { element: `Document/${path}` }, 'missing', { field: path });

  const first = reports[0]!;
  const accountId = leaf(first, 'Acct', 'Id', 'IBAN') ?? leaf(first, 'Acct', 'Id', 'Othr', 'Id');
  const accountCcy = leaf(first, 'Acct', 'Ccy');
  const rows: (Omit<StatementRow, 'externalId'> & { externalId?: string | undefined })[] = [];
  let currency = accountCcy?.toUpperCase();
  const amountOf = (node: MarkupNode | undefined, where: string): { minor: number; currency: string } => {
    const ccy = node?.attrs['Ccy']?.toUpperCase() ?? currency;
    if (!ccy || !isCurrency(ccy)) throw statementError(format, { element: where }, 'currency', { value: ccy ?? '' });
    const value = node?.text;
    const minor = value === undefined ? undefined : decimalToMinor(value, ccy, { decimalMark: '.' });
    if (minor === undefined || minor < 0) throw statementError(format, { element: where }, 'amount', { value: value ?? '' });
    return { minor, currency: ccy };
  };
  const signed = (minor: number, indicator: MarkupNode | undefined, where: string): number => {
    const ind = indicator?.text;
    if (ind === 'CRDT') return minor;
    if (ind === 'DBIT') return -minor;
    throw statementError(format, { element: `${where}/CdtDbtInd` }, ind === undefined ? 'missing' : 'syntax', { field: 'CdtDbtInd', value: ind ?? '' });
  };

  let openingBalance: number | undefined;
  let closingBalance: number | undefined;
  children(first, 'Bal').forEach((bal, i) => {
    const where = `${path}[1]/Bal[${i + 1}]`;
    const code = leaf(bal, 'Tp', 'CdOrPrtry', 'Cd') ?? leaf(bal, 'Tp', 'CdOrPrtry', 'Prtry');
    if (code !== 'OPBD' && code !== 'PRCD' && code !== 'CLBD') return;
    const { minor, currency: ccy } = amountOf(child(bal, 'Amt'), `${where}/Amt`);
    currency ??= ccy;
    const value = signed(minor, child(bal, 'CdtDbtInd'), where);
    if (code === 'CLBD') closingBalance = value;
    else if (code === 'OPBD' || openingBalance === undefined) openingBalance = value;
  });

  reports.forEach((report, r) => {
    children(report, 'Ntry').forEach((entry, e) => {
      const where = `${path}[${r + 1}]/Ntry[${e + 1}]`;
      const status = leaf(entry, 'Sts', 'Cd') ?? leaf(entry, 'Sts');
      if (status && status !== 'BOOK') return;
      if (!child(entry, 'Amt')) throw statementError(format, { element: where }, 'missing', { field: 'Amt' });
      const { minor, currency: ccy } = amountOf(child(entry, 'Amt'), `${where}/Amt`);
      currency ??= ccy;
      const amountMinor = signed(minor, child(entry, 'CdtDbtInd'), where);
      const dateText = leaf(entry, 'BookgDt', 'Dt') ?? leaf(entry, 'BookgDt', 'DtTm') ?? leaf(entry, 'ValDt', 'Dt') ?? leaf(entry, 'ValDt', 'DtTm');
      if (dateText === undefined) throw statementError(format, { element: where }, 'missing', { field: 'BookgDt' });
      const date = readIsoDate(dateText);
      if (!date) throw statementError(format, { element: `${where}/BookgDt` }, 'date', { value: dateText, expected: 'YYYY-MM-DD' });
      const tx = at(entry, 'NtryDtls', 'TxDtls');
      const party = amountMinor < 0 ? 'Cdtr' : 'Dbtr';
      const payee = leaf(tx, 'RltdPties', party, 'Nm') ?? leaf(tx, 'RltdPties', party, 'Pty', 'Nm') ?? '';
      const memo = children(at(tx, 'RmtInf'), 'Ustrd').map((u) => u.text ?? '').filter(Boolean).join(' ');
      const externalId = leaf(entry, 'AcctSvcrRef') ?? leaf(entry, 'NtryRef') ?? leaf(tx, 'Refs', 'AcctSvcrRef') ?? leaf(tx, 'Refs', 'EndToEndId');
      rows.push({ externalId: externalId && externalId !== 'NOTPROVIDED' ? externalId.trim() : undefined, date, amountMinor, currency: ccy, payee: payee.trim(), memo: (memo || leaf(entry, 'AddtlNtryInf') || '').trim() });
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
