const ASCII = /^[\x00-\x7f]*$/;

/**
 * Text folding for rules: what a pattern and a payee/memo/note are compared as.
 *
 * Case and accents do not matter (`Café` = `CAFE`, `Ёлка` = `елка`, `Straße` = `STRASSE`), and
 * everything that is not a letter or digit is a word separator (`LIDL.DE*1234` reads as the words
 * `lidl de 1234`). Folding: upper then lower case (so `ß`→`ss`, `ı`→`i`), compatibility
 * decomposition with the combining marks dropped (accents, ligatures `ﬁ`→`fi`), final sigma as sigma.
 */
export function foldText(text: string): string {
  // Most bank text is ASCII: lower case is all folding does to it.
  if (ASCII.test(text)) return text.toLowerCase();
  return text
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/ς/g, 'σ');
}

const SEPARATORS = /[^\p{L}\p{N}]+/gu;

/** The words of a text, folded: `"Café-Bar 12"` → `['cafe', 'bar', '12']`. */
export function foldedWords(text: string): string[] {
  const f = foldText(text).replace(SEPARATORS, ' ').trim();
  return f ? f.split(' ') : [];
}

/**
 * A text as the matcher searches it: folded words joined by single spaces, with one space before
 * and after, so a word boundary is always a space (`" lidl de 1234 "`).
 */
export function searchableText(text: string): string {
  const words = foldedWords(text);
  return words.length ? ` ${words.join(' ')} ` : ' ';
}
