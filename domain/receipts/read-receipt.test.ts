import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readReceipt, SURE } from './read-receipt.js';
import { amountsOnLine } from './amounts.js';
import { findReceiptDate } from './dates.js';

// OCR text as tesseract.js (English model) returned it for receipts rendered by the tests.
const ENGLISH = `SUPERMART LTD

12 High Street
05/12/2026 14:32
Milk 1.29
Bread 2.45
Cheese 4.99
SUBTOTAL 8.73
TOTAL 8.73
VISA 8.73
`;

// A Russian receipt read with the English model: Cyrillic comes out as Latin look-alikes.
const RUSSIAN_AS_READ = `000 "MATEPOYKA"
KACCOBbIVI YEK
05.12.2026 14:32
Monoko 89,90
Xneb 45,00

Cobip 349,99
nToro 484,89

K OMNATE 484,89 #
HAIN4YHBIMK 500,00
COAYA 15,11
`;

describe('readReceipt', () => {
  it('reads the total, date and shop of an English receipt', () => {
    const r = readReceipt(ENGLISH, 'EUR');
    expect(r.total).toBe(873);
    expect(r.confidence).toBeGreaterThanOrEqual(0.9);
    expect(r.date).toBe('2026-12-05');
    expect(r.merchant).toBe('SUPERMART LTD');
  });

  it('reads ИТОГО / К ОПЛАТЕ as the English model prints them, not the cash handed over', () => {
    const r = readReceipt(RUSSIAN_AS_READ, 'RUB');
    expect(r.total).toBe(48489);
    expect(r.date).toBe('2026-12-05');
  });

  it('reads Cyrillic keywords, thousands with spaces and a decimal comma', () => {
    const r = readReceipt('ООО Ромашка\n12.03.2026\nХлеб 45,00\nСыр 1 189,50\nИТОГО 1 234,50\nНАЛИЧНЫМИ 1 300,00\nСДАЧА 65,50', 'RUB');
    expect(r.total).toBe(123450);
    expect(r.merchant).toBe('ООО Ромашка');
    expect(r.date).toBe('2026-03-12');
  });

  it.each([
    ['AMCUNT DUE Bi 24.73\nCASH 50,00.', 'USD', 2473],
    ['K OIIJIATE 495,00', 'RUB', 49500],
    ['Toro 180,50\nHATUYHbIMI 500,00\nCOAYA 319,50', 'RUB', 18050],
    ['wroro. "36 489,00\nBEIHATIMYHbIMIA 36 489,00', 'RUB', 3648900],
  ])('reads keywords as OCR garbles them: %j', (text, currency, total) => {
    expect(readReceipt(`SHOP\nItem 1.00\n${text}`, currency as string).total).toBe(total);
  });

  it('reads SUMME with € and a keyword alone on its line', () => {
    expect(readReceipt('BÄCKEREI MÜLLER\nBrezel 0,90\nKaffee 2,80\nSUMME EUR\n3,70\nGegeben 5,00\nRückgeld 1,30', 'EUR').total).toBe(370);
    // OCR reads ü as ii: change is still change.
    expect(readReceipt('BAECKEREI\nKuchen 3,50\nSUMME EUR 7,20\nGegeben 500,00\nRiickgeld 492,80', 'EUR').total).toBe(720);
    expect(readReceipt('CAFE\nLatte €3.50\nMuffin €2.25\nTotal: €5.75', 'EUR').currency).toBe('EUR');
  });

  it('prefers the amount due over the total before a discount', () => {
    const r = readReceipt('SHOP\nShoes 60.00\nTOTAL 60.00\nDISCOUNT 10.00\nAMOUNT DUE 50.00\nCARD 50.00', 'USD');
    expect(r.total).toBe(5000);
  });

  it('asks rather than guesses when no line says total', () => {
    const r = readReceipt('CORNER SHOP\nApples 2.10\nPears 3.40\nThank you', 'EUR');
    expect(r.total).toBeUndefined();
    expect(r.guess).toBe(340);
    expect(r.confidence).toBeLessThan(SURE);
  });

  it('is not sure of a total smaller than an amount printed below it', () => {
    const r = readReceipt('SHOP\nA 1.00\nTOTAL 1.00\nB 250.00\nC 7.00', 'EUR');
    expect(r.total).toBeUndefined();
  });

  it('says nothing for text without amounts', () => {
    expect(readReceipt('', 'EUR')).toEqual({ confidence: 0 });
    expect(readReceipt('a cat photo\nno numbers here', 'EUR').total).toBeUndefined();
  });

  it('reads totals in a currency without minor units', () => {
    expect(readReceipt('RAMEN YA\nRamen 980\nGyoza 450\nTOTAL ¥1,430', 'JPY').total).toBe(1430);
  });
});

describe('amountsOnLine', () => {
  it('reads prices and leaves dates, times and quantities alone', () => {
    expect(amountsOnLine('05.12.2026 14:32', 'EUR')).toEqual([]);
    expect(amountsOnLine('2 x Milk 1.29', 'EUR').map((a) => a.minor)).toEqual([129]);
    expect(amountsOnLine('TOTAL 1,234.50', 'USD').map((a) => a.minor)).toEqual([123450]);
    expect(amountsOnLine('SUMME 1.234,50', 'EUR').map((a) => a.minor)).toEqual([123450]);
    expect(amountsOnLine('TOTAL 1O.5O', 'EUR').map((a) => a.minor)).toEqual([1050]);
  });
});

describe('findReceiptDate', () => {
  it.each([
    ['2026-12-05 10:00', '2026-12-05'],
    ['05.12.2026', '2026-12-05'],
    ['05/12/26 14:00', '2026-12-05'],
    ['12/31/2026', '2026-12-31'],
    ['5 Dec 2026', '2026-12-05'],
    ['Dec 5, 2026', '2026-12-05'],
    ['05 дек 2026', '2026-12-05'],
    ['31.02.2026', undefined],
    ['14.09.2626 (a misread year)', undefined],
    ['no date', undefined],
  ])('%s → %s', (text, iso) => expect(findReceiptDate(text)).toBe(iso));
});

describe('readReceipt on generated receipts', () => {
  const item = fc.record({
    name: fc.constantFrom('Milk', 'Bread', 'Eggs', 'Coffee', 'Apples', 'Tea', 'Rice'),
    cents: fc.integer({ min: 1, max: 99_999 }),
  });
  const fmt = (c: number, comma: boolean) => {
    const s = `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
    return comma ? s.replace('.', ',') : s;
  };

  it('finds the printed total whatever the items, keyword and decimal mark', () => {
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('TOTAL', 'Total', 'ИТОГО', 'SUMME', 'К ОПЛАТЕ', 'Grand Total'),
        fc.boolean(),
        fc.boolean(),
        (items, keyword, comma, card) => {
          const sum = items.reduce((s, i) => s + i.cents, 0);
          const text = ['SHOP', ...items.map((i) => `${i.name} ${fmt(i.cents, comma)}`), `${keyword} ${fmt(sum, comma)}`, card ? `VISA ${fmt(sum, comma)}` : ''].join('\n');
          expect(readReceipt(text, 'EUR').total).toBe(sum);
        },
      ),
    );
  });

  it('never proposes a total on a slip with no total line', () => {
    fc.assert(
      fc.property(fc.array(item, { minLength: 0, maxLength: 12 }), (items) => {
        const text = ['SHOP', ...items.map((i) => `${i.name} ${fmt(i.cents, false)}`)].join('\n');
        expect(readReceipt(text, 'EUR').total).toBeUndefined();
      }),
    );
  });
});
