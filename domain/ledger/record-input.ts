import type { Actor } from '../access/actor.js';
import { readAmount, toMinor, type AmountText } from '../money/amount.js';
import { inRange, parseDateToken } from '../parsing/dates.js';
import { DomainError } from '../errors.js';
import { defaultAccount, findAccount } from './record.js';
import { parseLabelList } from './edit.js';
import { MAX_MAJOR, assertMinor, minorDigits, type Minor } from '../money/money.js';
import { assertCan } from '../access/permissions.js';
import type { NewEvent, Recorded, RecordStore } from '../ports.js';
import { tokenize } from '../parsing/tokenize.js';
import type { Account } from '../types.js';

/**
 * A record given field by field (the HTTP API). Unlike a chat record line, nothing is guessed
 * from the note: a note may contain `#`, `@` or dates and stays exactly as written.
 */
export interface RecordInput {
  kind: 'expense' | 'income' | 'transfer';
  /** Amount as people write it (`12.50`, `12,5`, `€12`, `12 usd`); or use `amountMinor`. */
  amount?: string | undefined;
  /** Amount in minor units of the account's currency. */
  amountMinor?: number | undefined;
  /** Account name (the `from` account of a transfer); default account when omitted. */
  account?: string | undefined;
  /** Transfers: the receiving account. */
  toAccount?: string | undefined;
  /** Transfers between currencies: what arrives, as text (`92 eur`) or minor units. */
  toAmount?: string | undefined;
  toAmountMinor?: number | undefined;
  labels?: readonly string[] | undefined;
  note?: string | undefined;
  /** `today`, `yesterday`, `YYYY-MM-DD`, `DD.MM[.YYYY]` (book time) or an ISO 8601 instant with offset. */
  date?: string | undefined;
  /** Idempotency key: the same key in the same book records once. */
  sourceKey?: string | undefined;
  /** A hash of the request that used `sourceKey`; the key reused with another request is refused. */
  sourceHash?: string | undefined;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** Reads the `date` field; dates outside 1900–2199 (SPEC §6) are refused as the chat refuses them. */
export function inputDate(text: string, now: Date, tz: string): Date {
  const t = text.trim();
  let d: Date | undefined;
  if (ISO_INSTANT.test(t)) d = new Date(t);
  else d = parseDateToken(t, now, tz);
  if (!d || Number.isNaN(d.getTime())) throw new DomainError('date_invalid', { date: t });
  return inRange(d, t);
}

/** Reads an amount field that must be one amount and nothing else. */
function amountText(text: string): AmountText {
  const tokens = tokenize(text);
  const a = readAmount(tokens);
  if (a.consumed !== tokens.length) throw new DomainError('amount_invalid', { text: text.trim() });
  return a;
}

/**
 * A field amount is read as written, never guessed and never asked about (there is no one to
 * ask): `12.505` or `1,500` in a two-decimal currency has more decimals than it allows (422).
 */
function exactMinor(a: AmountText, currency: string): Minor {
  const digits = minorDigits(currency);
  if (a.maybeThousands && digits < 3) throw new DomainError('amount_too_precise', { currency, digits });
  return toMinor(a, currency);
}

/** Checks minor units given as a number against the same limits as typed amounts. */
function minorAmount(minor: number, currency: string): Minor {
  if (!Number.isSafeInteger(minor)) throw new DomainError('amount_invalid', { text: String(minor) });
  if (minor === 0) throw new DomainError('amount_zero', { currency });
  if (minor < 0) throw new DomainError('amount_negative', {});
  if (minor > MAX_MAJOR * 10 ** minorDigits(currency)) throw new DomainError('amount_too_large', { currency, max: String(MAX_MAJOR) });
  return assertMinor(minor);
}

function requireAccount(accounts: Account[], name: string): Account {
  const acc = findAccount(accounts, name.trim());
  if (!acc) throw new DomainError('account_unknown', { account: name.trim().replace(/^@/, ''), accounts: accounts.map((x) => x.name) });
  return acc;
}

function labelsOf(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (const l of raw) {
    // One label per entry: `parseLabelList` would split "a b" into two.
    const list = /\s/.test(l.trim()) ? [] : parseLabelList(l);
    if (list.length !== 1) throw new DomainError('label_invalid', { label: l });
    if (!out.includes(list[0]!)) out.push(list[0]!);
  }
  return out;
}

/**
 * Records an event from fields (the record-line rules without the text grammar). The account is
 * chosen like a record line does: the named one, else the default (creating `Main` in a new
 * book), else the one account in the written currency.
 */
export async function recordInput(a: Actor<RecordStore>, input: RecordInput): Promise<Recorded> {
  assertCan(a.role, 'record');
  // The request's snapshot (read with the token, same statement) when it has one.
  const accounts = a.snapshot?.accounts ?? (await a.store.listAccounts(a.book.id));
  return a.store.record(await inputEvent(a, accounts, input));
}

/**
 * The event a field record makes, checked against the book's `accounts` — nothing written unless
 * the book has no account yet (then `Main` is created, as a first chat record does). Throws the
 * {@link DomainError} that explains a refused input. The batch endpoint prepares each item here.
 */
export async function inputEvent(a: Actor<RecordStore>, accounts: Account[], input: RecordInput): Promise<NewEvent> {
  if ((input.amount === undefined) === (input.amountMinor === undefined)) throw new DomainError('amount_empty', {});
  const typed = input.amount !== undefined ? amountText(input.amount) : undefined;
  const occurredAt = input.date !== undefined ? inputDate(input.date, a.clock.now(), a.book.timezone) : a.clock.now();
  const note = (input.note ?? '').trim();
  const base = { bookId: a.book.id, note, authorId: a.userId, occurredAt, sourceKey: input.sourceKey, sourceHash: input.sourceHash };

  if (input.kind === 'transfer') {
    if (input.labels?.length) throw new DomainError('transfer_invalid', {});
    if (!input.account || !input.toAccount) throw new DomainError('transfer_invalid', {});
    const from = requireAccount(accounts, input.account);
    const to = requireAccount(accounts, input.toAccount);
    if (from.id === to.id) throw new DomainError('transfer_same_account', { account: from.name });
    if (typed?.currency && typed.currency !== from.currency)
      throw new DomainError('currency_mismatch', { currency: typed.currency, account: from.name, accountCurrency: from.currency });
    const amountMinor = typed ? exactMinor(typed, from.currency) : minorAmount(input.amountMinor!, from.currency);
    let toAmountMinor = amountMinor;
    const second = input.toAmount !== undefined || input.toAmountMinor !== undefined;
    if (from.currency !== to.currency) {
      if (!second) throw new DomainError('transfer_invalid', { from: from.currency, to: to.currency });
      if (input.toAmount !== undefined) {
        const t2 = amountText(input.toAmount);
        if (t2.currency && t2.currency !== to.currency)
          throw new DomainError('currency_mismatch', { currency: t2.currency, account: to.name, accountCurrency: to.currency });
        toAmountMinor = exactMinor(t2, to.currency);
      } else toAmountMinor = minorAmount(input.toAmountMinor!, to.currency);
    } else if (second) throw new DomainError('transfer_invalid', { same: from.currency });
    return {
      ...base,
      kind: 'transfer',
      accountId: from.id,
      amountMinor,
      currency: from.currency,
      toAccountId: to.id,
      toAmountMinor,
      toCurrency: to.currency,
      labels: [],
    };
  }

  const labels = labelsOf(input.labels ?? []);
  const def = accounts.find((x) => x.id === a.book.defaultAccountId) ?? accounts[0];
  let account: Account;
  if (input.account) account = requireAccount(accounts, input.account);
  else if (!typed?.currency || typed.currency === (def?.currency ?? a.book.currency)) account = def ?? (await defaultAccount(a, accounts));
  else {
    const same = accounts.filter((x) => x.currency === typed.currency);
    if (same.length !== 1)
      throw new DomainError('currency_mismatch', { currency: typed.currency, account: def?.name ?? 'Main', accountCurrency: def?.currency ?? a.book.currency });
    account = same[0]!;
  }
  if (typed?.currency && typed.currency !== account.currency)
    throw new DomainError('currency_mismatch', { currency: typed.currency, account: account.name, accountCurrency: account.currency });
  const amountMinor = typed ? exactMinor(typed, account.currency) : minorAmount(input.amountMinor!, account.currency);
  return { ...base, kind: input.kind, accountId: account.id, amountMinor, currency: account.currency, labels };
}
