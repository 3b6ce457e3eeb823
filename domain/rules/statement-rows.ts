import type { StatementRow } from '../statements/types.js';
import { compileRules, type RuleMatcher } from './matcher.js';
import type { Rule, RuleMatch } from './types.js';

/** A statement row with the rule that labelled it (`rule: null` when none applies). */
export interface LabelledRow<R extends Pick<StatementRow, 'payee' | 'memo'> = StatementRow> {
  row: R;
  rule: RuleMatch | null;
}

/**
 * Which rule labels each statement row (payee and memo), in the statement's order — for the
 * import preview ("Lidl 23.40 → #groceries by rule 3") and for the import write. Takes the
 * book's rules or a matcher already compiled from them.
 */
export function labelStatementRows<R extends Pick<StatementRow, 'payee' | 'memo'>>(rules: readonly Rule[] | RuleMatcher, rows: readonly R[]): LabelledRow<R>[] {
  const matcher = 'match' in rules ? rules : compileRules(rules);
  return rows.map((row) => ({ row, rule: matcher.match({ payee: row.payee, memo: row.memo }) }));
}

/** How many rows each rule labelled, by rule `seq` (for a preview line such as "rule 3: 12 rows"). */
export function countByRule(labelled: readonly LabelledRow<Pick<StatementRow, 'payee' | 'memo'>>[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const l of labelled) if (l.rule) out.set(l.rule.seq, (out.get(l.rule.seq) ?? 0) + 1);
  return out;
}
