import type { Actor } from '../access/actor.js';
import { DomainError } from '../errors.js';
import { assertCan, assertCanChange } from '../access/permissions.js';
import { parseRecordLine, type ParsedRecord } from '../parsing/record-line.js';
import type { BookSnapshot, Recorded, RecordStore } from '../ports.js';
import type { Account, Book, LedgerEvent } from '../types.js';
import { readAmount, toMinor } from '../money/amount.js';
import { parseDateToken } from '../parsing/dates.js';
import { tokenize } from '../parsing/tokenize.js';
import { applyRule, rulesForLine } from '../rules/apply.js';

/** The default account, creating `Main` in the book currency when the book has none. */
export async function defaultAccount(a: Actor<RecordStore>, accounts?: Account[]): Promise<Account> {
  const list = accounts ?? (await a.store.listAccounts(a.book.id));
  const found = list.find((x) => x.id === a.book.defaultAccountId) ?? list[0];
  if (found) return found;
  try {
    return await a.store.createAccount(a.book.id, { name: 'Main', currency: a.book.currency, openingMinor: 0 });
  } catch (e) {
    // Two first records at once: the other one created Main.
    if (e instanceof DomainError && e.code === 'account_exists') {
      const again = await a.store.listAccounts(a.book.id);
      if (again[0]) return again[0];
    }
    throw e;
  }
}

export const findAccount = (accounts: Account[], name: string): Account | undefined =>
  accounts.find((x) => x.name.toLowerCase() === name.replace(/^@/, '').toLowerCase());

function requireAccount(accounts: Account[], name: string): Account {
  const acc = findAccount(accounts, name);
  if (!acc) throw new DomainError('account_unknown', { account: name.replace(/^@/, ''), accounts: accounts.map((x) => x.name) });
  return acc;
}

/**
 * The account a parsed record line goes to: the `@account`, else the default account, else the
 * one account in the written currency. `undefined` means "the book's default account, which does
 * not exist yet" (the caller creates `Main`). Pure, so recurring templates choose the same way.
 * @throws DomainError `account_unknown`, `currency_mismatch`.
 */
export function chooseAccount(
  book: Pick<Book, 'defaultAccountId' | 'currency'>,
  accounts: Account[],
  parsed: Pick<ParsedRecord, 'account' | 'currency'>,
): Account | undefined {
  const def = accounts.find((x) => x.id === book.defaultAccountId) ?? accounts[0];
  let account: Account;
  if (parsed.account) account = requireAccount(accounts, parsed.account);
  else if (def && def.currency === parsed.currency) account = def;
  else if (!def && parsed.currency === book.currency) return undefined;
  else {
    const same = accounts.filter((x) => x.currency === parsed.currency);
    if (same.length === 1) account = same[0]!;
    else
      throw new DomainError('currency_mismatch', {
        currency: parsed.currency,
        account: def?.name ?? 'Main',
        accountCurrency: def?.currency ?? book.currency,
      });
  }
  if (account.currency !== parsed.currency)
    throw new DomainError('currency_mismatch', { currency: parsed.currency, account: account.name, accountCurrency: account.currency });
  return account;
}

/** The book's accounts and labels: the request's snapshot when it has one, else read now. */
export async function bookView(a: Actor<RecordStore>): Promise<BookSnapshot> {
  if (a.snapshot) return a.snapshot;
  const [accounts, labels] = await Promise.all([a.store.listAccounts(a.book.id), a.store.listLabels(a.book.id)]);
  return { accounts, labels };
}

/** Parses a record line against the book: its accounts, labels, time zone and currency. */
export function parseForBook(a: Actor<unknown>, view: BookSnapshot, line: string): ParsedRecord {
  const def = view.accounts.find((x) => x.id === a.book.defaultAccountId) ?? view.accounts[0];
  return parseRecordLine(line, {
    accounts: view.accounts,
    defaultAccount: def?.name,
    labels: view.labels.map((l) => l.name),
    now: a.clock.now(),
    timezone: a.book.timezone,
    bookCurrency: a.book.currency,
  });
}

