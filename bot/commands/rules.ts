import { createHash } from 'node:crypto';
import { addRule, deleteRule, listRules, parseRuleArgs, parseRuleNumber, suggestBookRules } from '../../domain/rules/rules.js';
import type { BookRule } from '../../domain/rules/ports.js';
import type { RuleSuggestion } from '../../domain/rules/suggest.js';
import { t } from '../i18n/index.js';
import type { ActionDef, CommandContext, CommandDef } from '../registry.js';
import { table, type Reply } from '../reply.js';

/** Suggestions offered as buttons (the rest as `/rule add` lines to copy). */
const SUGGEST_BUTTONS = 5;
/** Suggestions listed at most. */
const SUGGEST_LINES = 20;

/** `/rule add` line for a suggestion, ready to copy. */
const addLine = (s: Pick<RuleSuggestion, 'pattern' | 'label'>): string => `/rule add ${s.pattern} #${s.label}`;

/**
 * A suggestion's button argument: a short hash of pattern and label (Telegram allows 64 bytes of
 * button data, a Cyrillic payee may not fit). Pressing it proposes again and adds the one with
 * this hash, so nothing is kept in memory between the two and any replica can answer.
 */
const suggestionKey = (s: Pick<RuleSuggestion, 'pattern' | 'label'>): string => createHash('sha256').update(`${s.pattern}\u0000${s.label}`).digest('base64url').slice(0, 12);

function ruleSummary(ctx: CommandContext, r: BookRule): string {
  const parts = [`“${r.pattern}” → #${r.label}`];
  if (r.accountName) parts.push(`@${r.accountName}`);
  if (r.note) parts.push(`“${r.note}”`);
  return t(ctx.lang, 'rule.summary', { seq: r.seq, what: parts.join(' ') });
}

async function list(ctx: CommandContext): Promise<Reply> {
  const rules = await listRules(ctx.actor);
  if (rules.length === 0) return { text: t(ctx.lang, 'rule.list_empty') };
  const head = ['rule.col_n', 'rule.col_pattern', 'rule.col_label', 'rule.col_account', 'rule.col_note'] as const;
  const rows = [head.map((k) => t(ctx.lang, k)), ...rules.map((r) => [String(r.seq), r.pattern, `#${r.label}`, r.accountName ? `@${r.accountName}` : '', r.note ?? ''])];
  return { text: t(ctx.lang, 'rule.list_title', { count: rules.length }), pre: table(rows, ['r', 'l', 'l', 'l', 'l']) };
}

async function add(ctx: CommandContext, args: string): Promise<Reply> {
  const rule = await addRule(ctx.actor, parseRuleArgs(args));
  return { text: t(ctx.lang, 'rule.added', { what: ruleSummary(ctx, rule) }) };
}

async function suggest(ctx: CommandContext): Promise<Reply> {
  const found = await suggestBookRules(ctx.actor);
  if (found.length === 0) return { text: t(ctx.lang, 'rule.suggest_none') };
  const shown = found.slice(0, SUGGEST_LINES);
  const lines = shown.map((s) => `${addLine(s)}  (${t(ctx.lang, 'rule.suggest_count', { count: s.count })})`);
  return {
    text: t(ctx.lang, 'rule.suggest_title', { count: found.length }),
    pre: lines.join('\n'),
    buttons: shown.slice(0, SUGGEST_BUTTONS).map((s) => [{ label: t(ctx.lang, 'rule.suggest_button', { pattern: s.pattern, label: s.label }), action: `rulesuggest:${suggestionKey(s)}` }]),
  };
}

export const ruleCommands: CommandDef[] = [
  {
    name: 'rules',
    description: 'Rules that label records by payee or note',
    usage: '/rules',
    run: async (ctx) => list(ctx),
  },
  {
    name: 'rule',
    description: 'Add, delete or suggest rules that label records',
    usage: '/rule add|delete|suggest …',
    subcommands: [
      {
        name: 'add',
        description: 'Add a rule: a pattern that sets a label',
        usage: '/rule add <pattern> #label [@account] [note…] — pattern: words and * (lidl, uber*, amazon*prime)',
        options: [
          { name: 'pattern', description: 'Words and * wildcards, e.g. lidl, uber*, amazon*prime', type: 'string', required: true },
          { name: 'label', description: 'Label', type: 'string', required: true, autocomplete: 'label', prefix: '#' },
          { name: 'account', description: 'Account', type: 'string', autocomplete: 'account', prefix: '@', quote: true },
          { name: 'note', description: 'Note', type: 'string' },
        ],
        run: add,
      },
      {
        name: 'delete',
        description: 'Delete a rule (its labels on records stay)',
        usage: '/rule delete <N>',
        options: [{ name: 'n', description: 'Rule number (see /rules)', type: 'string', required: true }],
        run: async (ctx, args) => {
          const rule = await deleteRule(ctx.actor, parseRuleNumber(args));
          return { text: t(ctx.lang, 'rule.deleted', { what: ruleSummary(ctx, rule) }) };
        },
      },
      {
        name: 'suggest',
        description: 'Propose rules from records labelled the same way',
        usage: '/rule suggest',
        run: async (ctx) => suggest(ctx),
      },
    ],
  },
];

export const ruleActions: ActionDef[] = [
  {
    // A suggestion's button: adds the rule it proposed, if it is still proposed.
    name: 'rulesuggest',
    run: async (ctx, arg) => {
      const found = (await suggestBookRules(ctx.actor)).find((s) => suggestionKey(s) === arg);
      if (!found) return [{ text: t(ctx.lang, 'rule.suggestion_gone'), ephemeral: true }];
      return add(ctx, `${found.pattern} #${found.label}`);
    },
  },
];
