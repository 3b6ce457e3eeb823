import { describe, expect, it } from 'vitest';
import { csvLayoutKey, guessCsvMapping, mappingWords, parseCsvMappingArgs } from './csv-mapping.js';
import { parseCsvStatement } from './csv.js';

describe('bank CSV mapping: guessed, given, shown', () => {
  it('GIVEN a German bank export THEN the columns, DD.MM.YYYY, decimal comma and dot thousands are guessed, and it reads', () => {
    const csv = 'Buchungstag;Empfänger;Verwendungszweck;Betrag;Währung\n01.03.2026;REWE;Einkauf;-1.234,56;EUR\n02.03.2026;Arbeitgeber;Gehalt;2.500,00;EUR\n';
    const m = guessCsvMapping(csv)!;
    expect(m).toEqual({ date: 'Buchungstag', amount: 'Betrag', payee: 'Empfänger', memo: 'Verwendungszweck', currency: 'Währung', dateFormat: 'DD.MM.YYYY', decimalMark: ',', thousands: '.', delimiter: ';' });
    expect(parseCsvStatement(csv, m).rows.map((r) => r.amountMinor)).toEqual([-123456, 250000]);
  });

  it('GIVEN a US export with debit and credit columns THEN MM/DD/YYYY is chosen because 03/25 cannot be day/month', () => {
    const csv = 'Date,Description,Debit,Credit,Balance\n03/25/2026,COFFEE,4.50,,95.50\n03/02/2026,PAYROLL,,"1,000.00",1095.50\n';
    const m = guessCsvMapping(csv)!;
    expect(m).toMatchObject({ date: 'Date', payee: 'Description', debit: 'Debit', credit: 'Credit', balance: 'Balance', dateFormat: 'MM/DD/YYYY', decimalMark: '.', thousands: ',' });
    expect(parseCsvStatement(csv, m, { currency: 'USD' }).rows.map((r) => [r.date, r.amountMinor])).toEqual([
      ['2026-03-25', -450],
      ['2026-03-02', 100000],
    ]);
  });

  it('GIVEN a header with no known words THEN nothing is guessed', () => {
    expect(guessCsvMapping('a|b|c\n1|2|3\n')).toBeUndefined();
  });

  it('GIVEN /import map words THEN positions, quoted header names and settings are read on top of the guess; unknown words are a usage error', () => {
    const base = guessCsvMapping('Date,Amount,Payee\n2026-01-02,1.00,X\n')!;
    expect(parseCsvMappingArgs('payee="Name of payee" memo=4 decimal=, thousands=\' \' format=dd.mm.yyyy', base)).toMatchObject({
      date: 'Date',
      amount: 'Amount',
      payee: 'Name of payee',
      memo: 4,
      decimalMark: ',',
      thousands: ' ',
      dateFormat: 'DD.MM.YYYY',
    });
    expect(parseCsvMappingArgs('debit=3 credit=4', base)).not.toHaveProperty('amount');
    for (const bad of ['colour=3', 'date=1 amount=2 decimal=;', 'date=1', 'date=1 amount=2 format=banana', 'date=1 amount=2 stray']) {
      expect(() => parseCsvMappingArgs(bad), bad).toThrow(expect.objectContaining({ code: 'usage' }));
    }
    const m = parseCsvMappingArgs('date=1 amount=3 payee="Zahlungs empfänger" thousands=\' \' header=no');
    expect(parseCsvMappingArgs(mappingWords(m))).toEqual(m);
  });

  it('GIVEN two exports of one bank THEN they share a layout key; another header gets another', () => {
    expect(csvLayoutKey('Date,Amount\n2026-01-01,1\n')).toBe(csvLayoutKey('date , amount\r\n2027-05-05,9\n'));
    expect(csvLayoutKey('Date,Amount\n')).not.toBe(csvLayoutKey('Date,Amount,Payee\n'));
  });
});