/** Records an expense or income from a record line. */
export async function recordLine(a: Actor<RecordStore>, kind: 'expense' | 'income', line: string): Promise<Recorded> {
  assertCan(a.role, 'record');
  const view = await bookView(a);
  const { accounts } = view;
  const read = parseForBook(a, view, line);
  // A line without a label takes the label (and maybe the account) of the book's rule for its note.
  const ruled = applyRule(await rulesForLine(a, read), read, accounts);
  const parsed = ruled ?? read;
  const account = chooseAccount(a.book, accounts, parsed) ?? (await defaultAccount(a, accounts));
  const rec = await a.store.record({
    bookId: a.book.id,
    kind,
    accountId: account.id,
    amountMinor: parsed.minor,
    currency: account.currency,
    labels: parsed.labels,
    note: parsed.note,
    authorId: a.userId,
    occurredAt: parsed.occurredAt ?? a.clock.now(),
  });
  return ruled ? { ...rec, rule: { seq: ruled.rule.seq, label: ruled.rule.label } } : rec;
}

/**
 * `/transfer <amount> [<second amount>] <from> <to> [date] [note]`: the second amount is what
 * arrives when the accounts' currencies differ (`100 usd 92 eur cash card`).
 */
export async function transfer(a: Actor<RecordStore>, args: string): Promise<Recorded> {
  assertCan(a.role, 'record');
  let tokens = tokenize(args);
  const first = readAmount(tokens);
  tokens = tokens.slice(first.consumed);
  let second: ReturnType<typeof readAmount> | undefined;
  try {
    const maybe = readAmount(tokens);
    second = maybe;
    tokens = tokens.slice(maybe.consumed);
  } catch {
    second = undefined;
  }
  const accounts = await a.store.listAccounts(a.book.id);
  const [fromName, toName, ...rest] = tokens;
  if (!fromName || !toName) throw new DomainError('transfer_invalid', {});
  const from = requireAccount(accounts, fromName);
  const to = requireAccount(accounts, toName);
  if (from.id === to.id) throw new DomainError('transfer_same_account', { account: from.name });
  if (first.currency && first.currency !== from.currency)
    throw new DomainError('currency_mismatch', { currency: first.currency, account: from.name, accountCurrency: from.currency });
  const amount = toMinor(first, from.currency);
  let toAmount = amount;
  if (from.currency !== to.currency) {
    if (!second) throw new DomainError('transfer_invalid', { from: from.currency, to: to.currency });
    if (second.currency && second.currency !== to.currency)
      throw new DomainError('currency_mismatch', { currency: second.currency, account: to.name, accountCurrency: to.currency });
    toAmount = toMinor(second, to.currency);
  } else if (second) {
    throw new DomainError('transfer_invalid', { same: from.currency });
  }
  let occurredAt = a.clock.now();
  const note: string[] = [];
  let dated = false;
  for (const t of rest) {
    const d = dated ? undefined : parseDateToken(t, a.clock.now(), a.book.timezone);
    if (d) {
      occurredAt = d;
      dated = true;
    } else note.push(t);
  }
  return a.store.record({
    bookId: a.book.id,
    kind: 'transfer',
    accountId: from.id,
    amountMinor: amount,
    currency: from.currency,
    toAccountId: to.id,
    toAmountMinor: toAmount,
    toCurrency: to.currency,
    labels: [],
    note: note.join(' '),
    authorId: a.userId,
    occurredAt,
  });
}

/** Undoes the actor's last record in this book, or a given one (the Undo button). */
export async function undo(a: Actor<RecordStore>, seq?: number): Promise<LedgerEvent> {
  assertCan(a.role, 'edit-own');
  if (seq === undefined) {
    const last = await a.store.lastEventBy(a.book.id, a.userId);
    if (!last) throw new DomainError('nothing_to_undo', {});
    return a.store.setDeleted(a.book.id, last.seq, true);
  }
  return deleteEvent(a, seq);
}

export async function deleteEvent(a: Actor<RecordStore>, seq: number): Promise<LedgerEvent> {
  const ev = await a.store.getEvent(a.book.id, seq);
  if (!ev) throw new DomainError('event_unknown', { seq });
  assertCanChange(a.role, a.userId, ev.authorId);
  return a.store.setDeleted(a.book.id, seq, true);
}

/** Brings back a deleted event (the Restore button under a deletion). */
export async function restoreEvent(a: Actor<RecordStore>, seq: number): Promise<LedgerEvent> {
  const ev = await a.store.getEvent(a.book.id, seq, true);
  if (!ev) throw new DomainError('event_unknown', { seq });
  assertCanChange(a.role, a.userId, ev.authorId);
  if (!ev.deletedAt) throw new DomainError('event_not_deleted', { seq });
  return a.store.setDeleted(a.book.id, seq, false);
}
