import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test/harness.js';
import { cleanText } from './sanitize.js';

describe('cleanText', () => {
  it('GIVEN control characters and broken UTF-16 THEN they go, while real text, tabs, newlines and emoji stay', () => {
    expect(cleanText('a\u0000b\u0007c\u001Bd\u007F')).toBe('abcd');
    expect(cleanText('line1\nline2\tx\r\n')).toBe('line1\nline2\tx\r\n');
    expect(cleanText('x\uD800y\uDC00z')).toBe('x\uFFFDy\uFFFDz');
    expect(cleanText('😀 café 中文 עברית \u200B')).toBe('😀 café 中文 עברית \u200B');
  });
});

describe('hostile characters from a platform', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it('GIVEN NUL and lone surrogates in text, names and titles THEN COIN answers normally instead of failing', async () => {
    const user = { id: 'n1', name: 'Nu\u0000ll \uD800' };
    expect(await h.say(user, '/spend 5 a\u0000b #fo\u0000od')).toMatch(/^#1 −5\.00 EUR · #food @Main · ab/);
    expect(await h.say(user, '4\u0000.50 coffee\uDBFF')).toMatch(/^#2 −4\.50 EUR/);
    expect(await h.say(user, '/account add Sa\u0000ve')).toContain('Added account Save');
    expect(await h.say(user, '/history')).toContain('a\u0000b'.replace('\u0000', ''));
    expect(await h.say(user, '/start')).toContain('Hi Null \uFFFD!');
  });
});
