import { DomainError } from '../errors.js';
import { foldText } from './fold.js';

/** Longest pattern accepted (characters). */
export const MAX_PATTERN_LENGTH = 100;

/**
 * A pattern compiled for search in a `searchableText`: literal pieces that must appear in this
 * order. A piece starting (ending) with a space must start (end) at a word boundary.
 */
export interface CompiledPattern {
  /** The pattern as folded text, spaces between words and `*` where the user wrote one: the canonical form. */
  canonical: string;
  pieces: string[];
  /** Letters and digits in the pattern: more means more specific (see `compileRules`). */
  literalLength: number;
}

/**
 * Reads a rule pattern: plain words and `*` wildcards.
 *
 * - Case, accents and punctuation do not matter: the pattern and the text are both folded to
 *   words (`foldText`); `Lidl.de` is the words `lidl de`.
 * - The pattern matches anywhere in the text, but whole words at its ends: `uber` matches
 *   `UBER *TRIP` and `Uber Eats`, not `Tuber`; `uber*` also matches `UberEats`; `*mart` matches
 *   `Walmart`.
 * - `*` matches any run of characters, spaces included, or none: `amazon*prime` matches
 *   `Amazon Prime`, `AmazonPrime` and `Amazon EU Prime Video`. A space next to a `*` keeps the
 *   word boundary: `amzn *` matches `AMZN MKTP` and `AMZN`, not `AMZNX`.
 * - Regular expressions are refused (`/…/`, a backslash or a `|`): a backtracking engine can take exponential time on
 *   hostile input, and words with `*` cover what statements need. The matcher here is linear
 *   per piece (`indexOf`), whatever the pattern.
 *
 * @throws DomainError `rule_invalid` with `reason`: `empty` (no letter or digit), `regex`, `too_long`.
 */
export function compilePattern(pattern: string): CompiledPattern {
  const raw = pattern.trim();
  if (raw.length > MAX_PATTERN_LENGTH) throw new DomainError('rule_invalid', { pattern: raw.slice(0, 40) + '…', reason: 'too_long' });
  if (looksLikeRegex(raw)) throw new DomainError('rule_invalid', { pattern: raw, reason: 'regex' });
  // Fold, then: runs of separators → one space; `*` kept; spaces around a `*` kept (they are boundaries).
  const folded = foldText(raw)
    .replace(/[^\p{L}\p{N}*]+/gu, ' ')
    .replace(/\*+/g, '*')
    .trim();
  const literalLength = (folded.match(/[\p{L}\p{N}]/gu) ?? []).length;
  if (literalLength === 0) throw new DomainError('rule_invalid', { pattern: raw, reason: 'empty' });
  const parts = folded.split('*');
  const pieces: string[] = [];
  parts.forEach((part, i) => {
    // The pattern's own ends are word boundaries unless a `*` stands there.
    let p = part;
    if (i === 0 && p !== '') p = ' ' + p;
    if (i === parts.length - 1 && p !== '') p = p + ' ';
    // A piece that is only a space (`a* *b`) still asks for a word boundary between the two.
    if (p !== '') pieces.push(p);
  });
  return { canonical: folded, pieces, literalLength };
}

/**
 * Whether a compiled pattern matches a `searchableText` (` word word `). Each piece is searched
 * from where the previous one ended — leftmost first, which is optimal for `*`-only patterns, so
 * no backtracking — and a piece ending at a word boundary shares that space with the next piece.
 */
export function matchesSearchable(p: CompiledPattern, text: string): boolean {
  let from = 0;
  for (const piece of p.pieces) {
    const at = text.indexOf(piece, from);
    if (at < 0) return false;
    from = at + piece.length;
    if (piece.endsWith(' ')) from -= 1;
  }
  return true;
}

/** `/…/` (with flags), or a backslash escape or an alternation bar: meant as a regular expression. */
function looksLikeRegex(raw: string): boolean {
  return /^\/.+\/[a-z]*$/is.test(raw) || /[\\|]/.test(raw);
}
