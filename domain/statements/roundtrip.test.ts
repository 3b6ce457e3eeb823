import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EUROPEAN_MAPPING, SIGNED_MAPPING, writeCamt, writeCsv, writeOfx, writeQif } from '../../test/statements/writers.js';
import { encodeStatement } from './decode.js';
import { parseStatement } from './parse.js';
import type { Statement, StatementRow } from './types.js';

const WORDS = ['Lidl', 'Пятёрочка', 'A&B', '"Quoted"', 'semi;colon', 'comma,here', 'x<y>z', 'Rent', 'ООО «Ромашка»', "O'Neil", 'Salary'];
const text = fc.array(fc.constantFrom(...WORDS), { maxLength: 3 }).map((w) => w.join(' '));
const day = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

/** Statements of one currency with unique ids, non-zero amounts and, half the time, balances. */
const statement = fc
  .record({
    currency: fc.constantFrom('EUR', 'JPY', 'BHD', 'RUB'),
    rows: fc.array(fc.record({ date: day, amount: fc.integer({ min: -5_000_000_000, max: 5_000_000_000 }).filter((n) => n !== 0), payee: text, memo: text }), { minLength: 1, maxLength: 25 }),
    opening: fc.option(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), { nil: undefined }),
  })
  .map(({ currency, rows, opening }): Statement => {
    const out: StatementRow[] = rows.map((r, i) => ({ externalId: `TX${i}-${r.date}`, date: r.date, amountMinor: r.amount, currency, payee: r.payee, memo: r.memo }));
    const total = out.reduce((s, r) => s + r.amountMinor, 0);
    return { format: 'ofx', accountId: 'DE89370400440532013000', currency, rows: out, ...(opening !== undefined ? { openingBalance: opening, closingBalance: opening + total } : {}) };
  });

const bytes = (s: string) => Buffer.from(s, 'utf8');
const sum = (rows: StatementRow[]) => rows.reduce((s, r) => s + r.amountMinor, 0);
const withoutIds = (rows: StatementRow[]) => rows.map(({ externalId: _id, ...r }) => r);

describe('statement round trips (property)', () => {
  it('GIVEN random rows written as OFX 1.x SGML and OFX 2.x XML WHEN parsed THEN the same rows, account and closing balance come back', () => {
    fc.assert(
      fc.property(statement, fc.constantFrom(1 as const, 2 as const), (s, version) => {
        const parsed = parseStatement(bytes(writeOfx(s, version)));
        expect(parsed.format).toBe('ofx');
        expect(parsed.accountId).toBe(s.accountId);
        expect(parsed.rows).toEqual(s.rows);
        expect(parsed.closingBalance).toBe(s.closingBalance);
      }),
      { numRuns: 60 },
    );
  });

  it('GIVEN random rows written as CAMT.053 and CAMT.052 WHEN parsed THEN the same rows come back and they sum to closing − opening', () => {
    fc.assert(
      fc.property(statement, fc.constantFrom('053' as const, '052' as const), (s, kind) => {
        const parsed = parseStatement(bytes(writeCamt(s, kind)));
        expect(parsed.format).toBe(`camt.${kind}`);
        expect(parsed.rows).toEqual(s.rows);
        expect(parsed.accountId).toBe(s.accountId);
        if (parsed.openingBalance !== undefined && parsed.closingBalance !== undefined) {
          expect(sum(parsed.rows)).toBe(parsed.closingBalance - parsed.openingBalance);
        } else expect(s.openingBalance).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

  it('GIVEN random rows written as QIF (both year styles) WHEN parsed THEN the same rows come back with distinct stable hashed ids', () => {
    fc.assert(
      fc.property(statement, fc.boolean(), (s, apostrophe) => {
        const file = bytes(writeQif(s, { apostropheYears: apostrophe }));
        const parsed = parseStatement(file, { currency: s.currency!, qifDateFormat: apostrophe ? 'M/D/YY' : 'MM/DD/YYYY' });
        expect(withoutIds(parsed.rows)).toEqual(withoutIds(s.rows));
        expect(new Set(parsed.rows.map((r) => r.externalId)).size).toBe(s.rows.length);
        expect(parseStatement(file, { currency: s.currency!, qifDateFormat: apostrophe ? 'M/D/YY' : 'MM/DD/YYYY' }).rows).toEqual(parsed.rows);
      }),
      { numRuns: 60 },
    );
  });

  it('GIVEN random rows written as a signed CSV (UTF-8 with BOM) and a European debit/credit CSV (Windows-1251) WHEN parsed with their mappings THEN the same rows come back', () => {
    fc.assert(
      fc.property(statement, (s) => {
        const signed = parseStatement(encodeStatement(writeCsv(s, 'signed'), 'utf-8', true), { csv: SIGNED_MAPPING });
        expect(signed.rows).toEqual(s.rows);
        const european = parseStatement(encodeStatement(writeCsv(s, 'european'), 'windows-1251'), { csv: EUROPEAN_MAPPING, fallbackEncoding: 'windows-1251' });
        expect(european.rows).toEqual(s.rows);
      }),
      { numRuns: 60 },
    );
  });
});
