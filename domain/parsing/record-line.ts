import { looksLikeAmountStart, readAmount, toMinor } from '../money/amount.js';
import { parseDateToken } from './dates.js';
import { DomainError } from '../errors.js';
import { tokenize } from './tokenize.js';
import type { Minor } from '../money/money.js';

/** What a record line is read against: the book's accounts, labels, clock and settings. */
export interface RecordContext {
  accounts: readonly { name: string; currency: string }[];
  /** Name of the book's default account, if it has one yet. */
  defaultAccount: string | undefined;
  /** Existing label names. */
  labels: readonly string[];
  now: Date;
  timezone: string;
  bookCurrency: string;
}

export interface ParsedRecord {
  /** Positive amount in minor units of `currency`. */
  minor: Minor;
  currency: string;
  /** Label names: existing spellings where they exist, otherwise lower-cased; no duplicates. */
  labels: string[];
  /** Existing account name, or `undefined` for "the caller's choice" (see `parseRecordLine`). */
  account: string | undefined;
  /** When a date word was given; `undefined` means now. */
  occurredAt: Date | undefined;
  note: string;
}

const LABEL = /^[\p{L}\p{N}_-]{1,32}$/u;

/**
 * Reads a record line: the amount first, then in any order `#label`s, one `@account`,
 * one date word (`today`, `yesterday`, `YYYY-MM-DD`, `DD.MM`, `DD.MM.YYYY`; later date-shaped
 * words belong to the note), and note words (kept in order, single-spaced).
 *
 * Label from the note: without any `#label`, a note whose first word is an existing label
 * (case-insensitive, trailing punctuation ignored) gets that label. The word leaves the note only
 * when it is the whole note (`4.50 coffee` → label coffee, empty note), because removing it from
 * a longer note would mangle the sentence (`coffee with Anna` stays as written).
 *
 * Currency and account: a currency written with the amount wins; without one the amount is in
 * the currency of the `@account`, else of the default account, else the book's. An explicit
 * currency that differs from the `@account`'s is an error. An explicit currency without
 * `@account` that the default account does not hold picks the one account in that currency when
 * there is exactly one; otherwise `account` stays `undefined` and the caller decides (it may find
 * no account in that currency, or several). `account` is otherwise only set by `@account`;
 * `undefined` means the default account.
 *
 * @throws DomainError from `readAmount`/`toMinor`, `label_invalid` ({label}), `account_unknown`
 *   ({account, accounts}), `usage` ({accounts}) for two different `@accounts`, `date_invalid`,
 *   `currency_mismatch` ({currency, account, accountCurrency}).
 */
export function parseRecordLine(text: string, ctx: RecordContext): ParsedRecord {
  const tokens = tokenize(text);
  const amount = readAmount(tokens);

  const labels: string[] = [];
  const note: string[] = [];
  let account: { name: string; currency: string } | undefined;
  let occurredAt: Date | undefined;

  for (const token of tokens.slice(amount.consumed)) {
    if (token.startsWith('#')) {
      const label = resolveLabel(token.slice(1), ctx.labels);
      if (!labels.some((l) => sameName(l, label))) labels.push(label);
    } else if (token.startsWith('@') && token.length > 1) {
      const found = findAccount(token.slice(1), ctx);
      if (account && account.name !== found.name) {
        throw new DomainError('usage', { accounts: [account.name, found.name] });
      }
      account = found;
    } else {
      const date = occurredAt === undefined ? parseDateToken(token, ctx.now, ctx.timezone) : undefined;
      if (date) occurredAt = date;
      else if (token.trim()) note.push(token.trim());
    }
  }

  if (labels.length === 0 && note.length > 0) {
    const first = note[0]!.replace(/[.,;:!?]+$/u, '');
    const existing = ctx.labels.find((l) => sameName(l, first));
    if (existing !== undefined) {
      labels.push(existing);
      if (note.length === 1) note.length = 0;
    }
  }

  const explicit = amount.currency;
  if (explicit && account && explicit !== account.currency.toUpperCase()) {
    throw new DomainError('currency_mismatch', {
      currency: explicit,
      account: account.name,
      accountCurrency: account.currency.toUpperCase(),
    });
  }
  const defaultAccount = ctx.defaultAccount === undefined ? undefined : findByName(ctx.defaultAccount, ctx);
  if (explicit && !account && defaultAccount && defaultAccount.currency.toUpperCase() !== explicit) {
    const inCurrency = ctx.accounts.filter((a) => a.currency.toUpperCase() === explicit);
    if (inCurrency.length === 1) account = inCurrency[0];
  }
  const currency = (explicit ?? account?.currency ?? defaultAccount?.currency ?? ctx.bookCurrency).toUpperCase();

  return {
    minor: toMinor(amount, currency),
    currency,
    labels,
    account: account?.name,
    occurredAt,
    note: note.join(' '),
  };
}

/**
 * Recognises a plain chat message as a record (quick entry): one that starts like an
 * amount (`4.50 coffee`, `€3 tea`, `USD 12 lunch`) is an expense; with a leading `+`
 * (`+2500 salary`, `+ €20 gift`) an income. `line` is the record line without the `+`.
 * Returns `undefined` for anything else, including a leading minus.
 */
export function parseQuickEntry(text: string): { kind: 'expense' | 'income'; line: string } | undefined {
  const trimmed = text.trim();
  const income = trimmed.startsWith('+');
  const line = income ? trimmed.slice(1).trim() : trimmed;
  if (!looksLikeAmountStart(tokenize(line))) return undefined;
  return { kind: income ? 'income' : 'expense', line };
}

function resolveLabel(written: string, existing: readonly string[]): string {
  const label = written.normalize('NFC').toLowerCase();
  if (!LABEL.test(label)) throw new DomainError('label_invalid', { label: written });
  return existing.find((l) => sameName(l, label)) ?? label;
}

function findAccount(written: string, ctx: RecordContext): { name: string; currency: string } {
  const found = findByName(written, ctx);
  if (!found) throw new DomainError('account_unknown', { account: written, accounts: ctx.accounts.map((a) => a.name) });
  return found;
}

function findByName(name: string, ctx: RecordContext): { name: string; currency: string } | undefined {
  return ctx.accounts.find((a) => sameName(a.name, name.trim()));
}

const sameName = (a: string, b: string): boolean => a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();
