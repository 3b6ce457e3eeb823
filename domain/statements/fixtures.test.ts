import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { encodeStatement } from './decode.js';
import { detectStatementFormat, parseStatement } from './parse.js';

/** Files shaped like real banks' exports (layouts, encodings, sign conventions). */

const OFX_SGML_CREDIT_CARD = `OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20260504083000.000[-7:MST]<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>0<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<CCSTMTRS><CURDEF>USD<CCACCTFROM><ACCTID>4111********1111</CCACCTFROM>
<BANKTRANLIST><DTSTART>20260501<DTEND>20260504
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260503000000.000[-7:MST]<TRNAMT>-23.40<FITID>2026050324692166<NAME>LIDL #1234 SEATTLE<MEMO>Card purchase
</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260504<TRNAMT>1,250.00<FITID>2026050424692167<PAYEE><NAME>ACME PAYROLL</PAYEE>
</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260504<TRNAMT>-5.00<FITID>2026050424692168<NAME>Café &amp; Bar<CURRENCY><CURRATE>1.08<CURSYM>EUR</CURRENCY>
</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>-1523.18<DTASOF>20260504</LEDGERBAL>
</CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>
</OFX>
`;

const CAMT_053_SEPA = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>053D2026-05-04</MsgId><CreDtTm>2026-05-04T06:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>0352C5320260504</Id>
   <Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-05-01</Dt></Dt></Bal>
   <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">2026.60</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-05-04</Dt></Dt></Bal>
   <Ntry>
    <NtryRef>1</NtryRef>
    <Amt Ccy="EUR">23.40</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-05-03</Dt></BookgDt><ValDt><Dt>2026-05-03</Dt></ValDt>
    <AcctSvcrRef>2026050300012345</AcctSvcrRef>
    <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
     <RltdPties><Cdtr><Nm>LIDL DIENSTLEISTUNG GMBH</Nm></Cdtr></RltdPties>
     <RmtInf><Ustrd>Einkauf Filiale 1234</Ustrd><Ustrd>03.05. 18:31</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">1050.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><DtTm>2026-05-04T09:12:00+02:00</DtTm></BookgDt>
    <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Arbeitgeber AG</Nm></Dbtr></RltdPties><RmtInf><Ustrd>Gehalt Mai</Ustrd></RmtInf></TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">99.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>PDNG</Sts>
    <BookgDt><Dt>2026-05-04</Dt></BookgDt>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
