import { describe, expect, it } from 'vitest';
import { parseBudgetArgs } from './budget.js';

describe('parseBudgetArgs', () => {
  it('GIVEN a label, amount and period THEN a budget in minor units of the book currency', () => {
    expect(parseBudgetArgs('#Food 300', 'EUR')).toEqual({ action: 'set', label: 'food', amountMinor: 30000, currency: 'EUR', period: 'monthly' });
    expect(parseBudgetArgs('fun 50,5 weekly', 'EUR')).toMatchObject({ label: 'fun', amountMinor: 5050, period: 'weekly' });
    expect(parseBudgetArgs('total 2 000 eur month', 'EUR')).toMatchObject({ label: null, amountMinor: 200000, period: 'monthly' });
    expect(parseBudgetArgs('#total 10', 'JPY')).toMatchObject({ label: 'total', amountMinor: 10 });
  });

  it('GIVEN off THEN the budget is removed', () => {
    expect(parseBudgetArgs('#food off', 'EUR')).toEqual({ action: 'delete', label: 'food' });
    expect(parseBudgetArgs('total delete', 'EUR')).toEqual({ action: 'delete', label: null });
  });

  it('GIVEN something else THEN a clear error', () => {
    expect(() => parseBudgetArgs('#food', 'EUR')).toThrow('budget_invalid');
    expect(() => parseBudgetArgs('', 'EUR')).toThrow('budget_invalid');
    expect(() => parseBudgetArgs('#food weekly', 'EUR')).toThrow('budget_invalid');
    expect(() => parseBudgetArgs('#food 0', 'EUR')).toThrow('amount_zero');
    expect(() => parseBudgetArgs('#food abc', 'EUR')).toThrow('amount_invalid');
    expect(() => parseBudgetArgs('#food 10 usd', 'EUR')).toThrow('budget_invalid');
    expect(() => parseBudgetArgs('#fo$od 10', 'EUR')).toThrow('label_invalid');
  });
});

describe('parseBudgetArgs: names of JavaScript object internals', () => {
  it('GIVEN constructor or __proto__ as the last word THEN it is no period word: the amount is refused as such', () => {
    for (const word of ['constructor', '__proto__', 'tostring']) expect(() => parseBudgetArgs(`#food 300 ${word}`, 'EUR')).toThrow();
    expect(parseBudgetArgs('#food 300 weekly', 'EUR')).toMatchObject({ period: 'weekly' });
  });
});
