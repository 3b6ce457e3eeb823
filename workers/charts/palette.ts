/**
 * Paul Tol's "muted" qualitative scheme: nine colours chosen to stay distinguishable for the
 * common forms of colour blindness and to print well on white. Nine is one more than the
 * number of named slices a chart shows (top 8 + "other"), so every named slice can get its own
 * colour. The order is fixed forever: reordering it would recolour every label users know.
 */
export const PALETTE: readonly string[] = [
  '#CC6677', // rose
  '#332288', // indigo
  '#DDCC77', // sand
  '#117733', // green
  '#88CCEE', // cyan
  '#882255', // wine
  '#44AA99', // teal
  '#999933', // olive
  '#AA4499', // purple
];

/** The "other" group is grey so it never looks like one more real label. */
export const OTHER_COLOR = '#BBBBBB';

/** Income/expense colours for the bars chart (green = money in, rose = money out). */
export const INCOME_COLOR = '#117733';
export const EXPENSE_COLOR = '#CC6677';

/** FNV-1a over the UTF-8 bytes: tiny, dependency-free and identical on every machine. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

const paletteIndex = (label: string): number => fnv1a(label.trim().toLowerCase()) % PALETTE.length;

/**
 * The home colour of a label: a hash of the lower-cased, trimmed label into {@link PALETTE}, so
 * "Food" is the same colour in every chart of every book and across restarts.
 */
export function labelColor(label: string): string {
  return PALETTE[paletteIndex(label)]!;
}

/**
 * Colours for the labels of one chart, in the given order (largest first). Each label gets its
 * home colour unless an earlier (larger) label already took it; then it takes the next free
 * palette colour. A hash into nine colours collides often, and two slices with one colour would
 * make the legend ambiguous, so within one chart distinctness wins over cross-chart stability —
 * but only for the smaller of the colliding labels.
 */
export function assignColors(labels: readonly string[]): string[] {
  const used = new Set<number>();
  return labels.map((label) => {
    const home = paletteIndex(label);
    let index = home;
    for (let step = 0; step < PALETTE.length && used.has(index); step++) index = (home + step + 1) % PALETTE.length;
    used.add(index);
    return PALETTE[index]!;
  });
}

/**
 * One colour per label of a book, the same in every chart of it (issue 13): labels in the order
 * they were created each take their home colour, or the next one no earlier label holds. A label
 * made later never moves an earlier one; only past nine labels do colours repeat (round by round).
 * Keys are lower-cased names.
 */
export function bookLabelColors(labels: readonly { id: number; name: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  const sorted = [...labels].sort((a, b) => a.id - b.id);
  for (let round = 0; round * PALETTE.length < sorted.length; round++) {
    const names = sorted.slice(round * PALETTE.length, (round + 1) * PALETTE.length).map((l) => l.name);
    assignColors(names).forEach((color, i) => (out[names[i]!.trim().toLowerCase()] = color));
  }
  return out;
}

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function textColorOn(hex: string): string {
  const channel = (offset: number): number => {
    const c = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast against white is (1.05)/(L+0.05), against black (L+0.05)/0.05; equal at L≈0.179.
  return luminance > 0.179 ? '#000000' : '#FFFFFF';
}
