import { isDomainError } from '../errors.js';
import { compilePattern, matchesSearchable, type CompiledPattern } from './pattern.js';
import { searchableText } from './fold.js';
import type { Rule, RuleMatch, RuleSubject } from './types.js';

/** A book's rules, compiled once and indexed for matching many rows. */
export interface RuleMatcher {
  /** The rule that applies to these texts, or null. */
  match(subject: RuleSubject): RuleMatch | null;
  /** Rules left out because their pattern no longer compiles (stored before a rule change). */
  readonly skipped: readonly Rule[];
  readonly size: number;
}

interface Entry {
  rule: Rule;
  compiled: CompiledPattern;
  /** Position in precedence order: lower wins. */
  rank: number;
  /** The text this entry was last tried on (a counter), so a text tries each rule once. */
  seenAt: number;
}

/** How many leading (trailing) letters key the prefix (suffix) index. */
const KEY = 3;

/**
 * Compiles a book's rules into a matcher.
 *
 * **Precedence** (deterministic): when several rules match, the most specific wins — the one with
 * more letters and digits in its pattern (`amazon prime` before `amazon`) — and among equally
 * specific ones the rule added first (lower `seq`, then lower `id`). A rule matches when its
 * pattern matches the payee, the memo or the note (each on its own; see `compilePattern`).
 *
 * **Speed**: each rule is filed under one word every text it matches must contain — a whole word
 * of its pattern (`lidl`), else the start of a word (`amzn*` under `amz…`), else the end of one
 * (`*mart` under `…art`); only rules with no such word (`*zon*`) are tried on every row. A row
 * looks up its own words, so it tries the few rules that could match rather than all of them.
 */
export function compileRules(rules: readonly Rule[]): RuleMatcher {
  const compiled: { rule: Rule; compiled: CompiledPattern }[] = [];
  const skipped: Rule[] = [];
  for (const rule of rules) {
    try {
      compiled.push({ rule, compiled: compilePattern(rule.pattern) });
    } catch (e) {
      if (!isDomainError(e)) throw e;
      skipped.push(rule);
    }
  }
  compiled.sort((a, b) => b.compiled.literalLength - a.compiled.literalLength || a.rule.seq - b.rule.seq || a.rule.id - b.rule.id);
  const entries: Entry[] = compiled.map((c, rank) => ({ ...c, rank, seenAt: 0 }));

  const exact = new Map<string, Entry[]>();
  const prefix = new Map<string, Entry[]>();
  const suffix = new Map<string, Entry[]>();
  const always: Entry[] = [];
  const file = (m: Map<string, Entry[]>, key: string, e: Entry) => {
    const list = m.get(key);
    if (list) list.push(e);
    else m.set(key, [e]);
  };
  for (const e of entries) {
    const key = indexKey(e.compiled);
    if (key.kind === 'exact') file(exact, key.word, e);
    else if (key.kind === 'prefix') file(prefix, key.word.slice(0, KEY), e);
    else if (key.kind === 'suffix') file(suffix, key.word.slice(-KEY), e);
    else always.push(e);
  }

  let textNo = 0;
  const tryText = (text: string, best: Entry | undefined): Entry | undefined => {
    if (text === ' ') return best;
    const now = ++textNo;
    const consider = (list: Entry[] | undefined) => {
      if (!list) return;
      for (const e of list) {
        if ((best && e.rank >= best.rank) || e.seenAt === now) continue;
        e.seenAt = now;
        if (matchesSearchable(e.compiled, text)) best = e;
      }
    };
    consider(always);
    for (const word of text.slice(1, -1).split(' ')) {
      consider(exact.get(word));
      for (let n = 1; n <= Math.min(KEY, word.length); n++) {
        consider(prefix.get(word.slice(0, n)));
        consider(suffix.get(word.slice(-n)));
      }
    }
    return best;
  };

  return {
    skipped,
    size: entries.length,
    match(subject) {
      let best: Entry | undefined;
      for (const field of [subject.payee, subject.memo, subject.note]) {
        if (field) best = tryText(searchableText(field), best);
        if (best?.rank === 0) break;
      }
      if (!best) return null;
      const { rule } = best;
      const out: RuleMatch = { ruleId: rule.id, seq: rule.seq, label: rule.label };
      if (rule.accountId != null) out.accountId = rule.accountId;
      if (rule.note) out.note = rule.note;
      return out;
    },
  };
}

type IndexKey = { kind: 'exact' | 'prefix' | 'suffix'; word: string } | { kind: 'none' };

/** The word a rule is filed under: the longest whole word, else the longest word start, else the longest word end. */
function indexKey(p: CompiledPattern): IndexKey {
  let exact = '';
  let start = '';
  let end = '';
  p.pieces.forEach((piece) => {
    const words = piece.split(' ');
    // Inside a piece, a word with a space on both sides is whole; the first word of a piece
    // starting with a space is a word start; the last word of a piece ending with a space is a word end.
    words.forEach((w, i) => {
      if (!w) return;
      const before = i > 0;
      const after = i < words.length - 1;
      if (before && after) {
        if (w.length > exact.length) exact = w;
      } else if (before) {
        if (w.length > start.length) start = w;
      } else if (after) {
        if (w.length > end.length) end = w;
      }
    });
  });
  if (exact) return { kind: 'exact', word: exact };
  if (start) return { kind: 'prefix', word: start };
  if (end) return { kind: 'suffix', word: end };
  return { kind: 'none' };
}
