import { issueToken } from '../domain/access/api-tokens.js';
import { systemClock } from '../domain/clock.js';
import type { Database } from '../drizzle/db.js';
import { createStore } from '../drizzle/store/index.js';

/**
 * A book with one owner and `tokens` API tokens of theirs, made on the database directly (a
 * process under test serves the API on it): each token is a rate-limit bucket of its own.
 */
export async function seedApiBook(database: Database, tokens = 1): Promise<{ bookId: number; tokens: string[] }> {
  const store = createStore(database.db);
  const user = await store.resolveUser({ platform: 'console', externalId: 'api-owner', name: 'Owner' });
  const book = await store.resolveChat({ platform: 'console', chatId: 'api-book', kind: 'private', title: 'API book' }, { currency: 'EUR', timezone: 'UTC', language: 'en' });
  await store.ensureMember(book.id, user.id, false);
  const out: string[] = [];
  for (let i = 0; i < tokens; i++) out.push((await issueToken(store, systemClock, user.id, `t${i}`, 1)).token);
  return { bookId: book.id, tokens: out };
}
