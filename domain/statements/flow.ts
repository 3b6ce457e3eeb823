import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { DomainError } from '../errors.js';
import { assertMinor } from '../money/money.js';
import type { Account } from '../types.js';
import type { CsvMapping } from './csv.js';
import { csvLayoutKey, guessCsvMapping, parseCsvMappingArgs } from './csv-mapping.js';
import { addDays } from './dates.js';
import { decodeStatement } from './decode.js';
import { classifyRows, type BookRecord, type Classification } from './matching.js';
import { detectStatementFormat, isBlank, parseStatement } from './parse.js';
import type { PendingStatement, StatementEventRow, StatementImported, StatementStore } from './ports.js';
import { statementError } from './statement-error.js';
import type { Statement, StatementFormat, StatementRow } from './types.js';
import { bookRules } from '../rules/apply.js';
import { labelStatementRows } from '../rules/statement-rows.js';
import type { RuleMatch } from '../rules/types.js';
import { batchCounts, recordBatch, type BatchWrite, type ImportRow } from '../ledger/record-batch.js';
import type { EntryStore } from '../ledger/record-entry.js';
import type { BudgetAlert } from '../statistics/budget-alerts.js';

/** Largest statement file read (bytes): a year of a busy account is a few MB. */
export const MAX_STATEMENT_BYTES = 20 * 1024 * 1024;
/** How long a preview waits for its choice. */
export const PENDING_TTL_MS = 24 * 60 * 60 * 1000;
/** Previews kept per person and book; a newer one pushes out the oldest. */
export const PENDING_PER_PERSON = 3;

/** The book's rules applied to statement rows (the preview; the import applies the same in `recordBatch`): the rule that labels each row, or null. */
async function labeller(a: Actor<Store>): Promise<(rows: readonly StatementRow[]) => (RuleMatch | null)[]> {
  const matcher = await bookRules(a);
  return (rows) => (matcher ? labelStatementRows(matcher, rows).map((l) => l.rule) : rows.map(() => null));
}

/** Where a statement stands after each step. */
export type StatementStep =
  /** Bank CSV whose columns COIN could not guess: the person gives them with `/import map …`. */
  | { step: 'mapping'; id: string; header: string[]; guess: CsvMapping | null; problem?: unknown }
  /** The bank account is not linked yet: which book account is it? (CSV: also confirms the mapping shown.) */
  | { step: 'account'; id: string; statement: Statement; accounts: Account[]; mapping: CsvMapping | null }
  /** Ready: what importing would do; nothing is written before the choice. */
  | {
      step: 'preview';
      id: string;
      statement: Statement;
      account: Account;
      classification: Classification;
      /** Rows to import that a rule labels, in all and by rule (most rows first). */
      labelled: number;
      byRule: { seq: number; label: string; count: number }[];
    };

type Store = StatementStore;

/** A statement account id as compared: no spaces, upper case (IBANs are written in groups). */
export const normalAccountId = (id: string): string => id.replace(/\s+/g, '').toUpperCase();

/**
 * Windows-1251 or -1252 for a file that is not UTF-8: Cyrillic text in 1251 is mostly bytes
 * 0xC0–0xFF, which in Western text (1252: accented letters) are a small share of the letters.
 */
export function fallbackEncoding(bytes: Uint8Array): 'windows-1251' | 'windows-1252' {
  let high = 0;
  let ascii = 0;
  for (let i = 0; i < Math.min(bytes.length, 65_536); i++) {
    const b = bytes[i]!;
    if (b >= 0xc0) high++;
    else if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) ascii++;
  }
  return high > ascii * 0.5 ? 'windows-1251' : 'windows-1252';
}

function textOf(content: Buffer): string {
  return decodeStatement(content, 'auto', fallbackEncoding(content));
}

function formatOf(content: Buffer): StatementFormat {
  return detectStatementFormat(textOf(content.subarray(0, 4096)));
}

/**
 * Statements read lately, by preview and reading (currency, CSV mapping): a preview's file never
 * changes, so the import reads the statement the preview read instead of parsing the file again
 * (a third of a 10,000-row import). Another process, or one after a restart, reads the file.
 */
const recentlyRead = new Map<string, Statement>();
const RECENTLY_READ = 4;

function parse(p: PendingStatement, currency: string): Statement {
  const key = `${p.bookId}:${p.id}:${currency}:${p.csvMapping ? JSON.stringify(p.csvMapping) : ''}`;
  const hit = recentlyRead.get(key);
  if (hit) return hit;
  const csv = p.csvMapping ? { csv: p.csvMapping } : {};
  const s = parseStatement(p.content, { currency, fallbackEncoding: fallbackEncoding(p.content), ...csv });
  if (!s.rows.length) throw statementError(s.format, undefined, 'no_rows');
  recentlyRead.set(key, s);
  if (recentlyRead.size > RECENTLY_READ) recentlyRead.delete(recentlyRead.keys().next().value!);
  return s;
}

