import { describe, expect, it } from 'vitest';
import { formatMoney, minorToDecimal } from './money.js';
import { rateText } from './rates.js';

const NBSP = '\u00a0';

describe('formatMoney', () => {
  it('GIVEN English THEN a comma groups thousands and a point marks decimals, with the currency minor digits', () => {
    expect(formatMoney(123_456, 'EUR')).toBe('1,234.56 EUR');
    expect(formatMoney(12_500, 'JPY')).toBe('12,500 JPY');
    expect(formatMoney(125, 'BHD')).toBe('0.125 BHD');
    expect(formatMoney(-5, 'EUR')).toBe('-0.05 EUR');
    expect(formatMoney(250_000, 'EUR', { sign: true, code: false })).toBe('+2,500.00');
  });

  it('GIVEN Russian THEN a no-break space groups thousands and a comma marks decimals (12,500 JPY would read as twelve and a half)', () => {
    expect(formatMoney(123_456, 'EUR', { lang: 'ru' })).toBe(`1${NBSP}234,56 EUR`);
    expect(formatMoney(12_500, 'JPY', { lang: 'ru' })).toBe(`12${NBSP}500 JPY`);
    expect(formatMoney(1_000_000_125, 'BHD', { lang: 'ru' })).toBe(`1${NBSP}000${NBSP}000,125 BHD`);
    expect(formatMoney(-5, 'EUR', { lang: 'ru', sign: true })).toBe('-0,05 EUR');
    expect(formatMoney(250_000, 'EUR', { lang: 'ru', sign: true, code: false })).toBe(`+2${NBSP}500,00`);
  });

  it('GIVEN CSV and API decimals THEN they stay plain whatever the book language', () => {
    expect(minorToDecimal(123_456, 'EUR')).toBe('1234.56');
  });

  it('GIVEN a rate THEN Russian writes it with a decimal comma', () => {
    const rate = { currency: 'USD', perMinor: 100, bookMinor: 92 };
    expect(rateText(rate, 'EUR')).toBe('0.92');
    expect(rateText(rate, 'EUR', 'ru')).toBe('0,92');
  });
});
