import { describe, expect, it } from 'vitest';
import { eventsToCsv, readDate, readImportCsv } from './csv.js';
import type { LedgerEvent } from '../types.js';

const ev = (over: Partial<LedgerEvent>): LedgerEvent => ({
  id: 1,
  bookId: 1,
  seq: 1,
  kind: 'expense',
  accountId: 1,
  accountName: 'Main',
  amountMinor: 450,
  currency: 'EUR',
  toAccountId: null,
  toAccountName: null,
  toAmountMinor: null,
  toCurrency: null,
  labels: [],
  note: '',
  authorId: 1,
  authorName: 'Ann',
  occurredAt: new Date('2026-11-24T17:30:05Z'),
  createdAt: new Date('2026-11-24T17:30:05Z'),
  deletedAt: null,
  templateId: null,
  ...over,
});

const NOTES = ['say "hi"', 'a, b, c', 'line one\nline two', 'borscht 🍲 für Jürgen — ок', '=HYPERLINK("x")', "'=already", "'90s"];

describe('eventsToCsv', () => {
  it('GIVEN notes with quotes, commas, line breaks and unicode THEN RFC 4180 quoting, CRLF rows and a BOM', () => {
    const csv = eventsToCsv(
      NOTES.slice(0, 4).map((note, i) => ev({ seq: i + 1, note, labels: ['food', 'fun'] })),
      'Europe/Berlin',
    );
    expect(csv.startsWith('\ufeffid,date,type,amount,currency,account,labels,note,author\r\n')).toBe(true);
    expect(csv).toContain('1,2026-11-24 18:30:05,expense,4.50,EUR,Main,food fun,"say ""hi""",Ann\r\n');
    expect(csv).toContain(',"a, b, c",');
    expect(csv).toContain(',"line one\nline two",');
    expect(csv).toContain(',borscht 🍲 für Jürgen — ок,');
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('GIVEN a note a spreadsheet would run as a formula THEN it is written with a leading apostrophe', () => {
    const csv = eventsToCsv([ev({ note: '=HYPERLINK("x")', authorName: '@bob' })], 'UTC');
    expect(csv).toContain(`,"'=HYPERLINK(""x"")",'@bob`);
  });

  it('GIVEN transfers THEN both sides appear as from → to, with both amounts when currencies differ', () => {
    const csv = eventsToCsv(
      [
        ev({ seq: 2, kind: 'transfer', amountMinor: 10000, currency: 'USD', accountName: 'Dollars', toAccountName: 'Main', toAmountMinor: 9200, toCurrency: 'EUR' }),
        ev({ seq: 3, kind: 'transfer', amountMinor: 5000, toAccountName: 'Card', toAmountMinor: 5000, toCurrency: 'EUR' }),
        ev({ seq: 4, amountMinor: 1500, currency: 'JPY' }),
      ],
      'UTC',
    );
    expect(csv).toContain('2,2026-11-24 17:30:05,transfer,100.00 → 92.00,USD → EUR,Dollars → Main,,,Ann');
    expect(csv).toContain('3,2026-11-24 17:30:05,transfer,50.00,EUR,Main → Card,,,Ann');
    expect(csv).toContain(',expense,1500,JPY,');
  });
});

describe('readImportCsv', () => {
  const none = new Map<string, { name: string; currency: string }>();

  it('GIVEN an export THEN reading it back gives the same events, notes exactly as written', () => {
    const events = [
      ...NOTES.map((note, i) => ev({ seq: i + 1, note, labels: i % 2 ? ['food'] : [] })),
      ev({ seq: 20, kind: 'transfer', amountMinor: 10000, currency: 'USD', accountName: 'Dollars', toAccountName: 'Main', toAmountMinor: 9200, toCurrency: 'EUR' }),
      ev({ seq: 21, kind: 'income', amountMinor: 123456, currency: 'BHD', accountName: "Ann's BHD" }),
    ];
    const read = readImportCsv(eventsToCsv(events, 'Asia/Kolkata'), 'Asia/Kolkata', none);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.rows.map((r) => r.note)).toEqual(events.map((e) => e.note));
    expect(read.rows.map((r) => r.occurredAt.toISOString())).toEqual(events.map((e) => e.occurredAt.toISOString()));
    expect(read.rows[7]).toMatchObject({ kind: 'transfer', account: 'Dollars', currency: 'USD', amountMinor: 10000, toAccount: 'Main', toCurrency: 'EUR', toAmountMinor: 9200 });
    expect(read.rows[8]).toMatchObject({ kind: 'income', account: "Ann's BHD", currency: 'BHD', amountMinor: 123456 });
    expect(read.rows[1]!.labels).toEqual(['food']);
  });

  it('GIVEN the same file twice THEN the same keys; identical lines THEN different keys', () => {
    const csv = 'date,type,amount,currency,account,labels,note\r\n2026-11-01,expense,4.50,EUR,Main,coffee,\r\n2026-11-01,expense,4.50,EUR,Main,coffee,\r\n';
    const a = readImportCsv(csv, 'UTC', none);
    const b = readImportCsv(csv, 'UTC', none);
    if (!a.ok || !b.ok) throw new Error('should read');
    expect(a.rows.map((r) => r.sourceKey)).toEqual(b.rows.map((r) => r.sourceKey));
    expect(new Set(a.rows.map((r) => r.sourceKey)).size).toBe(2);
  });

  it('GIVEN bad rows THEN every one is reported with its spreadsheet row number and no row is returned', () => {
    const csv = [
      'id,date,type,amount,currency,account,labels,note,author',
      '1,2026-11-01,expense,4.50,EUR,Main,food,"multi\nline",Ann', // row 2 (two physical lines)
      '2,2026-13-01,expense,4.50,EUR,Main,,,Ann', // row 3: date
      '3,2026-11-01,spend,4.50,EUR,Main,,,Ann', // row 4: type
      '4,2026-11-01,expense,4.555,EUR,Main,,,Ann', // row 5: amount precision
      '5,2026-11-01,expense,-3,EUR,Main,,,Ann', // row 6: negative
      '6,2026-11-01,expense,3,XXX,Main,,,Ann', // row 7: currency
      '7,2026-11-01,expense,3,USD,Main,,,Ann', // row 8: Main is EUR (row 2)
      '8,2026-11-01,expense,3,EUR,Main,bad$label,,Ann', // row 9: label
      '9,2026-11-01,expense,3,EUR,Main', // row 10: columns
      '10,2026-11-01,transfer,3,EUR,Main,,,Ann', // row 11: transfer needs two accounts
      '11,2026-11-01,transfer,3,EUR → USD,Main → Dollars,,,Ann', // row 12: two currencies need two amounts
      '12,2026-11-01 09:15,income,3,EUR,Main,,,Ann', // fine
    ].join('\r\n');
    const read = readImportCsv(csv, 'UTC', none);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problems.map((p) => [p.row, p.field])).toEqual([
      [3, 'date'],
      [4, 'type'],
      [5, 'amount'],
      [6, 'amount'],
      [7, 'currency'],
      [8, 'currency'],
      [9, 'labels'],
      [10, 'columns'],
      [11, 'account'],
      [12, 'amount'],
    ]);
  });

  it('GIVEN an existing account THEN its currency is checked and its spelling kept', () => {
    const known = new Map([['card', { name: 'Card', currency: 'USD' }]]);
    const bad = readImportCsv('date,type,amount,currency,account,labels,note\n2026-11-01,expense,1,EUR,card,,\n', 'UTC', known);
    expect(bad.ok).toBe(false);
    const good = readImportCsv('date,type,amount,currency,account,labels,note\n2026-11-01,expense,1,USD,card,,\n', 'UTC', known);
    expect(good.ok && good.rows[0]!.account).toBe('Card');
  });

  it('GIVEN a file without the columns or with an open quote THEN the header or the line is named', () => {
    const header = readImportCsv('when,what\n1,2\n', 'UTC', none);
    expect(!header.ok && header.problems[0]).toMatchObject({ row: 1, field: 'header' });
    const quote = readImportCsv('date,type,amount,currency,account,labels,note\n2026-11-01,expense,1,EUR,Main,,"open\n', 'UTC', none);
    expect(!quote.ok && quote.problems[0]).toMatchObject({ field: 'syntax' });
  });
});

describe('readDate', () => {
  it('GIVEN local times THEN they are read in the book timezone; offsets win; plain dates are noon', () => {
    expect(readDate('2026-11-24 18:30:05', 'Europe/Berlin')?.toISOString()).toBe('2026-11-24T17:30:05.000Z');
    expect(readDate('2026-11-24 18:30', 'Europe/Berlin')?.toISOString()).toBe('2026-11-24T17:30:00.000Z');
    expect(readDate('2026-11-24', 'Europe/Berlin')?.toISOString()).toBe('2026-11-24T11:00:00.000Z');
    expect(readDate('24.11.2026 18:30', 'UTC')?.toISOString()).toBe('2026-11-24T18:30:00.000Z');
    expect(readDate('2026-11-24T18:30:00+05:30', 'Europe/Berlin')?.toISOString()).toBe('2026-11-24T13:00:00.000Z');
    expect(readDate('2026-11-24T18:30:00Z', 'Europe/Berlin')?.toISOString()).toBe('2026-11-24T18:30:00.000Z');
    expect(readDate('2026-02-30', 'UTC')).toBeUndefined();
    expect(readDate('yesterday', 'UTC')).toBeUndefined();
  });
});