/** The key the bank account is linked by: the statement's account id, or the CSV's layout. */
function externalAccountId(p: PendingStatement, s: Statement | null): string | null {
  if (s?.format === 'csv' || (!s && p.csvMapping)) return csvLayoutKey(textOf(p.content), p.csvMapping ?? undefined);
  return s?.accountId ? normalAccountId(s.accountId) : null;
}

/** A person's pending statement, or `statement_expired`. */
async function pending(a: Actor<Store>, id: string | undefined): Promise<PendingStatement> {
  const now = a.clock.now();
  const p = id ? await a.store.getPendingStatement(a.book.id, a.userId, id, now) : await a.store.latestPendingStatement(a.book.id, a.userId, now);
  if (!p) throw new DomainError('statement_expired', {});
  return p;
}

/**
 * A statement file arrives (chat, terminal, API): it is read, kept as a pending preview for its
 * sender, matched to a linked account where it can be, and the next step returned. Nothing is
 * recorded. Throws `statement_invalid` for a file that cannot be read (nothing is kept then).
 */
export async function receiveStatement(a: Actor<Store>, file: { name: string; content: Buffer; bytes?: number | undefined }, opts: { accountId?: number; mapping?: CsvMapping } = {}): Promise<StatementStep> {
  assertCan(a.role, 'manage');
  // `bytes`: the size a chat declared for a file too large to fetch.
  if (Math.max(file.bytes ?? 0, file.content.byteLength) > MAX_STATEMENT_BYTES) throw statementError('statement', undefined, 'too_large', { value: `${MAX_STATEMENT_BYTES / 1024 / 1024} MB` });
  if (isBlank(file.content)) throw statementError('statement', undefined, 'empty');
  const format = formatOf(file.content);
  const now = a.clock.now();
  const p: PendingStatement = {
    id: randomBytes(9).toString('base64url'),
    bookId: a.book.id,
    userId: a.userId,
    fileName: file.name.slice(0, 200),
    content: file.content,
    accountId: null,
    csvMapping: opts.mapping ?? null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + PENDING_TTL_MS),
  };
  if (format === 'csv' && !p.csvMapping) {
    const link = await a.store.findStatementLink(a.book.id, csvLayoutKey(textOf(file.content)));
    if (link?.csvMapping) p.csvMapping = link.csvMapping;
    else p.csvMapping = guessCsvMapping(textOf(file.content)) ?? null;
  }
  const chosen = opts.accountId === undefined ? undefined : await accountOf(a, opts.accountId);
  if (chosen) p.accountId = chosen.id;
  // A file that cannot be read is refused before anything is kept (a bank CSV's columns may still be asked).
  let parsed: Statement | undefined;
  if (format !== 'csv' || p.csvMapping) {
    try {
      parsed = parse(p, chosen?.currency ?? a.book.currency);
    } catch (e) {
      if (format !== 'csv') throw e;
    }
  }
  // Keeping the file (megabytes) and comparing with the book go on at once; the preview is
  // answered only once the file is kept, and nothing changes the kept preview before that.
  const saved = a.store.savePendingStatement(p, PENDING_PER_PERSON);
  saved.catch(() => undefined);
  try {
    return await advance(a, p, false, parsed && { statement: parsed, currency: chosen?.currency ?? a.book.currency }, saved);
  } finally {
    // Kept before the answer (or the refusal: a statement in another currency keeps its preview).
    await saved;
  }
}

async function accountOf(a: Actor<Store>, accountId: number): Promise<Account> {
  const acc = (await a.store.listAccounts(a.book.id)).find((x) => x.id === accountId);
  if (!acc) throw new DomainError('account_unknown', { name: `#${accountId}` });
  return acc;
}

