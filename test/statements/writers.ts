import { minorToDecimal } from '../../domain/money/money.js';
import type { Statement, StatementRow } from '../../domain/statements/types.js';

/**
 * Writes statements the way banks export them, for fixtures and round trips. Every writer keeps
 * each row's id where its format has one.
 */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const compact = (day: string) => day.replace(/-/g, '');
const amount = (minor: number, currency: string) => minorToDecimal(minor, currency);

export function writeOfx(s: Statement, version: 1 | 2): string {
  const ccy = s.currency ?? s.rows[0]?.currency ?? 'EUR';
  const close = (tag: string, value: string) => (version === 2 ? `<${tag}>${esc(value)}</${tag}>` : `<${tag}>${esc(value)}`);
  const trns = s.rows
    .map((r) =>
      [
        '<STMTTRN>',
        close('TRNTYPE', r.amountMinor < 0 ? 'DEBIT' : 'CREDIT'),
        close('DTPOSTED', `${compact(r.date)}120000.000[-5:EST]`),
        close('TRNAMT', amount(r.amountMinor, r.currency)),
        close('FITID', r.externalId),
        ...(r.payee ? [close('NAME', r.payee)] : []),
        ...(r.memo ? [close('MEMO', r.memo)] : []),
        ...(r.currency !== ccy ? ['<CURRENCY>', close('CURRATE', '1.0'), close('CURSYM', r.currency), '</CURRENCY>'] : []),
        '</STMTTRN>',
      ].join('\n'),
    )
    .join('\n');
  const header =
    version === 1
      ? 'OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n'
      : '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n';
  return `${header}<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS>${close('CODE', '0')}${close('SEVERITY', 'INFO')}</STATUS>${close('DTSERVER', '20260601')}${close('LANGUAGE', 'ENG')}</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS>${close('TRNUID', '1')}<STATUS>${close('CODE', '0')}${close('SEVERITY', 'INFO')}</STATUS>
<STMTRS>${close('CURDEF', ccy)}
<BANKACCTFROM>${close('BANKID', '121099999')}${close('ACCTID', s.accountId ?? '999988')}${close('ACCTTYPE', 'CHECKING')}</BANKACCTFROM>
<BANKTRANLIST>${close('DTSTART', '20260101')}${close('DTEND', '20261231')}
${trns}
</BANKTRANLIST>
${s.closingBalance !== undefined ? `<LEDGERBAL>${close('BALAMT', amount(s.closingBalance, ccy))}${close('DTASOF', '20261231')}</LEDGERBAL>` : ''}
</STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
`;
}

