import { describe, expect, it } from 'vitest';
import { hashLinkCode, isEmptyBook, newLinkCode } from './link.js';

describe('link codes', () => {
  it('GIVEN a new code THEN it is two groups of four unambiguous characters', () => {
    for (let i = 0; i < 200; i++) expect(newLinkCode()).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
  });

  it('GIVEN 1000 codes THEN they do not repeat', () => {
    expect(new Set(Array.from({ length: 1000 }, newLinkCode)).size).toBe(1000);
  });

  it('GIVEN the code retyped in lower case, without the dash or with a space THEN hashes the same', () => {
    const h = hashLinkCode('K7QM-3RXP');
    expect(hashLinkCode('k7qm3rxp')).toBe(h);
    expect(hashLinkCode(' k7qm 3rxp ')).toBe(h);
    expect(hashLinkCode('K7QM-3RXQ')).not.toBe(h);
  });

  it('GIVEN a book with only empty accounts THEN it is empty; any record or money makes it not', () => {
    const none = { events: 0, settlements: 0, templates: 0, budgets: 0, accountsWithMoney: 0 };
    expect(isEmptyBook(none)).toBe(true);
    for (const k of Object.keys(none) as (keyof typeof none)[]) expect(isEmptyBook({ ...none, [k]: 1 })).toBe(false);
  });
});