`;

/** A Russian bank's CSV: Windows-1251, `;`, DD.MM.YYYY, comma decimals, space thousands, debit column. */
const SBER_LIKE_CSV = [
  'Дата операции;Дата списания;Описание;Расход;Приход;Остаток',
  '03.05.2026;04.05.2026;Пятёрочка 1234 Москва;1 234,50;;48 765,50',
  '03.05.2026;04.05.2026;Пятёрочка 1234 Москва;1 234,50;;47 531,00',
  '05.05.2026;05.05.2026;Перевод от Иванова И.И.;;10 000,00;57 531,00',
  ';;;;;',
].join('\r\n');

const SBER_MAPPING = { date: 'Дата операции', payee: 'Описание', debit: 'Расход', credit: 'Приход', balance: 'Остаток', dateFormat: 'DD.MM.YYYY', decimalMark: ',' as const, thousands: ' ' };

/** A US bank's CSV: MM/DD/YYYY, thousands commas, negative amounts, quoted payees, Windows-1252. */
const US_CSV = ['"Posting Date","Description","Amount","Type","Balance"', '05/03/2026,"CAFÉ ROMA, SEATTLE",-23.40,DEBIT,"1,976.60"', '05/04/2026,"ACME PAYROLL","+2,500.00",CREDIT,"4,476.60"'].join('\n');

describe('bank-like statement files', () => {
  it('GIVEN a credit-card OFX 1.x (SGML, unclosed tags, PAYEE aggregate, foreign-currency row) WHEN parsed THEN every row has its FITID, signed minor amount, payee and currency', () => {
    const s = parseStatement(Buffer.from(OFX_SGML_CREDIT_CARD, 'latin1'));
    expect(s).toMatchObject({ format: 'ofx', accountId: '4111********1111', currency: 'USD', closingBalance: -152318 });
    expect(s.rows).toEqual([
      { externalId: '2026050324692166', date: '2026-05-03', amountMinor: -2340, currency: 'USD', payee: 'LIDL #1234 SEATTLE', memo: 'Card purchase' },
      { externalId: '2026050424692167', date: '2026-05-04', amountMinor: 125000, currency: 'USD', payee: 'ACME PAYROLL', memo: '' },
      { externalId: '2026050424692168', date: '2026-05-04', amountMinor: -500, currency: 'EUR', payee: 'Café & Bar', memo: '' },
    ]);
  });

  it('GIVEN a German bank camt.053 (PRCD opening, DtTm booking date, pending entry, no AcctSvcrRef on one entry) WHEN parsed THEN booked rows only, counterparty payees, and they sum to closing − opening', () => {
    const s = parseStatement(Buffer.from(CAMT_053_SEPA));
    expect(s).toMatchObject({ format: 'camt.053', accountId: 'DE02120300000000202051', currency: 'EUR', openingBalance: 100000, closingBalance: 202660 });
    expect(s.rows.map((r) => [r.externalId, r.date, r.amountMinor, r.payee, r.memo])).toEqual([
      ['2026050300012345', '2026-05-03', -2340, 'LIDL DIENSTLEISTUNG GMBH', 'Einkauf Filiale 1234 03.05. 18:31'],
      [expect.stringMatching(/^h:/), '2026-05-04', 105000, 'Arbeitgeber AG', 'Gehalt Mai'],
    ]);
    expect(s.rows.reduce((a, r) => a + r.amountMinor, 0)).toBe(s.closingBalance! - s.openingBalance!);
  });

  it('GIVEN a Russian bank CSV in Windows-1251 with debit/credit columns, space thousands and two identical purchases WHEN parsed THEN Cyrillic payees read, amounts are signed, the twins keep distinct ids, the blank line is skipped', () => {
    const file = encodeStatement(SBER_LIKE_CSV, 'windows-1251');
    expect(file.includes(Buffer.from('Пятёрочка'))).toBe(false);
    const s = parseStatement(file, { csv: SBER_MAPPING, currency: 'RUB', fallbackEncoding: 'windows-1251' });
    expect(s.rows.map((r) => [r.date, r.amountMinor, r.currency, r.payee])).toEqual([
      ['2026-05-03', -123450, 'RUB', 'Пятёрочка 1234 Москва'],
      ['2026-05-03', -123450, 'RUB', 'Пятёрочка 1234 Москва'],
      ['2026-05-05', 1000000, 'RUB', 'Перевод от Иванова И.И.'],
    ]);
    expect(new Set(s.rows.map((r) => r.externalId)).size).toBe(3);
    // Re-reading the same file gives the same ids (re-import adds nothing).
    expect(parseStatement(file, { csv: SBER_MAPPING, currency: 'RUB', fallbackEncoding: 'windows-1251' }).rows).toEqual(s.rows);
  });

  it('GIVEN a US bank CSV in Windows-1252 with MM/DD/YYYY and thousands commas WHEN parsed THEN accents survive and amounts are exact', () => {
    const s = parseStatement(encodeStatement(US_CSV, 'windows-1252'), {
      csv: { date: 'Posting Date', payee: 'Description', amount: 3, balance: 'Balance', dateFormat: 'MM/DD/YYYY', decimalMark: '.', thousands: ',' },
      currency: 'USD',
    });
    expect(s.rows.map((r) => [r.date, r.amountMinor, r.payee])).toEqual([
      ['2026-05-03', -2340, 'CAFÉ ROMA, SEATTLE'],
      ['2026-05-04', 250000, 'ACME PAYROLL'],
    ]);
  });

  it('GIVEN a QIF from Quicken with apostrophe years and splits WHEN parsed THEN the total is kept and the US date layout is found on its own', () => {
    const qif = ['!Type:CCard', "D5/ 3'26", 'T-1,023.40', 'PLIDL', 'MWeekly shop', 'Lgroceries', 'SGroceries', '$-1,000.00', 'SHousehold', '$-23.40', '^', "D5/14'26", 'U12.00', 'T12.00', 'PRefund', '^'].join('\n');
    const s = parseStatement(Buffer.from(qif), { currency: 'USD' });
    expect(s.rows.map((r) => [r.date, r.amountMinor, r.payee, r.memo])).toEqual([
      ['2026-05-03', -102340, 'LIDL', 'Weekly shop'],
      ['2026-05-14', 1200, 'Refund', ''],
    ]);
  });

  it('GIVEN an OFX 1.x declaring CHARSET:1251 with Cyrillic payees in Windows-1251 THEN the payees read as written', () => {
    const ofx = OFX_SGML_CREDIT_CARD.replace('CHARSET:1252', 'CHARSET:1251').replace('LIDL #1234 SEATTLE', 'Пятёрочка Москва').replace('Café &amp; Bar', 'Кафе «Ромашка»');
    const s = parseStatement(encodeStatement(ofx, 'windows-1251'));
    expect(s.rows.map((r) => r.payee)).toEqual(['Пятёрочка Москва', 'ACME PAYROLL', 'Кафе «Ромашка»']);
  });

  it('GIVEN files by content, whatever their name WHEN detected THEN OFX, QFX 2.x, CAMT.052, CAMT.053, QIF and CSV are told apart', () => {
    expect(detectStatementFormat(OFX_SGML_CREDIT_CARD)).toBe('ofx');
    expect(detectStatementFormat('<?xml version="1.0"?>\n<?OFX OFXHEADER="200"?>\n<OFX></OFX>')).toBe('ofx');
    expect(detectStatementFormat(CAMT_053_SEPA)).toBe('camt.053');
    expect(detectStatementFormat('<?xml version="1.0"?><Document><BkToCstmrAcctRpt/></Document>')).toBe('camt.052');
    expect(detectStatementFormat('!Type:Bank\nD1/1/2026\n')).toBe('qif');
    expect(detectStatementFormat(SBER_LIKE_CSV)).toBe('csv');
  });
});

/** The DomainError a parse throws, for asserting its place and problem. */
function failure(run: () => unknown): DomainError {
  try {
    run();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected the statement to be rejected');
}

describe('malformed statements', () => {
  it('GIVEN an OFX with a bad amount on line 16 THEN the error names line 16, TRNAMT and the text', () => {
    const broken = OFX_SGML_CREDIT_CARD.replace('<TRNAMT>-23.40', '<TRNAMT>-23.4O');
    const e = failure(() => parseStatement(Buffer.from(broken)));
    expect(e.code).toBe('statement_invalid');
    expect(e.context).toMatchObject({ format: 'OFX', at: 'line', line: 16, problem: 'amount', value: '-23.4O', field: 'TRNAMT' });
  });

  it('GIVEN an OFX whose aggregate closes a tag never opened THEN the error names that line', () => {
    const broken = OFX_SGML_CREDIT_CARD.replace('</BANKTRANLIST>', '</BANKTRANLST>');
    expect(failure(() => parseStatement(Buffer.from(broken))).context).toMatchObject({ at: 'line', line: 22, problem: 'syntax', value: '</BANKTRANLST>' });
  });

  it('GIVEN an OFX transaction without DTPOSTED THEN the error says DTPOSTED is missing at the transaction', () => {
    const broken = OFX_SGML_CREDIT_CARD.replace('<DTPOSTED>20260504<TRNAMT>1,250.00', '<TRNAMT>1,250.00');
    expect(failure(() => parseStatement(Buffer.from(broken))).context).toMatchObject({ line: 18, problem: 'missing', field: 'DTPOSTED' });
  });

  it('GIVEN a CAMT entry dated 31 February THEN the error names the entry element', () => {
    const broken = CAMT_053_SEPA.replace('<BookgDt><Dt>2026-05-03</Dt>', '<BookgDt><Dt>2026-02-31</Dt>');
    expect(failure(() => parseStatement(Buffer.from(broken))).context).toMatchObject({ format: 'CAMT.053', at: 'element', element: 'Stmt[1]/Ntry[1]/BookgDt', problem: 'date', value: '2026-02-31' });
  });

  it('GIVEN a CAMT entry without a credit/debit indicator THEN the error names it', () => {
    const broken = CAMT_053_SEPA.replace('<CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK', '<Sts>BOOK');
    expect(failure(() => parseStatement(Buffer.from(broken))).context).toMatchObject({ element: 'Stmt[1]/Ntry[1]/CdtDbtInd', problem: 'missing' });
  });

  it('GIVEN XML cut off mid-file THEN the error names the line the parser stopped at', () => {
    const cut = CAMT_053_SEPA.slice(0, CAMT_053_SEPA.indexOf('</Stmt>'));
    const e = failure(() => parseStatement(Buffer.from(cut)));
    expect(e.context).toMatchObject({ at: 'line', line: cut.trimEnd().split('\n').length, problem: 'syntax', value: 'ends inside <Stmt>' });
  });

  it('GIVEN CAMT XML whose closing tag does not match THEN the error names its line and both tags', () => {
    const broken = CAMT_053_SEPA.replace('<Nm>Arbeitgeber AG</Nm>', '<Nm>Arbeitgeber AG</Name>');
    expect(failure(() => parseStatement(Buffer.from(broken))).context).toMatchObject({ format: 'CAMT.053', at: 'line', line: 23, problem: 'syntax', value: '</Name> closes <Nm>' });
  });

  it('GIVEN a CSV row with a date in the wrong layout on line 3 THEN the error names line 3, the value and the layout expected', () => {
    const broken = SBER_LIKE_CSV.replace('03.05.2026;04.05.2026;Пятёрочка 1234 Москва;1 234,50;;47', '2026-05-03;04.05.2026;Пятёрочка 1234 Москва;1 234,50;;47');
    expect(failure(() => parseStatement(Buffer.from(broken), { csv: SBER_MAPPING, currency: 'RUB' })).context).toMatchObject({ at: 'line', line: 3, problem: 'date', value: '2026-05-03', expected: 'DD.MM.YYYY' });
  });

  it('GIVEN a CSV with an amount grouped wrongly and a mapping naming a missing column THEN each error says so', () => {
    const broken = SBER_LIKE_CSV.replace('10 000,00', '10 00,00');
    expect(failure(() => parseStatement(Buffer.from(broken), { csv: SBER_MAPPING, currency: 'RUB' })).context).toMatchObject({ line: 4, problem: 'amount', value: '10 00,00' });
    expect(failure(() => parseStatement(Buffer.from(SBER_LIKE_CSV), { csv: { ...SBER_MAPPING, payee: 'Получатель' }, currency: 'RUB' })).context).toMatchObject({ line: 1, problem: 'column', value: 'Получатель' });
  });

  it('GIVEN a QIF with an impossible date on line 2 and an empty file THEN each is rejected with its place', () => {
    expect(failure(() => parseStatement(Buffer.from('!Type:Bank\nD13/45/2026\nT-1.00\n^\n'), { currency: 'EUR' })).context).toMatchObject({ format: 'QIF', line: 2, problem: 'date' });
    expect(failure(() => parseStatement(Buffer.alloc(0))).context).toMatchObject({ at: 'file', problem: 'empty' });
    expect(failure(() => parseStatement(Buffer.from('<?xml version="1.0"?><html><body/></html>'))).context).toMatchObject({ problem: 'unknown_format' });
  });
});
