import { describe, expect, it } from 'vitest';
import { looksLikeAmountStart, parseAmount, readAmount, toMinor, type AmountText } from './amount.js';
import { tokenize } from '../parsing/tokenize.js';
import { domainError } from '../../test/domain-error.js';

const read = (text: string) => readAmount(tokenize(text));


describe('parseAmount: every written form', () => {
  it.each([
    ['12', 'EUR', 1200],
    ['12.50', 'EUR', 1250],
    ['12,5', 'EUR', 1250],
    ['12,50', 'EUR', 1250],
    ['0.99', 'EUR', 99],
    ['.5', 'EUR', 50],
    ['1 234.56', 'EUR', 123456],
    ['1 234,56', 'EUR', 123456],
    ['12 345 678.90', 'EUR', 1234567890],
    ["1'234.50", 'CHF', 123450],
    ['1’234.50', 'CHF', 123450],
    ['1_000', 'EUR', 100000],
    ['1_000_000', 'EUR', 100000000],
    ['1,234.56', 'USD', 123456],
    ['1.234,56', 'EUR', 123456],
    ['1,234,567.89', 'USD', 123456789],
    ['1.234.567,89', 'EUR', 123456789],
    ['1,234,567', 'USD', 123456700],
    ['1.234.567', 'EUR', 123456700],
    ['007', 'EUR', 700],
    ['500', 'JPY', 500],
    ['0.125', 'BHD', 125],
    ['1\u00a0234,50', 'EUR', 123450],
  ])('GIVEN %s in %s THEN it is %d minor units', (text, currency, minor) => {
    expect(parseAmount(text, currency)).toEqual({ minor, currency, explicitCurrency: false });
  });

  it.each([
    ['€12', 1200, 'EUR'],
    ['12€', 1200, 'EUR'],
    ['€ 12', 1200, 'EUR'],
    ['12 €', 1200, 'EUR'],
    ['12 usd', 1200, 'USD'],
    ['12 USD', 1200, 'USD'],
    ['USD 12', 1200, 'USD'],
    ['usd 12.5', 1250, 'USD'],
    ['12usd', 1200, 'USD'],
    ['USD12', 1200, 'USD'],
    ['$1,234.56', 123456, 'USD'],
    ['£3.20', 320, 'GBP'],
    ['¥500', 500, 'JPY'],
    ['12zł', 1200, 'PLN'],
    ['zł 12', 1200, 'PLN'],
    ['100 Kč', 10000, 'CZK'],
    ['1 234,56 €', 123456, 'EUR'],
    ['1 234,56€', 123456, 'EUR'],
    ['€1 234', 123400, 'EUR'],
    ['100₽', 10000, 'RUB'],
    ['100 руб', 10000, 'RUB'],
    ['100р.', 10000, 'RUB'],
    ['50 грн', 5000, 'UAH'],
    ['0.125 bhd', 125, 'BHD'],
  ])('GIVEN %s THEN it is %d in the written currency %s', (text, minor, currency) => {
    expect(parseAmount(text, 'EUR')).toEqual({ minor, currency, explicitCurrency: true });
  });

  it('GIVEN no written currency THEN the default currency is normalised to its ISO code', () => {
    expect(parseAmount('5', 'usd')).toEqual({ minor: 500, currency: 'USD', explicitCurrency: false });
  });

  it('GIVEN a code that is also an English word alone after the number THEN it is still a currency', () => {
    expect(parseAmount('5 cup', 'EUR')).toEqual({ minor: 500, currency: 'CUP', explicitCurrency: true });
  });
});

