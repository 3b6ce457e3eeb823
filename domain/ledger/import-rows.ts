import type { Actor } from '../access/actor.js';
import { DomainError } from '../errors.js';
import type { Minor } from '../money/money.js';
import type { NewEvent, RecordStore } from '../ports.js';
import { bookRules } from '../rules/apply.js';
import type { RuleMatch } from '../rules/types.js';
import type { Account, EventKind } from '../types.js';

/** Longest note an import writes (COIN's CSV refuses longer ones; a bank's text is cut). */
export const MAX_NOTE = 2000;

/**
 * A row read from a file — COIN's own CSV or a bank statement — already checked by its reader;
 * recorded through `recordBatch` like every other bulk input.
 */
export interface ImportRow {
  /** Idempotency key: a row whose key the book holds (or that came earlier in the batch) is skipped. */
  sourceKey: string;
  /**
   * COIN's CSV: the `#N` of the export the row came from. A row that is record `#N` of this very
   * book (deleted or not) is skipped; in a book where `#N` is still free it keeps its number.
   */
  seq?: number | undefined;
  kind: EventKind;
  /** The book account: its id (the account a statement was matched to), or its name (created in `currency` when the book lacks it). */
  account: number | string;
  currency: string;
  amountMinor: Minor;
  toAccount?: string | undefined;
  toCurrency?: string | undefined;
  toAmountMinor?: Minor | undefined;
  labels: string[];
  note: string;
  occurredAt: Date;
  /** What a bank said of the row: the book's rules label an unlabelled row by it, and it is kept beside the record (`events.meta`). */
  bank?: { payee: string; memo: string } | undefined;
}

/** A row's event, or the refusal that explains why it cannot be one. */
export type RowEvent = { event: NewEvent; rule: RuleMatch | null } | { error: DomainError };

/** The book's accounts by lower-cased name (for {@link checkRow}). */
export const byName = (accounts: readonly Account[]): Map<string, Account> => new Map(accounts.map((x) => [x.name.toLowerCase(), x]));

/** Names the rows give that the book has no account for, each with the currency its first row uses. */
function missingAccounts(accounts: readonly Account[], rows: readonly ImportRow[]): { name: string; currency: string }[] {
  const known = byName(accounts);
  const wanted = new Map<string, { name: string; currency: string }>();
  const want = (name: string, currency: string) => {
    const key = name.toLowerCase();
    if (!known.has(key) && !wanted.has(key)) wanted.set(key, { name, currency });
  };
  for (const r of rows) {
    if (typeof r.account === 'string') want(r.account, r.currency);
    if (r.toAccount) want(r.toAccount, r.toCurrency ?? r.currency);
  }
  return [...wanted.values()];
}

/**
 * The accounts the rows name that the book lacks, created in the currency the file gives them (a
 * fresh book's first one becomes its default, as with `/account add`). Returns the book's
 * accounts after. Called only once the batch will be written.
 */
export async function ensureRowAccounts(a: Actor<RecordStore>, accounts: Account[], rows: readonly ImportRow[]): Promise<Account[]> {
  const missing = missingAccounts(accounts, rows);
  if (missing.length === 0) return accounts;
  const out = [...accounts];
  for (const m of missing) {
    try {
      out.push(await a.store.createAccount(a.book.id, { name: m.name, currency: m.currency, openingMinor: 0 }));
    } catch (e) {
      // Another import created it at the same moment.
      if (!(e instanceof DomainError && e.code === 'account_exists')) throw e;
      const again = (await a.store.listAccounts(a.book.id)).find((x) => x.name.toLowerCase() === m.name.toLowerCase());
      if (!again) throw e;
      out.push(again);
    }
  }
  return out;
}

/**
 * Checks a row against the book's accounts without writing anything: an account it names must
 * keep its currency. A name the book lacks passes (it is created before the write).
 */
export function checkRow(accounts: readonly Account[], known: ReadonlyMap<string, Account>, row: ImportRow): DomainError | undefined {
  const sides: [number | string | undefined, string][] = [[row.account, row.currency]];
  if (row.kind === 'transfer') sides.push([row.toAccount, row.toCurrency ?? row.currency]);
  for (const [ref, currency] of sides) {
    const acc = typeof ref === 'number' ? accounts.find((x) => x.id === ref) : ref === undefined ? undefined : known.get(ref.toLowerCase());
    if (typeof ref === 'number' && !acc) return new DomainError('account_unknown', { account: `#${ref}`, accounts: accounts.map((x) => x.name) });
    if (acc && acc.currency !== currency) return new DomainError('currency_mismatch', { currency, account: acc.name, accountCurrency: acc.currency });
  }
  if (row.kind === 'transfer' && row.toAccount === undefined) return new DomainError('transfer_invalid', {});
  return undefined;
}

/**
 * The events of checked rows, against the book's accounts (all of them there by now). A bank row
 * without a label is labelled by the book's rules from its payee and memo (the rule's note, when
 * it gives one, replaces the bank's text), as a typed line is labelled from its note.
 */
export async function rowEvents(a: Actor<RecordStore>, accounts: readonly Account[], rows: readonly ImportRow[]): Promise<{ event: NewEvent; rule: RuleMatch | null }[]> {
  const known = byName(accounts);
  const idOf = (ref: number | string) => (typeof ref === 'number' ? ref : known.get(ref.toLowerCase())!.id);
  const matcher = rows.some((r) => r.bank && r.labels.length === 0) ? await bookRules(a) : undefined;
  return rows.map((r) => {
    const rule = matcher && r.bank && r.labels.length === 0 ? matcher.match({ payee: r.bank.payee, memo: r.bank.memo }) : null;
    const event: NewEvent = {
      bookId: a.book.id,
      kind: r.kind,
      accountId: idOf(r.account),
      amountMinor: r.amountMinor,
      currency: r.currency,
      labels: rule ? [rule.label] : r.labels,
      note: (rule?.note || r.note).slice(0, MAX_NOTE),
      authorId: a.userId,
      occurredAt: r.occurredAt,
      sourceKey: r.sourceKey,
    };
    if (r.kind === 'transfer') {
      event.toAccountId = idOf(r.toAccount!);
      event.toAmountMinor = r.toAmountMinor ?? r.amountMinor;
      event.toCurrency = r.toCurrency ?? r.currency;
    }
    if (r.seq !== undefined) event.seq = r.seq;
    if (r.bank) event.meta = { payee: r.bank.payee, memo: r.bank.memo };
    return { event, rule };
  });
}