/** The next step for a pending statement: the mapping, the account, or the preview. */
async function advance(
  a: Actor<Store>,
  p: PendingStatement,
  committing = false,
  read?: { statement: Statement; currency: string },
  /** The preview being kept (a new one): waited for before it is changed. */
  saved: Promise<void> = Promise.resolve(),
): Promise<StatementStep> {
  const format = formatOf(p.content);
  const header = () => textOf(p.content).split(/\r?\n/, 1)[0]!.replace(/^\uFEFF/, '');
  if (format === 'csv' && !p.csvMapping) return { step: 'mapping', id: p.id, header: [header()], guess: null };
  const accounts = await a.store.listAccounts(a.book.id);
  let account = p.accountId === null ? undefined : accounts.find((x) => x.id === p.accountId);
  let statement: Statement;
  try {
    const currency = account?.currency ?? a.book.currency;
    statement = read && read.currency === currency ? read.statement : parse(p, currency);
  } catch (e) {
    if (format === 'csv') return { step: 'mapping', id: p.id, header: [header()], guess: p.csvMapping, problem: e };
    throw e;
  }
  if (!account) {
    const key = externalAccountId(p, statement);
    const link = key ? await a.store.findStatementLink(a.book.id, key) : undefined;
    account = link ? accounts.find((x) => x.id === link.accountId) : undefined;
    if (!account) return { step: 'account', id: p.id, statement, accounts, mapping: format === 'csv' ? p.csvMapping : null };
    await saved;
    await a.store.updatePendingStatement(a.book.id, a.userId, p.id, { accountId: account.id });
    if (format === 'csv' || format === 'qif') statement = parse(p, account.currency);
  }
  const { classification } = await compare(a, statement, account);
  // Nothing to choose: the preview is not kept waiting.
  if (!committing && !classification.newCount && !classification.twins.length) {
    await saved;
    await a.store.deletePendingStatement(a.book.id, a.userId, p.id);
  }
  const byRule = new Map<number, { seq: number; label: string; count: number }>();
  if (!committing) {
    const label = await labeller(a);
    for (const m of label(classification.rows.filter((r) => r.kind !== 'imported').map((r) => r.row))) {
      if (!m) continue;
      const hit = byRule.get(m.seq) ?? { seq: m.seq, label: m.label, count: 0 };
      hit.count++;
      byRule.set(m.seq, hit);
    }
  }
  const rules = [...byRule.values()].sort((x, y) => y.count - x.count || x.seq - y.seq);
  return { step: 'preview', id: p.id, statement, account, classification, labelled: rules.reduce((n, r) => n + r.count, 0), byRule: rules };
}

const sourceKey = (accountId: number, externalId: string) => `st:${accountId}:${externalId}`;

/** The statement against the account's records: already imported, likely twins, new. */
async function compare(a: Actor<Store>, statement: Statement, account: Account): Promise<{ classification: Classification }> {
  const other = statement.rows.find((r) => r.currency !== account.currency);
  if (other) throw new DomainError('statement_currency', { account: account.name, accountCurrency: account.currency, currency: other.currency });
  const days = statement.rows.map((r) => r.date).sort();
  const zone = a.book.timezone;
  const from = DateTime.fromISO(addDays(days[0]!, -4), { zone }).toJSDate();
  const to = DateTime.fromISO(addDays(days[days.length - 1]!, 5), { zone }).toJSDate();
  const events = await a.store.statementEvents(a.book.id, account.id, from, to, statement.rows.map((r) => sourceKey(account.id, r.externalId)));
  const records = asRecords(events, account.id, zone);
  return { classification: classifyRows(statement.rows, records, { accountId: account.id }) };
}

/** Events as the statement of `accountId` would show them: signed, with the row id they were imported with. */
export function asRecords(events: readonly StatementEventRow[], accountId: number, zone: string): BookRecord[] {
  const prefix = `st:${accountId}:`;
  // Days by instant: imported rows share a few instants (noon of each day), and luxon is the cost here.
  const days = new Map<number, string>();
  const dayOf = (at: Date): string => {
    let day = days.get(at.getTime());
    if (day === undefined) days.set(at.getTime(), (day = DateTime.fromJSDate(at, { zone }).toISODate()!));
    return day;
  };
  return events.map((e) => {
    const date = dayOf(e.occurredAt);
    const incoming = e.kind === 'income' || (e.kind === 'transfer' && e.toAccountId === accountId);
    const amountMinor = e.kind === 'transfer' && incoming ? (e.toAmountMinor ?? e.amountMinor) : e.amountMinor;
    const currency = e.kind === 'transfer' && incoming ? (e.toCurrency ?? e.currency) : e.currency;
    const externalId = e.sourceKey?.startsWith(prefix) ? e.sourceKey.slice(prefix.length) : null;
    return { seq: e.seq, accountId, amountMinor: incoming ? amountMinor : -amountMinor, currency, date, labels: e.labels, note: e.note, externalId };
  });
}

/** The account chosen with a button: the statement is compared with it (the link is saved on import). */
export async function chooseStatementAccount(a: Actor<Store>, id: string, accountId: number): Promise<StatementStep> {
  assertCan(a.role, 'manage');
  const p = await pending(a, id);
  const account = await accountOf(a, accountId);
  await a.store.updatePendingStatement(a.book.id, a.userId, p.id, { accountId: account.id });
  return advance(a, { ...p, accountId: account.id });
}

