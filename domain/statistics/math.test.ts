import { describe, expect, it } from 'vitest';
import { Converter } from '../money/rates.js';
import { figureOf, percentChange, percentFloor, percentOf, subtract } from './math.js';

const conv = new Converter('EUR', [{ currency: 'USD', perMinor: 100, bookMinor: 90, source: 'rate', at: new Date(0) }]);

describe('figures', () => {
  it('GIVEN EUR, USD with a rate and JPY without THEN USD is converted in and JPY stays apart', () => {
    const f = figureOf(new Map([['EUR', 1000], ['USD', 1000], ['JPY', 500]]), conv);
    expect(f).toEqual({ minor: 1900, converted: ['USD'], rest: [{ currency: 'JPY', minor: 500 }] });
  });

  it('GIVEN income and expenses THEN net is the shown income minus the shown expenses, per currency for the rest', () => {
    const income = figureOf(new Map([['EUR', 5000], ['JPY', 100]]), conv);
    const expense = figureOf(new Map([['USD', 333], ['JPY', 300]]), conv);
    expect(subtract(income, expense)).toEqual({ minor: 5000 - 300, converted: ['USD'], rest: [{ currency: 'JPY', minor: -200 }] });
  });
});

describe('percentages', () => {
  it('GIVEN a previous period THEN the change is whole percent, half away from zero', () => {
    expect(percentChange(110, 100)).toBe(10);
    expect(percentChange(90, 100)).toBe(-10);
    expect(percentChange(1005, 1000)).toBe(1); // 0.5% → 1%
    expect(percentChange(995, 1000)).toBe(-1);
    expect(percentChange(-50, -100)).toBe(50); // a net loss that halved went up
  });

  it('GIVEN nothing before THEN there is no percentage', () => {
    expect(percentChange(100, 0)).toBeUndefined();
  });

  it('GIVEN shares and budget progress THEN shares round and progress rounds down', () => {
    expect(percentOf(1, 3)).toBe(33);
    expect(percentOf(2, 3)).toBe(67);
    expect(percentOf(5, 0)).toBe(0);
    expect(percentFloor(7999, 10000)).toBe(79); // 79.99% has not reached 80%
    expect(percentFloor(8000, 10000)).toBe(80);
  });
});
