import type { Actor } from '../access/actor.js';
import { readAmount, toMinor } from '../money/amount.js';
import { parseDateToken } from '../parsing/dates.js';
import { DomainError } from '../errors.js';
import { assertCan, assertCanChange } from '../access/permissions.js';
import type { EventPatch, HistoryFilter } from '../ports.js';
import { tokenize } from '../parsing/tokenize.js';
import type { LedgerEvent } from '../types.js';
import { findAccount } from './record.js';
import { parsePeriod } from '../parsing/period.js';

export const EDIT_FIELDS = ['amount', 'label', 'account', 'date', 'note'] as const;
export type EditField = (typeof EDIT_FIELDS)[number];

const LABEL_RE = /^[\p{L}\p{N}_-]{1,32}$/u;

/** Parses a label list for `/edit #N label …`: `#food #fun`, `food`, or `-` to clear. */
export function parseLabelList(value: string): string[] {
  const v = value.trim();
  if (v === '-' || v.toLowerCase() === 'none') return [];
  const out: string[] = [];
  for (const raw of tokenize(v)) {
    const name = raw.replace(/^#/, '').toLowerCase();
    if (!LABEL_RE.test(name)) throw new DomainError('label_invalid', { label: raw });
    if (!out.includes(name)) out.push(name);
  }
  if (out.length === 0) throw new DomainError('label_invalid', { label: value });
  return out;
}

/** `/edit <#N> <field> <value>` */
export async function editEvent(a: Actor, seq: number, field: string, value: string): Promise<LedgerEvent> {
  const ev = await a.store.getEvent(a.book.id, seq);
  if (!ev) throw new DomainError('event_unknown', { seq });
  assertCanChange(a.role, a.userId, ev.authorId);
  const patch: EventPatch = {};
  switch (field.toLowerCase() as EditField) {
    case 'amount': {
      const amt = readAmount(tokenize(value));
      if (amt.currency && amt.currency !== ev.currency)
        throw new DomainError('currency_mismatch', { currency: amt.currency, account: ev.accountName, accountCurrency: ev.currency });
      patch.amountMinor = toMinor(amt, ev.currency);
      // A same-currency transfer moves one amount; a cross-currency one keeps what arrived.
      if (ev.kind === 'transfer' && ev.toCurrency === ev.currency) patch.toAmountMinor = patch.amountMinor;
      break;
    }
    case 'label':
      if (ev.kind === 'transfer') throw new DomainError('edit_field_invalid', { field, fields: ['amount', 'date', 'note'] });
      patch.labels = parseLabelList(value);
      break;
    case 'account': {
      const accounts = await a.store.listAccounts(a.book.id);
      const acc = findAccount(accounts, value.trim());
      if (!acc) throw new DomainError('account_unknown', { account: value.trim().replace(/^@/, ''), accounts: accounts.map((x) => x.name) });
      if (acc.currency !== ev.currency)
        throw new DomainError('currency_mismatch', { currency: ev.currency, account: acc.name, accountCurrency: acc.currency });
      if (ev.kind === 'transfer' && acc.id === ev.toAccountId) throw new DomainError('transfer_same_account', { account: acc.name });
      patch.accountId = acc.id;
      break;
    }
    case 'date': {
      const d = parseDateToken(value.trim(), a.clock.now(), a.book.timezone);
      if (!d) throw new DomainError('date_invalid', { date: value.trim() });
      patch.occurredAt = d;
      break;
    }
    case 'note':
      patch.note = value.trim();
      break;
    default:
      throw new DomainError('edit_field_invalid', { field, fields: [...EDIT_FIELDS] });
  }
  return a.store.editEvent(a.book.id, seq, patch);
}

/** `/history [n] [#label] [@account] [period]` */
export async function history(a: Actor, args: string): Promise<{ events: LedgerEvent[]; period?: string }> {
  assertCan(a.role, 'read');
  const f: HistoryFilter = { limit: 10 };
  let periodLabel: string | undefined;
  const accounts = await a.store.listAccounts(a.book.id);
  for (const t of tokenize(args)) {
    if (/^\d{1,3}$/.test(t)) f.limit = Math.min(Math.max(Number(t), 1), 100);
    else if (t.startsWith('#')) f.label = t.slice(1);
    else if (t.startsWith('@')) {
      const acc = findAccount(accounts, t);
      if (!acc) throw new DomainError('account_unknown', { account: t.slice(1), accounts: accounts.map((x) => x.name) });
      f.accountId = acc.id;
    } else {
      const p = parsePeriod(t, a.clock.now(), a.book.timezone);
      f.from = p.start;
      f.to = p.end;
      periodLabel = p.label;
    }
  }
  const events = await a.store.history(a.book.id, f);
  return periodLabel ? { events, period: periodLabel } : { events };
}