export function writeCamt(s: Statement, kind: '053' | '052'): string {
  const ccy = s.currency ?? s.rows[0]?.currency ?? 'EUR';
  const bal = (code: string, minor: number) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="${ccy}">${amount(Math.abs(minor), ccy)}</Amt><CdtDbtInd>${minor < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>2026-06-01</Dt></Dt></Bal>`;
  const entry = (r: StatementRow) => {
    const party = r.amountMinor < 0 ? 'Cdtr' : 'Dbtr';
    return `<Ntry>
  <Amt Ccy="${r.currency}">${amount(Math.abs(r.amountMinor), r.currency)}</Amt>
  <CdtDbtInd>${r.amountMinor < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd>
  <Sts><Cd>BOOK</Cd></Sts>
  <BookgDt><Dt>${r.date}</Dt></BookgDt>
  <ValDt><Dt>${r.date}</Dt></ValDt>
  <AcctSvcrRef>${esc(r.externalId)}</AcctSvcrRef>
  <BkTxCd/>
  <NtryDtls><TxDtls>
    ${r.payee ? `<RltdPties><${party}><Nm>${esc(r.payee)}</Nm></${party}></RltdPties>` : ''}
    ${r.memo ? `<RmtInf><Ustrd>${esc(r.memo)}</Ustrd></RmtInf>` : ''}
  </TxDtls></NtryDtls>
</Ntry>`;
  };
  const [outer, inner] = kind === '053' ? ['BkToCstmrStmt', 'Stmt'] : ['BkToCstmrAcctRpt', 'Rpt'];
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.${kind}.001.08" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<${outer}>
<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-06-01T08:00:00+02:00</CreDtTm></GrpHdr>
<${inner}>
<Id>STMT-1</Id><CreDtTm>2026-06-01T08:00:00+02:00</CreDtTm>
<Acct><Id><IBAN>${s.accountId ?? 'DE89370400440532013000'}</IBAN></Id><Ccy>${ccy}</Ccy></Acct>
${s.openingBalance !== undefined ? bal('OPBD', s.openingBalance) : ''}
${s.closingBalance !== undefined ? bal('CLBD', s.closingBalance) : ''}
${s.rows.map(entry).join('\n')}
</${inner}>
</${outer}>
</Document>
`;
}

/** QIF in US layout (`M/D'YY` for 2000s years with `yy` true, else `M/D/YYYY`), thousands with commas. */
export function writeQif(s: Statement, opts: { apostropheYears?: boolean } = {}): string {
  const date = (d: string) => {
    const [y, m, day] = d.split('-');
    return opts.apostropheYears ? `${Number(m)}/${String(Number(day)).padStart(2, ' ')}'${y!.slice(2)}` : `${m}/${day}/${y}`;
  };
  const grouped = (minor: number, ccy: string) => amount(minor, ccy).replace(/\B(?=(\d{3})+(?!\d))(?<=^-?\d+)/g, ',');
  return ['!Type:Bank', ...s.rows.flatMap((r) => [`D${date(r.date)}`, `T${grouped(r.amountMinor, r.currency)}`, ...(r.payee ? [`P${r.payee}`] : []), ...(r.memo ? [`M${r.memo}`] : []), '^'])].join('\r\n') + '\r\n';
}

const csvCell = (v: string, delimiter: string) => (/["\r\n]/.test(v) || v.includes(delimiter) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * A bank CSV: `signed` (one amount column, `.` decimals, ISO dates) or `european` (`;`,
 * `DD.MM.YYYY`, `,` decimals, space-grouped thousands, separate debit and credit columns).
 */
export function writeCsv(s: Statement, style: 'signed' | 'european'): string {
  if (style === 'signed') {
    const rows = s.rows.map((r) => [r.date, amount(r.amountMinor, r.currency), r.currency, r.payee, r.memo, r.externalId].map((c) => csvCell(c, ',')).join(','));
    return ['Date,Amount,Currency,Payee,Memo,Id', ...rows].join('\n') + '\n';
  }
  const euro = (minor: number, ccy: string) => {
    const [int, frac] = amount(Math.abs(minor), ccy).split('.');
    return int!.replace(/\B(?=(\d{3})+(?!\d))/g, ' ') + (frac ? ',' + frac : '');
  };
  const rows = s.rows.map((r) => {
    const [y, m, d] = r.date.split('-');
    return [`${d}.${m}.${y}`, r.amountMinor < 0 ? euro(r.amountMinor, r.currency) : '', r.amountMinor > 0 ? euro(r.amountMinor, r.currency) : '', r.currency, r.payee, r.memo, r.externalId].map((c) => csvCell(c, ';')).join(';');
  });
  return ['Дата;Списание;Зачисление;Валюта;Контрагент;Назначение;Номер', ...rows].join('\r\n') + '\r\n';
}

export const EUROPEAN_MAPPING = {
  date: 'Дата', debit: 'Списание', credit: 'Зачисление', currency: 'Валюта', payee: 'Контрагент', memo: 'Назначение', id: 'Номер',
  dateFormat: 'DD.MM.YYYY', decimalMark: ',' as const, thousands: ' ',
};
export const SIGNED_MAPPING = { date: 'Date', amount: 'Amount', currency: 'Currency', payee: 'Payee', memo: 'Memo', id: 'Id', dateFormat: 'YYYY-MM-DD', decimalMark: '.' as const };