describe('the unambiguity rules for "." and ","', () => {
  it('GIVEN both marks THEN the last one is the decimal mark', () => {
    expect(parseAmount('1,234.5', 'EUR').minor).toBe(123450);
    expect(parseAmount('1.234,5', 'EUR').minor).toBe(123450);
  });

  it('GIVEN the same mark repeated THEN it separates thousands', () => {
    expect(parseAmount('1,000,000', 'EUR').minor).toBe(100000000);
    expect(parseAmount('1.000.000', 'EUR').minor).toBe(100000000);
  });

  it('GIVEN one mark followed by other than three digits THEN it is the decimal mark', () => {
    expect(parseAmount('1.5', 'EUR').minor).toBe(150);
    expect(parseAmount('1,50', 'EUR').minor).toBe(150);
    expect(parseAmount('1234,5', 'EUR').minor).toBe(123450);
  });

  it('GIVEN one mark and three digits in a 2-digit currency THEN it separates thousands', () => {
    expect(parseAmount('1.500', 'EUR').minor).toBe(150000);
    expect(parseAmount('12,500', 'USD').minor).toBe(1250000);
    expect(parseAmount('999.999 EUR', 'BHD').minor).toBe(99999900);
  });

  it('GIVEN one mark and three digits in a 0-digit currency THEN it separates thousands', () => {
    expect(parseAmount('12,500', 'JPY').minor).toBe(12500);
    expect(parseAmount('¥1.500', 'EUR')).toEqual({ minor: 1500, currency: 'JPY', explicitCurrency: true });
  });

  it('GIVEN one mark and three digits in a 3-digit currency THEN it is the decimal mark', () => {
    expect(parseAmount('1.500', 'BHD').minor).toBe(1500);
    expect(parseAmount('12,500 KWD', 'EUR').minor).toBe(12500);
  });

  it('GIVEN a zero integer part THEN the mark is decimal even before three digits', () => {
    expect(parseAmount('0.500', 'EUR').minor).toBe(50);
    expect(parseAmount('0,125', 'BHD').minor).toBe(125);
  });

  it('GIVEN another thousands separator THEN a single mark before three digits is decimal', () => {
    expect(domainError(() => parseAmount('1 234,567', 'EUR')).code).toBe('amount_too_precise');
    expect(parseAmount("1'234.567", 'BHD').minor).toBe(1234567);
  });

  it('GIVEN readAmount on an ambiguous number THEN it keeps the decimal reading for toMinor', () => {
    expect(read('1.500')).toEqual({ decimal: '1.500', maybeThousands: true, consumed: 1 });
    expect(read('1,50')).toEqual({ decimal: '1.50', consumed: 1 });
  });
});

describe('readAmount', () => {
  it('GIVEN a record line THEN it reads only the leading amount and counts its tokens', () => {
    expect(read('4.50 coffee #food')).toEqual({ decimal: '4.50', consumed: 1 });
    expect(read('12 usd lunch')).toEqual({ decimal: '12', currency: 'USD', consumed: 2 });
    expect(read('USD 12 lunch')).toEqual({ decimal: '12', currency: 'USD', consumed: 2 });
    expect(read('1 234.56 rent')).toEqual({ decimal: '1234.56', consumed: 2 });
    expect(read('1 234 567 € car')).toEqual({ decimal: '1234567', currency: 'EUR', consumed: 4 });
  });

  it('GIVEN space groups THEN only groups of exactly three digits join the number', () => {
    expect(read('5 12 eggs')).toEqual({ decimal: '5', consumed: 1 });
    expect(read('5 1234 eggs')).toEqual({ decimal: '5', consumed: 1 });
    expect(read('1234 567')).toEqual({ decimal: '1234', consumed: 1 });
    expect(read('1.5 234')).toEqual({ decimal: '1.5', consumed: 1 });
  });

  it('GIVEN a decimal part in a space group THEN grouping stops after it', () => {
    expect(read('1 234.50 678')).toEqual({ decimal: '1234.50', consumed: 2 });
  });

  it('GIVEN a lower-case code that is also an English word after the number THEN it starts the note', () => {
    expect(read('5 cup coffee')).toEqual({ decimal: '5', consumed: 1 });
    expect(read('12 top hat')).toEqual({ decimal: '12', consumed: 1 });
    expect(read('20 all inclusive')).toEqual({ decimal: '20', consumed: 1 });
  });

  it('GIVEN such a code in capitals, attached or before the number THEN it is the currency', () => {
    expect(read('5 CUP coffee').currency).toBe('CUP');
    expect(read('5cup coffee').currency).toBe('CUP');
    expect(read('cup 5 coffee').currency).toBe('CUP');
  });

  it('GIVEN a currency before the number THEN a currency word after it is left for the note', () => {
    expect(read('€12 usd')).toEqual({ decimal: '12', currency: 'EUR', consumed: 1 });
  });

  it('GIVEN a leading + THEN it is not an amount (callers strip it)', () => {
    expect(domainError(() => read('+5')).code).toBe('amount_invalid');
  });
});

