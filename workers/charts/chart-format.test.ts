import { describe, expect, it } from 'vitest';
import { compactMinor, compactScaled, percentText } from './chart-format.js';

describe('compactMinor (axis ticks)', () => {
  it('GIVEN minor units THEN it shows short major units in the currency’s scale', () => {
    expect(compactMinor(0, 'EUR')).toBe('0');
    expect(compactMinor(25000, 'EUR')).toBe('250');
    expect(compactMinor(150000, 'EUR')).toBe('1.5K');
    expect(compactMinor(150000, 'JPY')).toBe('150K');
    expect(compactMinor(-200000000, 'EUR')).toBe('-2M');
    expect(compactMinor(1500, 'BHD')).toBe('1.5');
  });

  it('GIVEN values scaled to other digits (mixed-currency balance) THEN the digits given are used', () => {
    expect(compactScaled(300000, 2)).toBe('3K');
  });
});

describe('percentText', () => {
  it('GIVEN a share THEN it is rounded half up to a whole percent', () => {
    expect(percentText(1, 3)).toBe('33%');
    expect(percentText(1, 8)).toBe('13%'); // 12.5 rounds up
    expect(percentText(5, 5)).toBe('100%');
  });

  it('GIVEN a tiny but real share THEN it never claims 0%', () => {
    expect(percentText(1, 1000)).toBe('<1%');
    expect(percentText(0, 1000)).toBe('0%');
  });
});
