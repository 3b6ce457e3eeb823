import { foldedWords } from './fold.js';
import { compileRules } from './matcher.js';
import type { Rule } from './types.js';

/** A record of the book's history as `suggestRules` needs it. */
export interface HistoryItem {
  /** The bank's payee, for imported records. */
  payee?: string | null | undefined;
  note?: string | null | undefined;
  labels: readonly string[];
}

export interface RuleSuggestion {
  /** A pattern for `/rule add` (plain words). */
  pattern: string;
  label: string;
  /** How many records with this payee carry the label. */
  count: number;
}

/** Records with the same payee and label it takes to propose a rule. */
export const SUGGEST_MIN = 3;
/** Most words of a payee kept in a proposed pattern. */
const MAX_WORDS = 3;

/**
 * Proposes rules from a book's history: payees labelled the same way `SUGGEST_MIN` (3) times or
 * more. A record's payee is the bank's payee, else its note (what was typed after the amount).
 * The payee is keyed by its first words without digits (`LIDL 1234 BERLIN` → `lidl berlin`, up
 * to three words, so store numbers and dates do not split a merchant). Per payee the most frequent
 * label is proposed when it has at least 3 records and more than half of that payee's labelled
 * records (a payee split between labels is left for a person to decide). Payees an existing rule
 * already gives that label are left out. Most frequent first, then by pattern.
 */
export function suggestRules(history: readonly HistoryItem[], existing: readonly Rule[] = []): RuleSuggestion[] {
  const byPayee = new Map<string, { total: number; labels: Map<string, number> }>();
  for (const item of history) {
    if (item.labels.length === 0) continue;
    const key = payeeKey(item.payee || item.note || '');
    if (!key) continue;
    let entry = byPayee.get(key);
    if (!entry) byPayee.set(key, (entry = { total: 0, labels: new Map() }));
    entry.total += 1;
    for (const label of new Set(item.labels)) entry.labels.set(label, (entry.labels.get(label) ?? 0) + 1);
  }
  const matcher = compileRules(existing);
  const out: RuleSuggestion[] = [];
  for (const [pattern, { total, labels }] of byPayee) {
    const [label, count] = [...labels].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    if (count < SUGGEST_MIN || count * 2 <= total) continue;
    if (matcher.match({ payee: pattern })?.label === label) continue;
    out.push({ pattern, label, count });
  }
  return out.sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern));
}

/** The words a payee is grouped by: folded, words with digits dropped, the first three. */
export function payeeKey(payee: string): string {
  return foldedWords(payee)
    .filter((w) => !/\p{N}/u.test(w))
    .slice(0, MAX_WORDS)
    .join(' ');
}
