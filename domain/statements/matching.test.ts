import { describe, expect, it } from 'vitest';
import { classifyRows, similarity, type BookRecord } from './matching.js';
import type { StatementRow } from './types.js';

const row = (externalId: string, date: string, amountMinor: number, payee = '', memo = ''): StatementRow => ({ externalId, date, amountMinor, currency: 'EUR', payee, memo });
const rec = (seq: number, date: string, amountMinor: number, extra: Partial<BookRecord> = {}): BookRecord => ({ seq, accountId: 1, amountMinor, currency: 'EUR', date, labels: [], note: '', ...extra });

describe('matching statement rows to the book', () => {
  it('GIVEN rows already imported, a typed Lidl record a day earlier and fresh rows THEN each is classified and the twin names the record', () => {
    const rows = [row('A1', '2026-05-03', -2340, 'LIDL DIENSTLEISTUNG', 'Einkauf'), row('A2', '2026-05-04', 105000, 'Arbeitgeber AG'), row('A3', '2026-05-05', -999, 'Kiosk'), row('A2', '2026-05-04', 105000, 'Arbeitgeber AG')];
    const records = [rec(118, '2026-05-02', -2340, { labels: ['groceries'], note: 'lidl' }), rec(90, '2026-05-04', 105000, { externalId: 'A2' })];
    const c = classifyRows(rows, records, { accountId: 1 });
    expect(c.rows.map((m) => m.kind)).toEqual(['twin', 'imported', 'new', 'imported']);
    expect(c).toMatchObject({ newCount: 1, importedCount: 2 });
    expect(c.twins).toHaveLength(1);
    expect(c.twins[0]).toMatchObject({ record: { seq: 118 }, days: 1, similarity: 0.5 });
    expect(c.rows[1]).toMatchObject({ kind: 'imported', seq: 90 });
  });

  it('GIVEN a typed record 4 days away, in another account, in another currency or another amount THEN no twin', () => {
    const rows = [row('B1', '2026-05-10', -2340, 'LIDL')];
    for (const r of [rec(1, '2026-05-06', -2340), rec(2, '2026-05-10', -2340, { accountId: 2 }), rec(3, '2026-05-10', -2340, { currency: 'USD' }), rec(4, '2026-05-10', 2340), rec(5, '2026-05-10', -2341)]) {
      expect(classifyRows(rows, [r], { accountId: 1 }).rows[0]!.kind).toBe('new');
    }
    expect(classifyRows(rows, [rec(6, '2026-05-13', -2340)], { accountId: 1 }).rows[0]!.kind).toBe('twin');
  });

  it('GIVEN two equal rows and two equal typed records THEN each record twins one row only, the more alike pair first', () => {
    const rows = [row('C1', '2026-05-03', -500, 'Coffee House'), row('C2', '2026-05-03', -500, 'Bakery Müller')];
    const records = [rec(10, '2026-05-03', -500, { note: 'bakery' }), rec(11, '2026-05-03', -500, { labels: ['coffee'] })];
    const c = classifyRows(rows, records, { accountId: 1 });
    expect(c.twins.map((t) => [t.row.externalId, t.record.seq])).toEqual([
      ['C1', 11],
      ['C2', 10],
    ]);
    const one = classifyRows(rows, [records[0]!], { accountId: 1 });
    expect(one.rows.map((m) => m.kind)).toEqual(['new', 'twin']);
  });

  it('GIVEN payee and label words THEN similarity reads prefixes and ignores short words and numbers', () => {
    expect(similarity({ payee: 'LIDL 1234 SEATTLE', memo: '' }, { labels: ['lidl'], note: '' })).toBe(1);
    expect(similarity({ payee: 'Grocery outlet', memo: '' }, { labels: ['groceries'], note: '' })).toBe(1);
    expect(similarity({ payee: 'Пятёрочка', memo: '' }, { labels: ['продукты'], note: 'пятёрочка у дома' })).toBe(1);
    expect(similarity({ payee: 'ACME', memo: '' }, { labels: ['rent'], note: '' })).toBe(0);
  });
});
