import { describe, expect, it } from 'vitest';
import { groupTop, isEmptySpec } from './chart-spec.js';

describe('groupTop', () => {
  it('GIVEN at most 8 labels THEN all are kept, largest first, with no "other"', () => {
    const items = groupTop([
      { label: 'Rent', minor: 100 },
      { label: 'Food', minor: 300 },
    ]);
    expect(items.map((i) => i.label)).toEqual(['Food', 'Rent']);
    expect(items.some((i) => i.other)).toBe(false);
  });

  it('GIVEN 10 labels THEN the 2 smallest are summed into "other"', () => {
    const items = groupTop(Array.from({ length: 10 }, (_, i) => ({ label: `L${i}`, minor: (i + 1) * 10 })));
    expect(items).toHaveLength(9);
    expect(items[8]).toEqual({ label: 'other', minor: 10 + 20, other: true });
  });

  it('GIVEN a real label called "Other" THEN it joins the group instead of appearing twice', () => {
    const items = groupTop([{ label: 'Other', minor: 5 }, ...Array.from({ length: 9 }, (_, i) => ({ label: `L${i}`, minor: 100 + i }))]);
    expect(items.filter((i) => i.label.toLowerCase() === 'other')).toEqual([{ label: 'other', minor: 5 + 100, other: true }]);
  });

  it('GIVEN only a real "other" label THEN it is still shown', () => {
    expect(groupTop([{ label: 'other', minor: 7 }])).toEqual([{ label: 'other', minor: 7, other: true }]);
  });
});

describe('isEmptySpec', () => {
  const base = { title: 't', subtitle: 's', currency: 'EUR' };
  it('GIVEN months whose income and expenses are all zero THEN the bars chart counts as empty', () => {
    expect(isEmptySpec({ ...base, kind: 'bars', months: [{ label: 'Nov', incomeMinor: 0, expenseMinor: 0 }] })).toBe(true);
    expect(isEmptySpec({ ...base, kind: 'bars', months: [{ label: 'Nov', incomeMinor: 1, expenseMinor: 0 }] })).toBe(false);
  });

  it('GIVEN accounts without points THEN the balance chart counts as empty', () => {
    expect(isEmptySpec({ ...base, kind: 'balance', series: [{ account: 'Cash', currency: 'EUR', points: [] }] })).toBe(true);
  });
});
