import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { DomainError } from '../errors.js';
import type { AccountStore } from '../ports.js';
import { tokenize } from '../parsing/tokenize.js';
import { compilePattern } from './pattern.js';
import type { BookRule, RuleStore } from './ports.js';
import { suggestRules, type RuleSuggestion } from './suggest.js';

/** Most live rules a book keeps (matching 1,000 rules stays quick: see `npm run bench -- rules`). */
export const MAX_RULES = 1000;
/** Longest note a rule sets. */
export const MAX_RULE_NOTE = 200;
/** Most recent records `/rule suggest` reads. */
export const SUGGEST_HISTORY = 5000;

const LABEL_RE = /^[\p{L}\p{N}_-]{1,32}$/u;

/** What `/rule add` (or the API) asks for. */
export interface RuleInput {
  pattern: string;
  /** With or without `#`. */
  label: string;
  /** Account name, with or without `@`. */
  account?: string | undefined;
  note?: string | undefined;
}

/**
 * Reads `/rule add` arguments: `<pattern> #label [@account] [note…]`. The pattern is everything
 * before the first `#word`; after the label an `@account` may follow, then the note.
 * @throws DomainError `usage` when the label or the pattern is missing, or a second label follows.
 */
export function parseRuleArgs(args: string): RuleInput {
  const tokens = tokenize(args.trim());
  const at = tokens.findIndex((t) => t.startsWith('#') && t.length > 1);
  if (at <= 0) throw new DomainError('usage', { command: 'rule' });
  const pattern = tokens.slice(0, at).join(' ');
  const label = tokens[at]!;
  let rest = tokens.slice(at + 1);
  let account: string | undefined;
  if (rest[0]?.startsWith('@') && rest[0].length > 1) {
    account = rest[0];
    rest = rest.slice(1);
  }
  if (rest.some((t) => t.startsWith('#') && t.length > 1)) throw new DomainError('usage', { command: 'rule' });
  const note = rest.join(' ').trim();
  return { pattern, label, account, note: note || undefined };
}

/**
 * Adds a rule to the book (admins and owners; in a private book its owner). Checks everything
 * before writing: the pattern (`compilePattern`), the label's spelling, the account, the note's
 * length, the same pattern twice, the number of rules.
 * @throws DomainError `forbidden`, `rule_invalid` ({pattern, reason}: `regex`, `empty`, `too_long`,
 *   `exists` with `seq`, `limit`), `label_invalid`, `account_unknown`, `usage`.
 */
export async function addRule(a: Actor<RuleStore & Pick<AccountStore, 'listAccounts'>>, input: RuleInput): Promise<BookRule> {
  assertCan(a.role, 'manage');
  const pattern = input.pattern.trim().replace(/\s+/g, ' ');
  const compiled = compilePattern(pattern);
  const label = input.label.trim().replace(/^#/, '').toLowerCase();
  if (!LABEL_RE.test(label)) throw new DomainError('label_invalid', { label: input.label });
  const note = input.note?.trim() || null;
  if (note && note.length > MAX_RULE_NOTE) throw new DomainError('rule_invalid', { pattern, reason: 'note_too_long' });
  const [existing, accounts] = await Promise.all([a.store.listRules(a.book.id), input.account ? a.store.listAccounts(a.book.id) : Promise.resolve([])]);
  let accountId: number | null = null;
  if (input.account) {
    const name = input.account.replace(/^@/, '').toLowerCase();
    const acc = accounts.find((x) => x.name.toLowerCase() === name);
    if (!acc) throw new DomainError('account_unknown', { account: input.account.replace(/^@/, ''), accounts: accounts.map((x) => x.name) });
    accountId = acc.id;
  }
  const same = existing.find((r) => safeCanonical(r.pattern) === compiled.canonical);
  if (same) throw new DomainError('rule_invalid', { pattern, reason: 'exists', seq: same.seq });
  if (existing.length >= MAX_RULES) throw new DomainError('rule_invalid', { pattern, reason: 'limit' });
  return a.store.addRule({ bookId: a.book.id, pattern, label, accountId, note, createdBy: a.userId });
}

const safeCanonical = (pattern: string): string | undefined => {
  try {
    return compilePattern(pattern).canonical;
  } catch {
    return undefined;
  }
};

/** `/rules`: the book's rules by number (every member, viewers too). */
export async function listRules(a: Actor<Pick<RuleStore, 'listRules'>>): Promise<BookRule[]> {
  assertCan(a.role, 'read');
  return a.store.listRules(a.book.id);
}

/** `3`, `#3`, `N3` → 3. @throws DomainError `usage`. */
export function parseRuleNumber(raw: string | undefined): number {
  const m = /^(?:#|n)?(\d{1,9})$/i.exec((raw ?? '').trim());
  if (!m) throw new DomainError('usage', { command: 'rule' });
  return Number(m[1]);
}

/**
 * `/rule delete N` (admins and owners): removes rule N; records it labelled keep their labels.
 * @throws DomainError `forbidden`, `rule_unknown` ({seq}).
 */
export async function deleteRule(a: Actor<Pick<RuleStore, 'deleteRule'>>, seq: number): Promise<BookRule> {
  assertCan(a.role, 'manage');
  const deleted = await a.store.deleteRule(a.book.id, seq);
  if (!deleted) throw new DomainError('rule_unknown', { seq });
  return deleted;
}

/**
 * `/rule suggest`: rules proposed from the book's recent records (`suggestRules`: payees labelled
 * the same way three times or more), leaving out what an existing rule already does. Writes nothing.
 */
export async function suggestBookRules(a: Actor<Pick<RuleStore, 'listRules' | 'ruleHistory'>>): Promise<RuleSuggestion[]> {
  assertCan(a.role, 'read');
  const [history, existing] = await Promise.all([a.store.ruleHistory(a.book.id, SUGGEST_HISTORY), a.store.listRules(a.book.id)]);
  return suggestRules(history, existing);
}
