import { z } from 'zod';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { editEvent, history } from '../../domain/ledger/edit.js';
import { deleteEvent, restoreEvent, undo } from '../../domain/ledger/record.js';
import { recordEntry, type Entry, type EntryRecorded } from '../../domain/ledger/record-entry.js';
import { formatMoney } from '../../domain/money/money.js';
import { tokenize } from '../../domain/parsing/tokenize.js';
import { eventAmount, eventLine, eventSummary } from '../format.js';
import { t } from '../i18n/index.js';
import type { ActionDef, CommandContext, CommandDef, OptionSpec, QuickEntryHandler } from '../registry.js';
import type { Reply } from '../reply.js';
import { askAmount, takeAnswer } from './ambiguous-amount.js';
import { alertText } from '../presentation/budget-alert.js';

const seqArg = z
  .string()
  .regex(/^#?\d{1,9}$/)
  .transform((s) => Number(s.replace('#', '')));

/** `#12` or `12` → 12; anything else is a usage error. */
export function parseSeq(raw: string | undefined): number {
  const r = seqArg.safeParse(raw ?? '');
  if (!r.success) throw new DomainError('usage', {});
  return r.data;
}

/**
 * The confirmation of a record: `#N`, amount, labels, account, who owes what of a split, the new
 * balances and Undo; then the budget alerts the record triggered.
 */
export function recordReply(ctx: CommandContext, rec: EntryRecorded): Reply[] {
  const e = rec.event;
  const lines: string[] = [];
  const head =
    e.kind === 'transfer'
      ? t(ctx.lang, 'record.transfer', { seq: e.seq, amount: eventAmount(e, ctx.lang), from: e.accountName, to: e.toAccountName ?? '' })
      : t(ctx.lang, e.kind === 'expense' ? 'record.expense' : 'record.income', { seq: e.seq, amount: formatMoney(e.amountMinor, e.currency, { lang: ctx.lang }) });
  const tags = e.kind === 'transfer' ? '' : [e.labels.map((l) => `#${l}`).join(' '), `@${e.accountName}`].filter(Boolean).join(' ');
  const byRule = rec.rule ? t(ctx.lang, 'record.by_rule', { seq: rec.rule.seq }) : '';
  lines.push([head, tags, e.note, byRule].filter(Boolean).join(' · '));
  for (const b of rec.balances) lines.push(t(ctx.lang, 'record.balance', { account: b.accountName, balance: formatMoney(b.balanceMinor, b.currency, { lang: ctx.lang }) }));
  if (rec.split) {
    const shares = rec.split.shares.map((s) => `${s.member.name} ${formatMoney(s.minor, e.currency, { lang: ctx.lang })}`);
    lines.push(t(ctx.lang, 'split.shares', { payer: rec.split.paidBy.name, shares }));
  }
  return [{ text: lines.join('\n'), buttons: [[{ label: t(ctx.lang, 'record.undo'), action: `undo:${e.seq}` }]] }, ...alertReplies(ctx, rec)];
}

/** The budget alerts a record, a batch or an import triggered, one message each; a failed check is logged (the records stand). */
export function alertReplies(ctx: CommandContext, r: Pick<EntryRecorded, 'alerts' | 'alertError'>): Reply[] {
  if (r.alertError) ctx.services.logger.error({ err: String(r.alertError), book: ctx.actor.book.id }, 'budget alert check failed');
  return r.alerts.map((a) => ({ text: alertText(a, ctx.lang) }));
}

/**
 * Records an entry and answers with its confirmation; a chat line whose amount reads two ways
 * (SPEC §6) gets a question with a button per reading instead, and nothing is recorded yet.
 */
export async function recordAndReply(ctx: CommandContext, entry: Entry): Promise<Reply[]> {
  try {
    return await recordReply(ctx, await recordEntry(ctx.actor, entry));
  } catch (e) {
    if (isDomainError(e) && e.code === 'amount_ambiguous' && 'line' in entry && entry.kind !== 'transfer') return [askAmount(ctx, entry.kind, entry.line, e)];
    throw e;
  }
}

/** A plain message that starts with an amount (`12.50 coffee`, `+2500 salary`). */
export const quickEntry: QuickEntryHandler = (ctx, q) => recordAndReply(ctx, q);

const recordOptions: OptionSpec[] = [
  { name: 'amount', description: 'Amount, e.g. 12.50 or 12 usd', type: 'string', required: true },
  { name: 'label', description: 'Label', type: 'string', autocomplete: 'label', prefix: '#' },
  { name: 'account', description: 'Account', type: 'string', autocomplete: 'account', prefix: '@', quote: true },
  { name: 'date', description: 'today, yesterday, 2026-11-24 or 24.11', type: 'string' },
  { name: 'note', description: 'Note', type: 'string' },
];

const recordCommand = (name: 'spend' | 'income', alias: string, kind: 'expense' | 'income'): CommandDef => ({
  name,
  aliases: [alias],
  description: kind === 'expense' ? 'Record an expense' : 'Record an income',
  usage: `/${name} <amount> [#label] [@account] [date] [note]`,
  options: recordOptions,
  run: async (ctx, args) => {
    if (!args) throw new DomainError('usage', {});
    return recordAndReply(ctx, { kind, line: args });
  },
});

async function undoReply(ctx: CommandContext, seq?: number): Promise<Reply> {
  const ev = await undo(ctx.actor, seq);
  const accounts = await ctx.actor.store.listAccounts(ctx.actor.book.id);
  const acc = accounts.find((a) => a.id === ev.accountId);
  return {
    text: t(ctx.lang, 'record.undone', {
      seq: ev.seq,
      what: eventSummary(ev, ctx.lang),
      account: ev.accountName,
      balance: acc ? formatMoney(acc.balanceMinor, acc.currency, { lang: ctx.lang }) : '',
    }),
    buttons: [[{ label: t(ctx.lang, 'record.restore'), action: `restore:${ev.seq}` }]],
  };
}

export const recordCommands: CommandDef[] = [
  recordCommand('spend', 's', 'expense'),
  recordCommand('income', 'i', 'income'),
  {
    name: 'transfer',
    description: 'Move money between accounts',
    usage: '/transfer <amount> [<amount received>] <from> <to> [note]',
    options: [
      { name: 'amount', description: 'Amount sent, e.g. 100 or 100 usd', type: 'string', required: true },
      { name: 'from', description: 'From account', type: 'string', required: true, autocomplete: 'account', quote: true },
      { name: 'to', description: 'To account', type: 'string', required: true, autocomplete: 'account', quote: true },
      { name: 'received', description: 'Amount received, when currencies differ (92 eur)', type: 'string' },
      { name: 'note', description: 'Note', type: 'string' },
    ],
    run: async (ctx, args) => recordAndReply(ctx, { kind: 'transfer', line: args }),
  },
  {
    name: 'undo',
    description: 'Undo your last record in this book',
    usage: '/undo',
    run: async (ctx) => undoReply(ctx),
  },
  {
    name: 'delete',
    description: 'Delete a record',
    usage: '/delete <#N>',
    options: [{ name: 'record', description: 'Record number, e.g. #12', type: 'string', required: true }],
    run: async (ctx, args) => {
      const ev = await deleteEvent(ctx.actor, parseSeq(tokenize(args)[0]));
      return {
        text: t(ctx.lang, 'record.deleted', { seq: ev.seq, what: eventSummary(ev, ctx.lang) }),
        buttons: [[{ label: t(ctx.lang, 'record.restore'), action: `restore:${ev.seq}` }]],
      };
    },
  },
  {
    name: 'restore',
    description: 'Bring back a deleted record',
    usage: '/restore <#N>',
    options: [{ name: 'record', description: 'Record number, e.g. #12', type: 'string', required: true }],
    run: async (ctx, args) => restoreReply(ctx, parseSeq(tokenize(args)[0])),
  },
  {
    name: 'edit',
    description: 'Change a record',
    usage: '/edit <#N> <amount|label|account|date|note> <value>',
    options: [
      { name: 'record', description: 'Record number, e.g. #12', type: 'string', required: true },
      { name: 'field', description: 'What to change', type: 'string', required: true, choices: ['amount', 'label', 'account', 'date', 'note'] },
      { name: 'value', description: 'New value', type: 'string', required: true },
    ],
    run: async (ctx, args) => {
      const m = /^(\S+)\s+(\S+)\s*([\s\S]*)$/.exec(args);
      if (!m) throw new DomainError('usage', {});
      const seq = parseSeq(m[1]);
      if (m[2]!.toLowerCase() !== 'note' && !m[3]) throw new DomainError('usage', {});
      const ev = await editEvent(ctx.actor, seq, m[2]!, m[3] ?? '');
      return { text: t(ctx.lang, 'record.edited', { seq: ev.seq, what: eventLine(ev, ctx.actor.book.timezone, ctx.lang) }) };
    },
  },
  {
    name: 'history',
    description: 'Recent records with their #N',
    usage: '/history [n] [#label] [@account] [period]',
    options: [
      { name: 'count', description: 'How many (1-100)', type: 'integer' },
      { name: 'label', description: 'Only this label', type: 'string', autocomplete: 'label', prefix: '#' },
      { name: 'account', description: 'Only this account', type: 'string', autocomplete: 'account', prefix: '@', quote: true },
      { name: 'period', description: 'month, last-month, 2026-11, …', type: 'string' },
    ],
    run: async (ctx, args) => {
      const h = await history(ctx.actor, args);
      if (h.events.length === 0) return { text: t(ctx.lang, 'history.empty') };
      const title = h.period ? t(ctx.lang, 'history.title_period', { period: h.period }) : t(ctx.lang, 'history.title', { count: h.events.length });
      const group = ctx.chat.kind === 'group';
      // Records with a receipt photo (issue 18) carry 🧾; `/receipt show N` sends the photo.
      const photos = await ctx.services.store.recordsWithReceipt(ctx.actor.book.id, h.events.map((e) => e.seq));
      const pre = h.events.map((e) => eventLine(e, ctx.actor.book.timezone, ctx.lang, group) + (photos.has(e.seq) ? ' 🧾' : '')).join('\n');
      return { text: photos.size ? `${title}\n${t(ctx.lang, 'receipt.history_hint')}` : title, pre };
    },
  },
];

export const recordActions: ActionDef[] = [
  { name: 'undo', replaces: true, run: async (ctx, arg) => undoReply(ctx, parseSeq(arg)) },
  { name: 'restore', replaces: true, run: async (ctx, arg) => restoreReply(ctx, parseSeq(arg)) },
  {
    // The answer to an ambiguous amount (`askAmount`): records the chosen reading once.
    name: 'amount',
    replaces: true,
    run: async (ctx, arg) => {
      const answer = takeAnswer(ctx, arg);
      if (!answer) return [{ text: t(ctx.lang, 'record.question_gone'), ephemeral: true }];
      return recordAndReply(ctx, { kind: answer.kind, line: answer.line });
    },
  },
];

async function restoreReply(ctx: CommandContext, seq: number): Promise<Reply> {
  const ev = await restoreEvent(ctx.actor, seq);
  return { text: t(ctx.lang, 'record.restored', { seq: ev.seq, what: eventSummary(ev, ctx.lang) }) };
}
