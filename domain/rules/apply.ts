import type { Actor } from '../access/actor.js';
import type { Account } from '../types.js';
import { compileRules, type RuleMatcher } from './matcher.js';
import type { RuleStore } from './ports.js';
import type { RuleMatch } from './types.js';

/** The parts of a read record line (chat entry or template) a rule may change. */
export interface RuleTarget {
  labels: string[];
  note: string;
  /** The `@account` written, if any. */
  account: string | undefined;
  currency: string;
}

/**
 * Applies a book's rules to a record line that has no label: the rule matching its note gives the
 * label, and its account when the line names none and the account holds the line's currency (an
 * amount read in EUR never moves to a USD account). The typed note stays as written. A line with
 * a label, or without a note, is left alone. Returns the changed fields and the rule, or undefined.
 */
export function applyRule<T extends RuleTarget>(matcher: RuleMatcher | undefined, target: T, accounts: readonly Account[]): (T & { rule: RuleMatch }) | undefined {
  if (!matcher || target.labels.length > 0 || !target.note.trim()) return undefined;
  const rule = matcher.match({ note: target.note });
  if (!rule) return undefined;
  let account = target.account;
  if (account === undefined && rule.accountId !== undefined) {
    const acc = accounts.find((x) => x.id === rule.accountId);
    if (acc && acc.currency === target.currency) account = acc.name;
  }
  return { ...target, labels: [rule.label], account, rule };
}

/**
 * The book's rules compiled, when a record line needs them: not for a line with a label or without
 * a note, nor when entering the chat found the book has no rules (`snapshot.hasRules`), so most
 * records cost no extra query.
 */
export async function rulesForLine(a: Actor<Pick<RuleStore, 'listRules'>>, target: Pick<RuleTarget, 'labels' | 'note'>): Promise<RuleMatcher | undefined> {
  if (target.labels.length > 0 || !target.note.trim()) return undefined;
  return bookRules(a);
}

/** The book's rules compiled; undefined when it has none (known without a query from `snapshot.hasRules`). */
export async function bookRules(a: Actor<Pick<RuleStore, 'listRules'>>): Promise<RuleMatcher | undefined> {
  if (a.snapshot?.hasRules === false) return undefined;
  const rules = await a.store.listRules(a.book.id);
  return rules.length ? compileRules(rules) : undefined;
}
