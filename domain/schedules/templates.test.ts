import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { parseTemplateArgs, parseTemplateId, readTemplateRecord } from './templates.js';

const main = { id: 1, bookId: 1, name: 'Main', currency: 'EUR', openingMinor: 0, balanceMinor: 0 };
const usd = { id: 2, bookId: 1, name: 'Dollars', currency: 'USD', openingMinor: 0, balanceMinor: 0 };
const book = { currency: 'EUR', timezone: 'Europe/Berlin', defaultAccountId: 1 };
const now = new Date('2026-11-24T12:00:00Z');

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof DomainError ? e.code : 'other';
  }
  return undefined;
};

describe('parseTemplateArgs', () => {
  it('GIVEN schedule, time and record THEN they are split and the kind defaults to expense', () => {
    expect(parseTemplateArgs('monthly:1 at:08:00 500 #rent')).toMatchObject({
      schedule: { kind: 'monthly', day: 1, at: { hour: 8, minute: 0 } },
      kind: 'expense',
      record: '500 #rent',
    });
  });

  it('GIVEN a + on the amount, or the word income THEN it is an income and the marker leaves the record', () => {
    expect(parseTemplateArgs('monthly:25 +2500 salary')).toMatchObject({ kind: 'income', record: '2500 salary' });
    expect(parseTemplateArgs('weekly:fri income 40 pocket money')).toMatchObject({ kind: 'income', record: '40 pocket money' });
    expect(parseTemplateArgs('daily expense 3 coffee')).toMatchObject({ kind: 'expense', record: '3 coffee' });
  });

  it('GIVEN at:HH:MM at the very end THEN it is the time of day; a second time is refused', () => {
    expect(parseTemplateArgs('daily 3.20 #coffee at:07:15')).toMatchObject({ schedule: { at: { hour: 7, minute: 15 } }, record: '3.20 #coffee' });
    expect(code(() => parseTemplateArgs('daily at:07:00 3.20 at:08:00'))).toBe('schedule_invalid');
  });

  it('GIVEN no record THEN usage; GIVEN no schedule THEN schedule_invalid', () => {
    expect(code(() => parseTemplateArgs('daily'))).toBe('usage');
    expect(code(() => parseTemplateArgs('daily +'))).toBe('usage');
    expect(code(() => parseTemplateArgs('500 rent'))).toBe('schedule_invalid');
  });
});

describe('readTemplateRecord', () => {
  it('GIVEN a record line THEN it picks the account like a chat record does', () => {
    const r = readTemplateRecord('12.50 #rent flat', book, [main, usd], ['rent'], now);
    expect(r).toMatchObject({ amountMinor: 1250, currency: 'EUR', labels: ['rent'], note: 'flat' });
    expect(r.account?.name).toBe('Main');
    expect(readTemplateRecord('20 usd netflix', book, [main, usd], [], now).account?.name).toBe('Dollars');
  });

  it('GIVEN a date word THEN it is refused: the occurrence is the date', () => {
    expect(code(() => readTemplateRecord('12 rent yesterday', book, [main], [], now))).toBe('usage');
  });

  it('GIVEN a book without accounts THEN the account is left for the caller to create', () => {
    expect(readTemplateRecord('5 tea', { ...book, defaultAccountId: null }, [], [], now).account).toBeUndefined();
  });
});

describe('parseTemplateId', () => {
  it('GIVEN 3, #3 or T3 THEN 3; anything else is usage', () => {
    expect([parseTemplateId('3'), parseTemplateId('#3'), parseTemplateId('t3')]).toEqual([3, 3, 3]);
    expect(code(() => parseTemplateId('three'))).toBe('usage');
    expect(code(() => parseTemplateId(''))).toBe('usage');
  });
});
