import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, matchesSearchable } from './pattern.js';
import { searchableText } from './fold.js';
import { domainError } from '../../test/domain-error.js';

const expectDomainError = (fn: () => unknown, code: string, context: Record<string, unknown>) => {
  const e = domainError(fn);
  expect(e.code).toBe(code);
  expect(e.context).toMatchObject(context);
};

const matches = (pattern: string, text: string) => matchesSearchable(compilePattern(pattern), searchableText(text));

describe('rule patterns', () => {
  it('GIVEN plain words THEN they match whole words anywhere, whatever the case, accents and punctuation', () => {
    expect(matches('lidl', 'LIDL DIENSTLEISTUNG GMBH')).toBe(true);
    expect(matches('lidl', 'Card payment Lidl.de 1234')).toBe(true);
    expect(matches('uber', 'Tuber clinic')).toBe(false);
    expect(matches('uber', 'UBEREATS')).toBe(false);
    expect(matches('cafe', 'Café de Flore')).toBe(true);
    expect(matches('CAFÉ', 'cafe de flore')).toBe(true);
    expect(matches('ёлка', 'ЕЛКА магазин')).toBe(true);
    expect(matches('strasse', 'Hauptstraße 1 Straße')).toBe(true);
    expect(matches('amazon prime', 'AMAZON PRIME*2K3L')).toBe(true);
    expect(matches('amazon prime', 'Amazon EU Prime')).toBe(false);
    expect(matches("mcdonald's", 'MCDONALDS')).toBe(false);
    expect(matches("mcdonald's", 'McDonald’s Berlin')).toBe(true);
  });

  it('GIVEN * THEN it matches any run of characters, spaces included, or none', () => {
    expect(matches('uber*', 'UBEREATS')).toBe(true);
    expect(matches('*mart', 'Walmart Supercenter')).toBe(true);
    expect(matches('*zon*', 'AMAZONMKTPLACE')).toBe(true);
    expect(matches('amazon*prime', 'Amazon EU Prime Video')).toBe(true);
    expect(matches('amazon*prime', 'AmazonPrime')).toBe(true);
    expect(matches('amazon*prime', 'Prime Amazon')).toBe(false);
    expect(matches('amzn *', 'AMZN MKTP')).toBe(true);
    expect(matches('amzn *', 'AMZN')).toBe(true);
    expect(matches('amzn *', 'AMZNX')).toBe(false);
    expect(matches('a* *b', 'axb')).toBe(false);
    expect(matches('a* *b', 'ax yb')).toBe(true);
  });

  it('GIVEN a regular expression, nothing to match or a long pattern THEN it is refused with a reason', () => {
    expectDomainError(() => compilePattern('/lidl|aldi/'), 'rule_invalid', { reason: 'regex' });
    expectDomainError(() => compilePattern('lidl|aldi'), 'rule_invalid', { reason: 'regex' });
    expectDomainError(() => compilePattern('(a+)+\\d'), 'rule_invalid', { reason: 'regex' });
    expectDomainError(() => compilePattern('* - *'), 'rule_invalid', { reason: 'empty' });
    expectDomainError(() => compilePattern(''), 'rule_invalid', { reason: 'empty' });
    expectDomainError(() => compilePattern('a'.repeat(101)), 'rule_invalid', { reason: 'too_long' });
  });

  it('GIVEN a hostile pattern and text THEN matching finishes (no backtracking)', () => {
    const p = compilePattern('a*a*a*a*a*a*a*a*a*a*a*b');
    expect(matchesSearchable(p, searchableText('a'.repeat(50_000)))).toBe(false);
  });

  // Strings of letters (with accents, Cyrillic, ß), digits and separators; `*` is added by the test.
  const alphabet = fc.constantFrom(...'abcxyzABCXYZéÉüÜßёЁжЖйЙ019 -.,/\'_'.split(''));
  const text = fc.array(alphabet, { minLength: 1, maxLength: 30 }).map((a) => a.join(''));

  it('PROPERTY a pattern made from a text by replacing parts with * matches that text', () => {
    fc.assert(
      fc.property(text, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }), (s, cuts) => {
        let pattern = s;
        for (const [a, b] of cuts) {
          const i = a % (pattern.length + 1);
          const j = i + (b % (pattern.length - i + 1));
          pattern = pattern.slice(0, i) + '*' + pattern.slice(j);
        }
        let compiled;
        try {
          compiled = compilePattern(pattern);
        } catch {
          return; // nothing literal left: refused, which is right
        }
        expect(matchesSearchable(compiled, searchableText(s))).toBe(true);
      }),
    );
  });

  it('PROPERTY matching does not depend on case', () => {
    fc.assert(
      fc.property(text, text, fc.boolean(), (p, t, upperPattern) => {
        let compiled;
        try {
          compiled = compilePattern(p);
        } catch {
          return;
        }
        const other = compilePattern(upperPattern ? p.toUpperCase() : p.toLowerCase());
        const expected = matchesSearchable(compiled, searchableText(t));
        expect(matchesSearchable(compiled, searchableText(t.toUpperCase()))).toBe(expected);
        expect(matchesSearchable(compiled, searchableText(t.toLowerCase()))).toBe(expected);
        expect(matchesSearchable(other, searchableText(t))).toBe(expected);
      }),
    );
  });

  it('PROPERTY a text matches itself as a pattern, and inside a longer text at word boundaries', () => {
    fc.assert(
      fc.property(text, text, text, (s, before, after) => {
        let compiled;
        try {
          compiled = compilePattern(s);
        } catch {
          return;
        }
        expect(matchesSearchable(compiled, searchableText(s))).toBe(true);
        expect(matchesSearchable(compiled, searchableText(`${before} ${s} ${after}`))).toBe(true);
      }),
    );
  });
});
