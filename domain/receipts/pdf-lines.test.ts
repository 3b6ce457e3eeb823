import { describe, expect, it } from 'vitest';
import { pdfTextLines, type PlacedText } from './pdf-lines.js';

const run = (str: string, x: number, y: number, width = str.length * 6, height = 10): PlacedText => ({ str, x, y, width, height });

describe('PDF text as lines', () => {
  it('GIVEN runs in any order THEN lines read top to bottom and left to right, columns joined by a space', () => {
    const lines = pdfTextLines([run('12.40', 150, 100), run('TOTAL', 10, 100), run('SUPERMART', 10, 300), run('Milk', 10, 200), run('2.10', 150, 201.5)]);
    expect(lines).toEqual(['SUPERMART', 'Milk 2.10', 'TOTAL 12.40']);
  });

  it('GIVEN a PDF that places each letter on its own THEN the word stays whole', () => {
    const letters = [...'ИТОГО'].map((c, i) => run(c, 10 + i * 6, 50, 6));
    expect(pdfTextLines([...letters, run('484,89', 120, 50)])).toEqual(['ИТОГО 484,89']);
  });

  it('GIVEN blank runs and a run with its own spaces THEN no doubled or stray spaces', () => {
    expect(pdfTextLines([run('   ', 0, 10), run('AMOUNT DUE ', 0, 10, 66), run(' 9.99', 66, 10)])).toEqual(['AMOUNT DUE 9.99']);
    expect(pdfTextLines([])).toEqual([]);
  });
});
