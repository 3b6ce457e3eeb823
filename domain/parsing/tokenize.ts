/**
 * Quote pairs a user may type around a multi-word value. Typographic quotes come from phone
 * keyboards that "smarten" straight quotes; German `„…“` and French `«…»` from their layouts.
 */
const CLOSERS: Readonly<Record<string, readonly string[]>> = {
  '"': ['"'],
  "'": ["'"],
  '“': ['”', '“'],
  '„': ['“', '”'],
  '«': ['»'],
  '‘': ['’'],
};

const WHITESPACE = /\s/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Splits chat text into words on whitespace. A quoted segment (`"Credit Card"`, `'Credit Card'`,
 * `“Credit Card”`, `«Credit Card»`) stays one word with its quotes removed, also after a prefix
 * (`@"Credit Card"` → `@Credit Card`).
 *
 * A quote opens a segment only at the start of a word or after non-letter/digit characters such
 * as `@` or `#`, so apostrophes inside words (`don't`, `1'234.50`) stay literal. It closes at the
 * first matching quote followed by whitespace or the end (so `'Bob's card'` works), else at the
 * first matching quote; an unmatched quote is kept as a plain character. An explicitly quoted
 * empty string (`""`) yields an empty word; whitespace never does.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let started = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (WHITESPACE.test(ch)) {
      if (started) tokens.push(current);
      current = '';
      started = false;
      i++;
      continue;
    }
    const closers = CLOSERS[ch];
    if (closers && !WORD_CHAR.test(current)) {
      const close = findClose(text, i + 1, closers);
      if (close !== -1) {
        current += text.slice(i + 1, close);
        started = true;
        i = close + 1;
        continue;
      }
    }
    current += ch;
    started = true;
    i++;
  }
  if (started) tokens.push(current);
  return tokens;
}

function findClose(text: string, from: number, closers: readonly string[]): number {
  let first = -1;
  for (let j = from; j < text.length; j++) {
    if (!closers.includes(text[j]!)) continue;
    const next = text[j + 1];
    if (next === undefined || WHITESPACE.test(next)) return j;
    if (first === -1) first = j;
  }
  return first;
}
