import type { Registry } from './registry.js';

/** Edit distance (insertions, deletions, substitutions) between two short words. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The registered command (or alias) nearest to an unknown word, for "did you mean": within two
 * edits (one for words of up to four letters), or one that starts with the word or it with one
 * (`/balance` → `balances`, `/stat` → `stats`). Undefined when nothing is close.
 */
export function nearestCommand(registry: Registry, word: string): string | undefined {
  const w = word.toLowerCase();
  const names = registry.commands.flatMap((c) => [c.name, ...(c.aliases ?? [])]).filter((n) => n.length > 1);
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const prefix = name.startsWith(w) || w.startsWith(name);
    const d = prefix && Math.min(name.length, w.length) >= 3 ? 0.5 : distance(w, name);
    if (d <= (w.length <= 4 ? 1 : 2) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}
