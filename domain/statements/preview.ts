import { DateTime } from 'luxon';
import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import type { Account, LedgerEvent } from '../types.js';
import { addDays } from './dates.js';
import { classifyRows, type BookRecord, type Classification } from './matching.js';
import { parseStatement } from './parse.js';
import type { Statement } from './types.js';
import { statementError } from './statement-error.js';

/** Largest statement file read (bytes): a year of a busy account is a few MB. */
export const MAX_STATEMENT_BYTES = 20 * 1024 * 1024;

/** How a book event shows on `accountId`'s statement: signed as the bank would write it. */
export function asBookRecords(events: readonly LedgerEvent[], timezone: string): BookRecord[] {
  const out: BookRecord[] = [];
  for (const e of events) {
    if (e.deletedAt) continue;
    const date = DateTime.fromJSDate(e.occurredAt, { zone: timezone }).toISODate()!;
    const base = { seq: e.seq, date, labels: e.labels, note: e.note, externalId: null };
    if (e.kind === 'income') out.push({ ...base, accountId: e.accountId, amountMinor: e.amountMinor, currency: e.currency });
    else out.push({ ...base, accountId: e.accountId, amountMinor: -e.amountMinor, currency: e.currency });
    if (e.kind === 'transfer' && e.toAccountId !== null) {
      out.push({ ...base, accountId: e.toAccountId, amountMinor: e.toAmountMinor ?? e.amountMinor, currency: e.toCurrency ?? e.currency });
    }
  }
  return out;
}

/**
 * The account a statement is compared with until statements can be linked to accounts: the
 * book's default account when its currency is the statement's, else the only account in that
 * currency, else the default account.
 */
export function accountFor(statement: Statement, accounts: readonly Account[], defaultAccountId: number | null): Account | undefined {
  const ccy = statement.currency ?? statement.rows[0]?.currency;
  const byDefault = accounts.find((a) => a.id === defaultAccountId);
  if (byDefault && byDefault.currency === ccy) return byDefault;
  const same = accounts.filter((a) => a.currency === ccy);
  return same.length === 1 ? same[0] : (byDefault ?? accounts[0]);
}

/**
 * Reads a statement file and compares it with the book, writing nothing: the rows already in the
 * book, the likely twins of typed records (±3 days) and the new ones.
 */
export async function previewStatement(a: Actor, content: Buffer): Promise<{ statement: Statement; account: Account | undefined; classification: Classification }> {
  assertCan(a.role, 'manage');
  if (content.byteLength > MAX_STATEMENT_BYTES) throw statementError('statement', undefined, 'too_large', { value: `${MAX_STATEMENT_BYTES / 1024 / 1024} MB` });
  const statement = parseStatement(content, { currency: a.book.currency });
  const account = accountFor(statement, await a.store.listAccounts(a.book.id), a.book.defaultAccountId);
  const days = statement.rows.map((r) => r.date).sort();
  let records: BookRecord[] = [];
  if (account && days.length) {
    const from = DateTime.fromISO(addDays(days[0]!, -4), { zone: a.book.timezone }).toJSDate();
    const to = DateTime.fromISO(addDays(days[days.length - 1]!, 5), { zone: a.book.timezone }).toJSDate();
    records = asBookRecords(await a.store.exportEvents(a.book.id, from, to), a.book.timezone);
  }
  return { statement, account, classification: classifyRows(statement.rows, records, { accountId: account?.id ?? -1 }) };
}