describe('rejections', () => {
  it('GIVEN nothing THEN amount_empty', () => {
    expect(domainError(() => readAmount([])).code).toBe('amount_empty');
    expect(domainError(() => parseAmount('   ', 'EUR')).code).toBe('amount_empty');
  });

  it.each(['abc', 'coffee 5', 'usd', '€', 'twelve', '12coffee', '1..5', '12.', '1,2,3', '12,34,567', '1_2', "1'23", '10_00', '1.234.56', '1,234.567,8', "1'234_567", '€12€', '5-', '#5'])(
    'GIVEN %s THEN amount_invalid with the text',
    (text) => {
      const e = domainError(() => read(text));
      expect(e.code).toBe('amount_invalid');
      expect(String(e.context.text)).not.toBe('');
    },
  );

  it('GIVEN a currency with no number after it THEN the message quotes both words', () => {
    expect(domainError(() => read('usd coffee')).context).toEqual({ text: 'usd coffee' });
  });

  it('GIVEN words after a whole-text amount THEN amount_invalid', () => {
    expect(domainError(() => parseAmount('12 coffee', 'EUR')).code).toBe('amount_invalid');
    expect(domainError(() => parseAmount('12 usd eur', 'EUR')).code).toBe('amount_invalid');
  });

  it.each(['-5', '−5', '-12.50', '-€5', '€-5', 'USD -5', '-5usd'])('GIVEN %s THEN amount_negative', (text) => {
    expect(domainError(() => read(text)).code).toBe('amount_negative');
  });

  it('GIVEN a lone minus THEN amount_invalid, not negative', () => {
    expect(domainError(() => read('- 5')).code).toBe('amount_invalid');
  });

  it.each(['0', '0.00', '0,0', '€0', '000'])('GIVEN %s THEN amount_zero', (text) => {
    expect(domainError(() => parseAmount(text, 'EUR')).code).toBe('amount_zero');
  });

  it.each([
    ['0.001', 'EUR', 2],
    ['12.5055', 'USD', 2],
    ['1.5', 'JPY', 0],
    ['12,5 JPY', 'EUR', 0],
    ['0.1234', 'BHD', 3],
    ['1 234,567', 'EUR', 2],
  ])('GIVEN %s in %s THEN amount_too_precise names the allowed digits', (text, currency, digits) => {
    const e = domainError(() => parseAmount(text, currency));
    expect(e.code).toBe('amount_too_precise');
    expect(e.context.digits).toBe(digits);
  });

  it('GIVEN trailing zeros beyond the currency digits THEN they are not too precise', () => {
    expect(parseAmount('100.00', 'JPY').minor).toBe(100);
    expect(parseAmount('1.2500', 'EUR').minor).toBe(125);
    expect(parseAmount('1.0', 'JPY').minor).toBe(1);
  });

  it('GIVEN exactly 10^12 THEN it is accepted, also in a 3-digit currency, as an exact integer', () => {
    expect(parseAmount('1 000 000 000 000', 'EUR').minor).toBe(100_000_000_000_000);
    expect(parseAmount('1000000000000', 'BHD').minor).toBe(1_000_000_000_000_000);
    expect(parseAmount('999999999999.999', 'BHD').minor).toBe(999_999_999_999_999);
  });

  it.each(['1000000000000.01', '1000000000001', '1 000 000 000 001', '99999999999999999999', '1,000,000,000,000.001 BHD'])(
    'GIVEN %s THEN amount_too_large',
    (text) => {
      const e = domainError(() => parseAmount(text, 'EUR'));
      expect(e.code).toBe('amount_too_large');
      expect(e.context.max).toBe('1000000000000');
    },
  );

  it('GIVEN exponent notation THEN amount_invalid', () => {
    expect(domainError(() => parseAmount('1e13', 'EUR')).code).toBe('amount_invalid');
  });

  it('GIVEN an unknown default currency THEN currency_unknown', () => {
    expect(domainError(() => parseAmount('5', 'XYZ')).code).toBe('currency_unknown');
  });
});

describe('toMinor', () => {
  const amount = (decimal: string, extra: Partial<AmountText> = {}): AmountText => ({ decimal, consumed: 1, ...extra });

  it('GIVEN a decimal THEN it converts digit by digit without float drift', () => {
    expect(toMinor(amount('0.29'), 'EUR')).toBe(29);
    expect(toMinor(amount('1.005'), 'BHD')).toBe(1005);
    expect(toMinor(amount('4.35'), 'USD')).toBe(435);
    expect(toMinor(amount('999999999999.99'), 'EUR')).toBe(99_999_999_999_999);
  });

  it('GIVEN a possible thousands mark THEN the currency decides', () => {
    const a = amount('1.500', { maybeThousands: true });
    expect(toMinor(a, 'EUR')).toBe(150000);
    expect(toMinor(a, 'JPY')).toBe(1500);
    expect(toMinor(a, 'BHD')).toBe(1500);
    expect(toMinor(a, 'KWD')).toBe(1500);
  });

  it('GIVEN a lower-case currency THEN it is accepted', () => {
    expect(toMinor(amount('2'), 'usd')).toBe(200);
  });

  it('GIVEN an unknown currency THEN currency_unknown', () => {
    expect(domainError(() => toMinor(amount('2'), 'EUT')).code).toBe('currency_unknown');
  });
});

describe('looksLikeAmountStart', () => {
  it.each([['4.50 coffee'], ['€3 tea'], ['USD 12 lunch'], ['usd12'], ['.5 gum'], ['12']])('GIVEN %s THEN true', (text) => {
    expect(looksLikeAmountStart(tokenize(text))).toBe(true);
  });

  it.each([['hello'], ['top 5 movies'], ['€ tea'], ['USD'], ['-5 coffee'], [''], ['+5']])('GIVEN %s THEN false', (text) => {
    expect(looksLikeAmountStart(tokenize(text))).toBe(false);
  });
});
