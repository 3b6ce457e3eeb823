import type { Actor } from '../access/actor.js';
import { DomainError } from '../errors.js';
import { currencyCode } from '../money/money.js';
import { assertCan } from '../access/permissions.js';
import { assertTimezone } from '../parsing/timezone.js';
import type { Book, Language } from '../types.js';

export const LANGUAGES: readonly Language[] = ['en', 'ru'];

/**
 * `/currency <ISO>` sets the book currency used for new accounts and totals. Existing accounts
 * keep their currency: amounts are never silently converted.
 */
export async function setCurrency(a: Actor, value: string): Promise<Book> {
  assertCan(a.role, 'settings');
  return a.store.updateBook(a.book.id, { currency: currencyCode(value) });
}

export async function setTimezone(a: Actor, value: string): Promise<Book> {
  assertCan(a.role, 'settings');
  return a.store.updateBook(a.book.id, { timezone: assertTimezone(value.trim()) });
}

export async function setLanguage(a: Actor, value: string): Promise<Book> {
  assertCan(a.role, 'settings');
  const lang = value.trim().toLowerCase();
  if (!LANGUAGES.includes(lang as Language)) throw new DomainError('language_invalid', { language: value, languages: [...LANGUAGES] });
  return a.store.updateBook(a.book.id, { language: lang as Language });
}
