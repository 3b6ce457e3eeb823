import type { Actor } from '../access/actor.js';
import { DomainError, isDomainError } from '../errors.js';
import { chooseAccount, defaultAccount } from '../ledger/record.js';
import { assertCan, assertCanChange } from '../access/permissions.js';
import type { Recorded, RecordStore } from '../ports.js';
import { parseRecordLine } from '../parsing/record-line.js';
import { formatSchedule, nextOccurrence, splitSchedule, type Schedule } from './schedule.js';
import type { Account } from '../types.js';
import type { NotifyTarget, Template, TemplateStore } from './ports.js';
import type { Minor } from '../money/money.js';
import { applyRule, bookRules } from '../rules/apply.js';
import type { RuleMatcher } from '../rules/matcher.js';
import type { RuleMatch } from '../rules/types.js';

/** Book-local text as written after the schedule, and which kind of record it makes. */
export interface TemplateRecordText {
  kind: 'expense' | 'income';
  record: string;
}

const AT_TIME = /^at:\d{1,2}:\d{2}$/i;

/**
 * Reads the kind of a template's record text: expense by default; a leading `+` on the amount
 * (`+2500 salary`) or a first word `income` (`income 2500 salary`) makes an income, and a first
 * word `expense` is accepted for symmetry.
 */
export function templateRecordText(text: string): TemplateRecordText {
  let rest = text.trim();
  let kind: 'expense' | 'income' = 'expense';
  const word = /^(income|expense)\b\s*/i.exec(rest);
  if (word) {
    kind = word[1]!.toLowerCase() as 'expense' | 'income';
    rest = rest.slice(word[0].length);
  }
  if (rest.startsWith('+')) {
    kind = 'income';
    rest = rest.slice(1).trim();
  }
  return { kind, record: rest };
}

/**
 * Splits `/template add` arguments: `<schedule> [at:HH:MM] <record>`. A trailing `at:HH:MM`
 * (after the record, which is how typed slash-command options arrive) counts as the time too.
 */
export function parseTemplateArgs(args: string): { schedule: Schedule; kind: 'expense' | 'income'; record: string } {
  const tokens = args.trim().split(/\s+/).filter(Boolean);
  const last = tokens[tokens.length - 1];
  if (tokens.length > 2 && last && AT_TIME.test(last) && !tokens.slice(0, -1).some((t) => AT_TIME.test(t))) {
    tokens.splice(tokens.length - 1, 1);
    tokens.splice(1, 0, last);
  }
  const { schedule, rest } = splitSchedule(tokens.join(' '));
  // A second time of day would otherwise end up as note text.
  const stray = rest.split(/\s+/).find((t) => AT_TIME.test(t));
  if (stray) throw new DomainError('schedule_invalid', { schedule: `${formatSchedule(schedule)} ${stray}`, reason: 'syntax' });
  const { kind, record } = templateRecordText(rest);
  if (!record) throw new DomainError('usage', {});
  return { schedule, kind, record };
}

/** A template's record as the chat wrote it: incomes with their `+`. */
export const displayRecord = (kind: 'expense' | 'income', record: string): string => (kind === 'income' ? `+${record}` : record);

/** What the sweep needs of a template's book to turn its record line into an event. */
export interface TemplateBookView {
  currency: string;
  timezone: string;
  defaultAccountId: number | null;
}

/**
 * Turns a template's record line into the event fields of one occurrence: amount, currency,
 * account (chosen as a chat record would), labels and note. `undefined` account means the book
 * has no account yet (only possible before its first record). Date words are refused: the
 * occurrence is the date. A record without a label takes the label (and maybe the account) of the
 * book's rule for its note (`rules`, see `applyRule`), as a typed line would.
 * @throws DomainError from the record-line grammar, `account_unknown`, `currency_mismatch`.
 */
export function readTemplateRecord(
  record: string,
  book: TemplateBookView,
  accounts: Account[],
  labels: readonly string[],
  now: Date,
  stored = true,
  rules?: RuleMatcher,
): { account: Account | undefined; amountMinor: Minor; currency: string; labels: string[]; note: string; rule?: RuleMatch } {
  const def = accounts.find((x) => x.id === book.defaultAccountId) ?? accounts[0];
  const context = { accounts, defaultAccount: def?.name, labels, now, timezone: book.timezone, bookCurrency: book.currency };
  let parsed: ReturnType<typeof parseRecordLine>;
  try {
    parsed = parseRecordLine(record, context);
  } catch (e) {
    // A template saved before ambiguous amounts were asked about (`1.500` meant 1,500 in EUR then)
    // keeps that reading; a new one is refused at `/template add` so its author chooses.
    if (!stored || !isDomainError(e) || e.code !== 'amount_ambiguous') throw e;
    parsed = parseRecordLine(record.replace(String(e.context.text), String(e.context.thousandsPlain)), context);
  }
  if (parsed.occurredAt) throw new DomainError('usage', {});
  const ruled = applyRule(rules, parsed, accounts);
  if (ruled) parsed = ruled;
  const account = chooseAccount(book, accounts, parsed);
  const read = { account, amountMinor: parsed.minor, currency: account?.currency ?? parsed.currency, labels: parsed.labels, note: parsed.note };
  return ruled ? { ...read, rule: ruled.rule } : read;
}

