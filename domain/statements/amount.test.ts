import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, minorToDecimal } from '../money/money.js';
import { decimalToMinor } from './amount.js';

describe('statement amounts', () => {
  it.each([
    ['-23.40', 'EUR', undefined, -2340],
    ['1,234.56', 'USD', undefined, 123456],
    ['1.234,56', 'EUR', undefined, 123456],
    ['1,234', 'USD', undefined, 123400],
    ['1.234', 'BHD', undefined, 1234],
    ['12,5', 'EUR', undefined, 1250],
    ['(12.00)', 'USD', undefined, -1200],
    ['12.00-', 'USD', undefined, -1200],
    ['+5', 'JPY', undefined, 5],
    ['1 234 567,80', 'RUB', { decimalMark: ',' as const, thousands: ' ' }, 123456780],
    ["1'234.50", 'CHF', { decimalMark: '.' as const, thousands: "'" }, 123450],
    ['10.000', 'EUR', { decimalMark: ',' as const, thousands: '.' }, 1000000],
    ['0.10', 'JPY', undefined, undefined],
    ['12.345', 'EUR', { decimalMark: '.' as const }, undefined],
    ['12.340', 'EUR', { decimalMark: '.' as const }, 1234],
    ['1,23,456.00', 'USD', undefined, undefined],
    ['12e3', 'USD', undefined, undefined],
    ['', 'USD', undefined, undefined],
    ['1000000000001', 'USD', undefined, undefined],
  ])('GIVEN %s in %s THEN %s minor units', (text, ccy, style, expected) => {
    expect(decimalToMinor(text, ccy, style)).toBe(expected);
  });

  it('GIVEN any minor amount written with a dot, or the Russian way with a comma and spaces, THEN it reads back exactly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 }), fc.constantFrom('EUR', 'JPY', 'BHD'), (minor, ccy) => {
        expect(decimalToMinor(minorToDecimal(minor, ccy), ccy, { decimalMark: '.' })).toBe(minor);
        const ru = formatMoney(minor, ccy, { code: false, lang: 'ru' });
        expect(decimalToMinor(ru, ccy, { decimalMark: ',', thousands: ' ' })).toBe(minor);
      }),
    );
  });
});
