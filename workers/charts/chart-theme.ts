/**
 * Sizes and fonts for a 1080×1080 image. A phone shows a chat photo about 1000 physical pixels
 * wide, so a pixel here is roughly a pixel on screen: 26px text reads like 9pt body text on a
 * 3× display; anything smaller becomes a squint.
 */
export const CHART_SIZE = { width: 1080, height: 1080 } as const;

/**
 * DejaVu Sans is shipped inside npm (`dejavu-fonts-ttf`, registered in `fonts.ts`), so every
 * machine renders identical glyphs with no system fonts; it covers Latin and Cyrillic.
 */
export const FONT_FAMILY = "'DejaVu Sans', sans-serif";

export const FONT = {
  title: 46,
  /** Long titles shrink to this before they wrap. */
  minTitle: 40,
  subtitle: 30,
  legend: 27,
  tick: 25,
  dataLabel: 25,
  /** Smallest text ever painted; values that would need less are left off. */
  minLabel: 24,
  center: 34,
  empty: 40,
} as const;

export const TEXT_COLOR = '#222222';
export const MUTED_TEXT_COLOR = '#555555';
export const GRID_COLOR = '#E3E3E3';
export const BACKGROUND = '#FFFFFF';

/** Outer margin, so nothing touches the image edge when a messenger crops rounded corners. */
export const MARGIN = 36;

/** CSS font shorthand as the canvas parses it. */
export const cssFont = (size: number, bold = false): string => `${bold ? 'bold ' : ''}${size}px ${FONT_FAMILY}`;