function requireTemplate(t: Template | undefined, id: number): Template {
  if (!t) throw new DomainError('template_unknown', { id });
  return t;
}

/** `3`, `#3`, `T3` → 3. */
export function parseTemplateId(raw: string | undefined): number {
  const m = /^(?:#|t)?(\d{1,9})$/i.exec((raw ?? '').trim());
  if (!m) throw new DomainError('usage', {});
  return Number(m[1]);
}

/**
 * `/template add`: checks the record against the book now (so a typo fails at once, not at 3 am),
 * creates the default account if the book has none, and schedules the first occurrence after now.
 */
export async function addTemplate(a: Actor, args: string, notify: NotifyTarget | null): Promise<Template> {
  assertCan(a.role, 'record');
  const { schedule, kind, record } = parseTemplateArgs(args);
  const now = a.clock.now();
  const [accounts, labels] = await Promise.all([a.store.listAccounts(a.book.id), a.store.listLabels(a.book.id)]);
  const read = readTemplateRecord(
    record,
    a.book,
    accounts,
    labels.map((l) => l.name),
    now,
    false,
  );
  if (!read.account) await defaultAccount(a, accounts);
  const nextDueAt = nextOccurrence(schedule, now, a.book.timezone, now);
  if (!nextDueAt) throw new DomainError('schedule_invalid', { schedule: formatSchedule(schedule), reason: 'ended' });
  return a.store.createTemplate({
    bookId: a.book.id,
    kind,
    schedule,
    scheduleText: formatSchedule(schedule),
    record,
    authorId: a.userId,
    notify,
    anchorAt: now,
    nextDueAt,
  });
}

/** `/templates`: every live template of the book. */
export async function listTemplates(a: Actor): Promise<Template[]> {
  assertCan(a.role, 'read');
  return a.store.listTemplates(a.book.id);
}

/** Stops applying a template; occurrences while paused are skipped, not caught up on resume. */
export async function pauseTemplate(a: Actor, id: number): Promise<Template> {
  const t = requireTemplate(await a.store.getTemplate(a.book.id, id), id);
  assertCanChange(a.role, a.userId, t.authorId);
  if (t.paused) return t;
  return requireTemplate(await a.store.updateTemplate(a.book.id, id, { paused: true }), id);
}

/** Applies a template again from its next occurrence after now. */
export async function resumeTemplate(a: Actor, id: number): Promise<Template> {
  const t = requireTemplate(await a.store.getTemplate(a.book.id, id), id);
  assertCanChange(a.role, a.userId, t.authorId);
  // A running template keeps its next occurrence: rescheduling from now could skip one that is
  // due this very minute and not swept yet.
  if (!t.paused) return t;
  const now = a.clock.now();
  const nextDueAt = nextOccurrence(t.schedule, now, a.book.timezone, t.anchorAt);
  return requireTemplate(await a.store.updateTemplate(a.book.id, id, { paused: false, nextDueAt }), id);
}

/** Removes a template; the records it made stay. */
export async function deleteTemplate(a: Actor, id: number): Promise<Template> {
  const t = requireTemplate(await a.store.getTemplate(a.book.id, id), id);
  assertCanChange(a.role, a.userId, t.authorId);
  if (!(await a.store.deleteTemplate(a.book.id, id))) throw new DomainError('template_unknown', { id });
  return t;
}

/**
 * `/template run`: records the template once now, as a manual occurrence (marked as from the
 * template, keyed by this instant), authored by whoever ran it. The schedule is unchanged.
 */
export async function runTemplate(a: Actor<RecordStore & Pick<TemplateStore, 'getTemplate'>>, id: number): Promise<Recorded> {
  assertCan(a.role, 'record');
  const t = requireTemplate(await a.store.getTemplate(a.book.id, id), id);
  const now = a.clock.now();
  const [accounts, labels, rules] = await Promise.all([a.store.listAccounts(a.book.id), a.store.listLabels(a.book.id), bookRules(a)]);
  const read = readTemplateRecord(t.record, a.book, accounts, labels.map((l) => l.name), now, true, rules);
  const account = read.account ?? (await defaultAccount(a, accounts));
  const rec = await a.store.record({
    bookId: a.book.id,
    kind: t.kind,
    accountId: account.id,
    amountMinor: read.amountMinor,
    currency: account.currency,
    labels: read.labels,
    note: read.note,
    authorId: a.userId,
    occurredAt: now,
    templateId: t.id,
    occurrenceAt: now,
  });
  return read.rule ? { ...rec, rule: { seq: read.rule.seq, label: read.rule.label } } : rec;
}
