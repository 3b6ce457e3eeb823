import { describe, expect, it } from 'vitest';
import { decodeEntities } from './markup-tree.js';

describe('decodeEntities', () => {
  it('GIVEN named, decimal and hex entities THEN they are decoded, and unknown names stay as written', () => {
    expect(decodeEntities('Caf&eacute;? &amp; &#233; &#xE9; &nosuch;')).toBe(decodeEntities('Caf&eacute;? & é é &nosuch;'));
    expect(decodeEntities('A &amp; B')).toBe('A & B');
    expect(decodeEntities('&nosuch;')).toBe('&nosuch;');
  });

  it('GIVEN names of JavaScript object internals as entities (a hostile statement file) THEN they stay text', () => {
    expect(decodeEntities('&constructor; &__proto__; &tostring; &valueof;')).toBe('&constructor; &__proto__; &tostring; &valueof;');
  });
});
