import { describe, expect, it } from 'vitest';
import { domainError } from '../../test/domain-error.js';
import { applyRule } from './apply.js';
import { compileRules } from './matcher.js';
import { parseRuleArgs, parseRuleNumber } from './rules.js';
import type { Account } from '../types.js';

const acc = (id: number, name: string, currency = 'EUR'): Account => ({ id, bookId: 1, name, currency, openingMinor: 0, balanceMinor: 0 });
const accounts = [acc(1, 'Main'), acc(2, 'Card'), acc(3, 'Dollars', 'USD')];
const matcher = compileRules([
  { id: 1, seq: 1, pattern: 'lidl', label: 'groceries', accountId: 2 },
  { id: 2, seq: 2, pattern: 'amazon', label: 'shopping', accountId: 3 },
]);
const line = (note: string, extra: Partial<{ labels: string[]; account: string; currency: string }> = {}) => ({ labels: [], note, account: undefined, currency: 'EUR', ...extra });

describe('applyRule', () => {
  it('GIVEN a line without a label THEN the rule for its note gives the label and its account', () => {
    expect(applyRule(matcher, line('LIDL Berlin'), accounts)).toMatchObject({ labels: ['groceries'], account: 'Card', note: 'LIDL Berlin', rule: { seq: 1 } });
  });
  it('GIVEN a typed label, no note, no matching rule or no rules THEN nothing changes', () => {
    expect(applyRule(matcher, line('lidl', { labels: ['food'] }), accounts)).toBeUndefined();
    expect(applyRule(matcher, line(''), accounts)).toBeUndefined();
    expect(applyRule(matcher, line('bakery'), accounts)).toBeUndefined();
    expect(applyRule(undefined, line('lidl'), accounts)).toBeUndefined();
  });
  it('GIVEN a typed account or a rule account in another currency THEN the account stays', () => {
    expect(applyRule(matcher, line('lidl', { account: 'Main' }), accounts)).toMatchObject({ labels: ['groceries'], account: 'Main' });
    expect(applyRule(matcher, line('amazon'), accounts)).toMatchObject({ labels: ['shopping'], account: undefined });
  });
});

describe('parseRuleArgs', () => {
  it('GIVEN pattern, label, account and note THEN each is read', () => {
    expect(parseRuleArgs('amazon prime #subscriptions @Card video and music')).toEqual({ pattern: 'amazon prime', label: '#subscriptions', account: '@Card', note: 'video and music' });
    expect(parseRuleArgs('uber* #taxi')).toEqual({ pattern: 'uber*', label: '#taxi', account: undefined, note: undefined });
    expect(parseRuleArgs('lidl #food @"Credit Card"')).toMatchObject({ account: '@Credit Card' });
  });
  it('GIVEN no label, no pattern or two labels THEN usage', () => {
    for (const bad of ['lidl', '#food', '', 'lidl #a #b', 'lidl # x']) expect(domainError(() => parseRuleArgs(bad)).code).toBe('usage');
  });
  it('GIVEN rule numbers THEN 3, #3 and n3 read, others are refused', () => {
    expect([parseRuleNumber('3'), parseRuleNumber('#3'), parseRuleNumber(' N3 ')]).toEqual([3, 3, 3]);
    for (const bad of ['', 'three', '3.5', '-1', undefined]) expect(domainError(() => parseRuleNumber(bad)).code).toBe('usage');
  });
});
