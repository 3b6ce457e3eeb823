export type { Rule, RuleMatch, RuleSubject } from './types.js';
export { foldText, foldedWords, searchableText } from './fold.js';
export { compilePattern, matchesSearchable, MAX_PATTERN_LENGTH, type CompiledPattern } from './pattern.js';
export { compileRules, type RuleMatcher } from './matcher.js';
export { labelStatementRows, countByRule, type LabelledRow } from './statement-rows.js';
export { suggestRules, payeeKey, SUGGEST_MIN, type HistoryItem, type RuleSuggestion } from './suggest.js';
export { applyRule, type RuleTarget } from './apply.js';
export type { BookRule, NewRule, RuleStore } from './ports.js';
export { addRule, listRules, deleteRule, suggestBookRules, parseRuleArgs, parseRuleNumber, MAX_RULES, type RuleInput } from './rules.js';
