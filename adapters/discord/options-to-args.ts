import type { CommandPlan, Leaf, PlannedOption } from './command-builder.js';

/** A typed option value as Discord delivers it. */
export type OptionValue = string | number | boolean;

/** Quote pairs the text grammar understands (domain/parsing/tokenize.ts), tried in this order. */
const QUOTES: readonly [string, string][] = [
  ['"', '"'],
  ['“', '”'],
  ['«', '»'],
  ["'", "'"],
];

/** Wraps a multi-word value in the first quote pair it does not contain, so it stays one word. */
export function quoteValue(value: string): string {
  if (!/\s/.test(value)) return value;
  const pair = QUOTES.find(([open, close]) => !value.includes(open) && !value.includes(close));
  // A value holding every quote character cannot be quoted; its words then read as separate ones.
  return pair ? `${pair[0]}${value}${pair[1]}` : value;
}

function word(o: PlannedOption, raw: OptionValue): string {
  let value = String(raw).trim();
  if (!value) return '';
  const prefix = o.spec.prefix;
  // Someone typing `#food` into a label option means the label food, not `##food`.
  if (prefix && value.startsWith(prefix)) value = value.slice(prefix.length).trim();
  if (!value) return '';
  if (o.spec.quote) value = quoteValue(value);
  return prefix ? `${prefix}${value}` : value;
}

/**
 * Rebuilds the text arguments of a command from Discord's typed options: values in the
 * registry's declared order (not Discord's required-first order) with their `#`/`@` prefixes,
 * multi-word names quoted, and the free-text record line right after the amount, which the
 * record grammar reads the same wherever the other words stand. Attachment options carry files,
 * not words, and are left out. A grouped command's subcommand word comes first.
 */
export function argsFromOptions(leaf: Leaf, values: ReadonlyMap<string, OptionValue>): string {
  const words: string[] = leaf.word ? [leaf.word] : [];
  const line = leaf.recordLine ? String(values.get(leaf.recordLine) ?? '').trim() : '';
  let lineUsed = false;
  for (const o of leaf.options) {
    if (o.spec.type === 'attachment') continue;
    const v = values.get(o.discordName);
    if (v !== undefined) words.push(word(o, v));
    if (o.spec.name === 'amount' && line) {
      words.push(line);
      lineUsed = true;
    }
  }
  if (line && !lineUsed) words.splice(leaf.word ? 1 : 0, 0, line);
  return words.filter(Boolean).join(' ');
}

/**
 * Finds the leaf an invocation addresses: the subcommand's, or the command's own for
 * commands without subcommands. Undefined for a subcommand this plan does not know (a stale
 * registration).
 */
export function leafFor(plan: CommandPlan, subcommand: string | null | undefined): Leaf | undefined {
  return plan.leaves.get(subcommand ?? '');
}