/** `/import map date=1 amount=3 …`: the columns of a pending bank CSV (`id`, else the person's newest). */
export async function mapStatement(a: Actor<Store>, args: string, id?: string): Promise<StatementStep> {
  assertCan(a.role, 'manage');
  const p = await pending(a, id);
  if (formatOf(p.content) !== 'csv') throw new DomainError('statement_expired', {});
  const mapping = parseCsvMappingArgs(args, p.csvMapping ?? undefined);
  await a.store.updatePendingStatement(a.book.id, a.userId, p.id, { csvMapping: mapping });
  return advance(a, { ...p, csvMapping: mapping });
}

/** The step a pending statement is at (after a restart, the API's GET). */
export async function statementStep(a: Actor<Store>, id: string): Promise<StatementStep> {
  assertCan(a.role, 'manage');
  return advance(a, await pending(a, id));
}

/** Cancel: the pending statement is dropped, nothing was written. */
export async function cancelStatement(a: Actor<Store>, id: string): Promise<void> {
  assertCan(a.role, 'manage');
  if (!(await a.store.deletePendingStatement(a.book.id, a.userId, id))) throw new DomainError('statement_expired', {});
}

/** Noon of each statement day in the book's zone (the day stays the day in every report), worked out once per day. */
function noons(zone: string): (day: string) => Date {
  const seen = new Map<string, Date>();
  return (day) => {
    let at = seen.get(day);
    if (!at) seen.set(day, (at = DateTime.fromISO(`${day}T12:00:00`, { zone }).toJSDate()));
    return at;
  };
}

/**
 * Import (`merge`: and merge the likely twins): the rows not in the book yet are recorded through
 * the one batch use case (`recordBatch`: the admin's permission, the book's rules labelling rows
 * by payee and memo, keys, the balance bound, budget alerts), each with its statement id; with
 * `merge`, each twin keeps its label and note and gains the row's id and payee instead. The bank
 * account is linked to the book account (and a bank CSV's mapping remembered) in the same
 * transaction. A second import of the same or an overlapping statement adds nothing.
 */
export async function commitStatement(
  a: Actor<Store & EntryStore>,
  id: string,
  merge: boolean,
): Promise<StatementImported & { account: Account; format: StatementFormat; labelled: number; alerts: BudgetAlert[]; alertError?: unknown }> {
  assertCan(a.role, 'manage');
  const p = await pending(a, id);
  const step = await advance(a, p, true);
  if (step.step !== 'preview') throw new DomainError('statement_expired', {});
  const { statement, account, classification } = step;
  const noon = noons(a.book.timezone);
  const rows = classification.rows.filter((m) => m.kind === 'new' || (m.kind === 'twin' && !merge)).map((m) => ({ row: importRow(account, m.row, noon) }));
  const merges = merge
    ? classification.twins.map((tw) => ({ seq: tw.record.seq, accountId: account.id, sourceKey: sourceKey(account.id, tw.row.externalId), meta: { payee: tw.row.payee, memo: tw.row.memo } }))
    : [];
  const write: BatchWrite = async (events, opts) => {
    const done = await a.store.importStatement(a.book.id, a.userId, {
      previewId: p.id,
      accountId: account.id,
      externalAccountId: externalAccountId(p, statement),
      csvMapping: statement.format === 'csv' ? p.csvMapping : null,
      events,
      opts,
    });
    if (!done) throw new DomainError('statement_expired', {});
    return done;
  };
  const r = await recordBatch(a, rows, { need: 'manage', atomic: true, max: rows.length, merges, write });
  const failed = r.items.find((x) => x.outcome === 'failed');
  if (failed?.outcome === 'failed') throw failed.error;
  const { created, replayed } = batchCounts(r);
  const skipped = replayed + merges.length - r.merged + classification.importedCount;
  return { created, merged: r.merged, skipped, account, format: statement.format, labelled: r.labelled, alerts: r.alerts, ...(r.alertError ? { alertError: r.alertError } : {}) };
}

/** A statement row as the batch records it: an expense or income of the account at noon of its day, its note what the bank says. */
function importRow(account: Account, r: StatementRow, noon: (day: string) => Date): ImportRow {
  return {
    sourceKey: sourceKey(account.id, r.externalId),
    kind: r.amountMinor < 0 ? 'expense' : 'income',
    account: account.id,
    amountMinor: assertMinor(Math.abs(r.amountMinor)),
    currency: r.currency,
    occurredAt: noon(r.date),
    labels: [],
    note: r.payee || r.memo,
    bank: { payee: r.payee, memo: r.memo },
  };
}
