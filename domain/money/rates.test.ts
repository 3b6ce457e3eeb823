import { describe, expect, it } from 'vitest';
import { Converter, convertMinor, divRound, parseRate, rateText } from './rates.js';
import type { Rate } from '../statistics/ports.js';

const rate = (currency: string, perMinor: number, bookMinor: number): Rate => ({ currency, perMinor, bookMinor, source: 'rate', at: new Date(0) });

describe('convertMinor', () => {
  it('GIVEN 100.00 USD = 92.00 EUR THEN 12.34 USD is 11.35 EUR (11.3528 rounded)', () => {
    expect(convertMinor(1234, rate('USD', 10000, 9200))).toBe(1135);
  });

  it('GIVEN an exact half THEN it rounds away from zero, for refunds too', () => {
    expect(convertMinor(1, rate('USD', 2, 1))).toBe(1); // 0.5 → 1
    expect(convertMinor(3, rate('USD', 2, 1))).toBe(2); // 1.5 → 2
    expect(convertMinor(-1, rate('USD', 2, 1))).toBe(-1);
    expect(divRound(-5n, 2n)).toBe(-3n);
  });

  it('GIVEN a sum whose product overflows doubles THEN BigInt keeps every digit', () => {
    // 9e14 minor × 9999 exceeds 2^53; the result must still be exact.
    expect(convertMinor(900_000_000_000_000, rate('JPY', 10000, 9999))).toBe(899_910_000_000_000);
  });
});

describe('parseRate', () => {
  it('GIVEN /rate USD 0.92 in a EUR book THEN 1 USD (100 cents) = 92 cents, reduced', () => {
    expect(parseRate('USD 0.92', 'EUR')).toEqual({ currency: 'USD', perMinor: 25, bookMinor: 23 });
  });

  it('GIVEN a zero-digit currency and a comma decimal THEN the ratio is in minor units of each side', () => {
    const r = parseRate('jpy 0,0061', 'EUR');
    expect(convertMinor(1000, { ...r })).toBe(610); // 1000 JPY = 6.10 EUR
    expect(rateText({ ...r, currency: 'JPY' }, 'EUR')).toBe('0.0061');
  });

  it('GIVEN nonsense THEN usage, unknown currency, invalid or zero amount', () => {
    expect(() => parseRate('USD', 'EUR')).toThrow('usage');
    expect(() => parseRate('EUR 1', 'EUR')).toThrow('usage');
    expect(() => parseRate('XYZ 1', 'EUR')).toThrow('currency_unknown');
    expect(() => parseRate('USD abc', 'EUR')).toThrow('amount_invalid');
    expect(() => parseRate('USD -1', 'EUR')).toThrow('amount_invalid');
    expect(() => parseRate('USD 0.00', 'EUR')).toThrow('amount_zero');
  });
});

describe('Converter', () => {
  it('GIVEN no rate for a currency THEN it is not converted (never guessed)', () => {
    const c = new Converter('EUR', [rate('USD', 100, 90)]);
    expect(c.toBook(500, 'EUR')).toBe(500);
    expect(c.toBook(500, 'USD')).toBe(450);
    expect(c.toBook(500, 'GBP')).toBeUndefined();
  });
});
