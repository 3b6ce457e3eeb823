import { describe, expect, it } from 'vitest';
import { cssFont } from './chart-theme.js';
import { fitText, textWidth, wrapText } from './chart-text.js';

const font = cssFont(40, true);

describe('wrapText / fitText', () => {
  it('GIVEN a title that fits THEN it stays on one line unchanged', () => {
    expect(wrapText('Family budget', font, 1000, 2)).toEqual(['Family budget']);
  });

  it('GIVEN a long title THEN it wraps at spaces and the last allowed line ends with "…"', () => {
    const title = 'The Extremely Long Named Household Budget Of The Smith-Johnson Family — expenses by label';
    const lines = wrapText(title, font, 600, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.endsWith('…')).toBe(true);
    for (const line of lines) expect(textWidth(line, font)).toBeLessThanOrEqual(600);
  });

  it('GIVEN a label wider than its column THEN it is cut with "…" to fit', () => {
    const cut = fitText('Subscriptions and streaming services', font, 300);
    expect(cut.endsWith('…')).toBe(true);
    expect(textWidth(cut, font)).toBeLessThanOrEqual(300);
    expect(fitText('Rent', font, 300)).toBe('Rent');
  });
});
