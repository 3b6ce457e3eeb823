import type { Actor } from '../access/actor.js';
import { readAmount, toMinor } from '../money/amount.js';
import { DomainError } from '../errors.js';
import { currencyCode, isCurrency } from '../money/money.js';
import { assertCan } from '../access/permissions.js';
import { tokenize } from '../parsing/tokenize.js';
import type { Account } from '../types.js';
import { findAccount } from './record.js';

const NAME_RE = /^[\p{L}\p{N}][\p{L}\p{N} _.'-]{0,31}$/u;

/** Account names: start with a letter or digit, up to 32 characters, not a bare number. */
export function accountName(raw: string): string {
  const name = raw.trim().replace(/^@/, '').replace(/\s+/g, ' ');
  if (!NAME_RE.test(name) || /^\d+([.,]\d+)?$/.test(name)) throw new DomainError('account_name_invalid', { account: raw });
  return name;
}

function require(accounts: Account[], name: string | undefined): Account {
  if (!name) throw new DomainError('usage', { command: 'account' });
  const acc = findAccount(accounts, name);
  if (!acc) throw new DomainError('account_unknown', { account: name.replace(/^@/, ''), accounts: accounts.map((x) => x.name) });
  return acc;
}

export async function listAccounts(a: Actor): Promise<Account[]> {
  assertCan(a.role, 'read');
  return a.store.listAccounts(a.book.id);
}

/** `/account add <name> [currency] [opening balance]` (name may be quoted). */
export async function addAccount(a: Actor, args: string): Promise<Account> {
  assertCan(a.role, 'manage');
  const [rawName, ...rest] = tokenize(args);
  if (!rawName) throw new DomainError('usage', { command: 'account' });
  const name = accountName(rawName);
  let currency = a.book.currency;
  let tokens = rest;
  if (tokens[0] && isCurrency(tokens[0]) && /^[a-z]{3}$/i.test(tokens[0])) {
    currency = currencyCode(tokens[0]);
    tokens = tokens.slice(1);
  }
  let opening = 0;
  if (tokens.length) {
    const negative = tokens[0]!.startsWith('-');
    if (negative) tokens = [tokens[0]!.slice(1), ...tokens.slice(1)].filter(Boolean);
    const amt = readAmount(tokens);
    if (amt.consumed !== tokens.length) throw new DomainError('amount_invalid', { text: tokens.join(' ') });
    if (amt.currency) {
      if (currency !== a.book.currency && amt.currency !== currency)
        throw new DomainError('currency_mismatch', { currency: amt.currency, account: name, accountCurrency: currency });
      currency = amt.currency;
    }
    opening = toMinor(amt, currency) * (negative ? -1 : 1);
  }
  return a.store.createAccount(a.book.id, { name, currency, openingMinor: opening });
}

export async function renameAccount(a: Actor, args: string): Promise<{ from: string; to: string }> {
  assertCan(a.role, 'manage');
  const [oldName, newName, extra] = tokenize(args);
  if (!newName || extra) throw new DomainError('usage', { command: 'account' });
  const acc = require(await a.store.listAccounts(a.book.id), oldName);
  const name = accountName(newName);
  await a.store.renameAccount(a.book.id, acc.id, name);
  return { from: acc.name, to: name };
}

export async function deleteAccount(a: Actor, args: string): Promise<Account> {
  assertCan(a.role, 'manage');
  const acc = require(await a.store.listAccounts(a.book.id), tokenize(args)[0]);
  await a.store.deleteAccount(a.book.id, acc.id);
  return acc;
}

export async function setDefaultAccount(a: Actor, args: string): Promise<Account> {
  assertCan(a.role, 'manage');
  const acc = require(await a.store.listAccounts(a.book.id), tokenize(args)[0]);
  await a.store.setDefaultAccount(a.book.id, acc.id);
  return acc;
}
