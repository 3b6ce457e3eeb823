import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize.js';

describe('tokenize', () => {
  it('GIVEN words separated by any whitespace THEN it returns the words', () => {
    expect(tokenize('  12.50   coffee\twith\nAnna ')).toEqual(['12.50', 'coffee', 'with', 'Anna']);
  });

  it('GIVEN empty or blank text THEN it returns no words', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('   \n ')).toEqual([]);
  });

  it('GIVEN double quotes THEN the quoted words stay one word without the quotes', () => {
    expect(tokenize('/account add "Credit Card" usd')).toEqual(['/account', 'add', 'Credit Card', 'usd']);
  });

  it('GIVEN single quotes THEN the quoted words stay one word', () => {
    expect(tokenize("rename 'Old Cash' 'New Cash'")).toEqual(['rename', 'Old Cash', 'New Cash']);
  });

  it.each([
    ['“Credit Card”', 'Credit Card'],
    ['«Кредитная карта»', 'Кредитная карта'],
    ['„Neue Karte“', 'Neue Karte'],
    ['‘My Wallet’', 'My Wallet'],
  ])('GIVEN typographic quotes %s THEN they group like straight ones', (text, word) => {
    expect(tokenize(`12 @${text} lunch`)).toEqual(['12', `@${word}`, 'lunch']);
  });

  it('GIVEN a quote right after @ or # THEN the prefix stays and the segment joins it', () => {
    expect(tokenize('5 @"Credit Card" #"food"')).toEqual(['5', '@Credit Card', '#food']);
  });

  it('GIVEN an apostrophe inside a word or number THEN it stays literal', () => {
    expect(tokenize("1'234.50 don't ask")).toEqual(["1'234.50", "don't", 'ask']);
  });

  it("GIVEN an apostrophe inside a single-quoted name THEN the quote closes at the end of the name", () => {
    expect(tokenize("5 @'Bob's card' tip")).toEqual(['5', "@Bob's card", 'tip']);
  });

  it('GIVEN an unmatched quote THEN it is kept as a plain character', () => {
    expect(tokenize('5 "coffee to go')).toEqual(['5', '"coffee', 'to', 'go']);
  });

  it('GIVEN text around a quoted segment without spaces THEN it is one word', () => {
    expect(tokenize('a"b c"d')).toEqual(['a"b', 'c"d']);
    expect(tokenize('"b c"d e')).toEqual(['b cd', 'e']);
  });

  it('GIVEN an explicitly quoted empty string THEN it yields an empty word', () => {
    expect(tokenize('note ""')).toEqual(['note', '']);
  });

  it('GIVEN non-breaking spaces from copied numbers THEN they separate words too', () => {
    expect(tokenize('1\u00a0234,56\u202f€')).toEqual(['1', '234,56', '€']);
  });
});
