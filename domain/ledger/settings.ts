import type { Actor } from '../access/actor.js';
import { DomainError } from '../errors.js';
import { currencyCode } from '../money/money.js';
import { assertCan } from '../access/permissions.js';
import { nextOccurrence } from '../schedules/schedule.js';
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

/**
 * `/timezone <IANA>`: template times are book times (`monthly:1 at:09:00`), so every running
 * template's next occurrence is computed again in the new zone. One already due (not swept yet)
 * keeps its time, so a change never skips an occurrence.
 */
export async function setTimezone(a: Actor, value: string): Promise<Book> {
  assertCan(a.role, 'settings');
  const book = await a.store.updateBook(a.book.id, { timezone: assertTimezone(value.trim()) });
  const now = a.clock.now();
  for (const t of await a.store.listTemplates(book.id)) {
    if (t.paused || !t.nextDueAt || t.nextDueAt <= now) continue;
    const nextDueAt = nextOccurrence(t.schedule, now, book.timezone, t.anchorAt);
    if (nextDueAt?.getTime() !== t.nextDueAt.getTime()) await a.store.updateTemplate(book.id, t.id, { nextDueAt });
  }
  return book;
}

export async function setLanguage(a: Actor, value: string): Promise<Book> {
  assertCan(a.role, 'settings');
  const lang = value.trim().toLowerCase();
  if (!LANGUAGES.includes(lang as Language)) throw new DomainError('language_invalid', { language: value, languages: [...LANGUAGES] });
  return a.store.updateBook(a.book.id, { language: lang as Language });
}
