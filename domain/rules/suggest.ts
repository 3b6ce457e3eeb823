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
 * more. A record's payee is the bank's payee, else its note (what was typed after the amount),
 * read as its first three words without digits (`LIDL 1234 BERLIN` → `lidl berlin`: store
 * numbers and dates do not split a merchant).
 *
 * Records are grouped by their first word; when one label has at least 3 records and more than
 * half of the group, the rule proposed is the words all of those records start with (`Пятёрочка`
 * and `Пятёрочка у дома` → `пятерочка`; three `lidl berlin` → `lidl berlin`). A group split
 * between labels is grouped again by its first two words, then three (`amazon prime` →
 * subscriptions, `amazon marketplace` → shopping) — also when a majority label has a rival
 * with three records of its own — and left for a person to decide if still split (a majority
 * label is proposed when longer payees tell nothing apart). Payees an existing rule already gives that label are left out. Most frequent first,
 * then by pattern.
 */
export function suggestRules(history: readonly HistoryItem[], existing: readonly Rule[] = []): RuleSuggestion[] {
  const items: { words: string[]; labels: readonly string[] }[] = [];
  for (const item of history) {
    if (item.labels.length === 0) continue;
    const words = payeeWords(item.payee || item.note || '');
    if (words.length) items.push({ words, labels: [...new Set(item.labels)] });
  }
  const matcher = compileRules(existing);
  const out: RuleSuggestion[] = [];
  const propose = (group: typeof items, depth: number) => {
    const groups = new Map<string, typeof items>();
    for (const it of group) {
      if (it.words.length < depth) continue;
      const key = it.words.slice(0, depth).join(' ');
      const list = groups.get(key);
      if (list) list.push(it);
      else groups.set(key, [it]);
    }
    for (const members of groups.values()) {
      const counts = new Map<string, number>();
      for (const it of members) for (const l of it.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
      const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const [label, count] = ranked[0]!;
      const majority = count >= SUGGEST_MIN && count * 2 > members.length;
      // Another label with enough records of its own: longer payees may tell them apart.
      const contested = ranked.length > 1 && ranked[1]![1] >= SUGGEST_MIN;
      const before = out.length;
      if ((!majority || contested) && depth < MAX_WORDS && members.length >= SUGGEST_MIN) propose(members, depth + 1);
      if (majority && out.length === before) {
        const pattern = commonStart(members.filter((it) => it.labels.includes(label)).map((it) => it.words)).join(' ');
        if (matcher.match({ payee: pattern })?.label !== label) out.push({ pattern, label, count });
      }
    }
  };
  propose(items, 1);
  return out.sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern));
}

/** The words every list starts with. */
function commonStart(lists: readonly string[][]): string[] {
  const first = lists[0] ?? [];
  let n = first.length;
  for (const l of lists) {
    let i = 0;
    while (i < n && l[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n);
}

/** The words a payee is grouped by: folded, words with digits dropped, the first three. */
export function payeeWords(payee: string): string[] {
  return foldedWords(payee)
    .filter((w) => !/\p{N}/u.test(w))
    .slice(0, MAX_WORDS);
}
