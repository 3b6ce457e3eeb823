import { createHash, randomInt } from 'node:crypto';
import type { Actor } from '../access/actor.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../access/permissions.js';
import type { ChatRef, IdentityRef } from '../ports.js';
import type { Book, Platform } from '../types.js';
import type { BookContents, LinkKind } from './ports.js';

/** How long a `/link` code can be redeemed. */
export const LINK_CODE_MINUTES = 10;

/** Letters and digits that cannot be mistaken for each other when read aloud or retyped (no 0/O, 1/I/L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

/** `K7QM-3RXP`; about 8·10^11 codes, so guessing one in 10 minutes is hopeless. */
export function newLinkCode(): string {
  let s = '';
  for (let i = 0; i < CODE_LENGTH; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** Normalises what a user typed (`k7qm3rxp`, `K7QM-3RXP`, `k7qm 3rxp`) and hashes it. */
export function hashLinkCode(written: string): string {
  const norm = written.toUpperCase().replace(/[\s-]/g, '');
  return createHash('sha256').update(`coin-link:${norm}`).digest('hex');
}

export const isEmptyBook = (c: BookContents): boolean =>
  c.events + c.settlements + c.templates + c.budgets + c.accountsWithMoney === 0;

/**
 * `/link` without a code: in a group (or Discord channel) an admin gets a code that lets another
 * chat join this book; in a private chat anyone gets a code that joins their account on another
 * platform to this one.
 */
export async function createLink(a: Actor, chat: ChatRef): Promise<{ kind: LinkKind; code: string; expiresAt: Date }> {
  const kind: LinkKind = chat.kind === 'private' ? 'identity' : 'book';
  if (kind === 'book') assertCan(a.role, 'manage');
  const code = newLinkCode();
  const expiresAt = new Date(a.clock.now().getTime() + LINK_CODE_MINUTES * 60_000);
  await a.store.saveLinkCode(hashLinkCode(code), { kind, bookId: a.book.id, userId: a.userId, expiresAt });
  return { kind, code, expiresAt };
}

/**
 * `/link <code>`: joins this chat to the book the code was made for.
 *
 * What happens to this chat's own book: linking never merges two ledgers (their accounts, label
 * names, `#N` numbers and budgets would collide, and a mistaken link could not be undone), and it
 * never drops data. So the chat that redeems must not have anything recorded yet (no records,
 * including deleted ones, no settlements, templates, budgets or accounts holding money); otherwise
 * nothing changes and the user is told to redeem the other way round or to start from an empty
 * chat. Its empty book is deleted; its members join the linked book.
 *
 * Book codes are redeemed in a group by an admin of that group; identity codes in a private chat on
 * another platform than the ones the person already linked.
 *
 * @throws DomainError `link_code_invalid` (with `context`: `same_book`, `has_data`, `wrong_chat`,
 *   `same_user`, `same_platform`), `forbidden`.
 */
export async function redeemLink(a: Actor, chat: ChatRef, written: string): Promise<{ kind: LinkKind; book: Book; chats: number }> {
  const hash = hashLinkCode(written);
  const now = a.clock.now();
  const code = await a.store.findLinkCode(hash, now);
  if (!code) throw new DomainError('link_code_invalid', {});
  const wanted: ChatRef['kind'] = code.kind === 'book' ? 'group' : 'private';
  if (chat.kind !== wanted) throw new DomainError('link_code_invalid', { context: `wrong_chat_${code.kind}` });

  if (code.kind === 'book') {
    assertCan(a.role, 'manage');
    if (code.bookId === a.book.id) throw new DomainError('link_code_invalid', { context: 'same_book' });
    if (!isEmptyBook(await a.store.bookContents(a.book.id))) throw new DomainError('link_code_invalid', { context: 'has_data' });
    await a.store.moveChat({ hash, now, chat, fromBookId: a.book.id, toBookId: code.bookId });
  } else {
    if (code.userId === a.userId) throw new DomainError('link_code_invalid', { context: 'same_user' });
    // One account per platform per person: otherwise a private chat would have two personal books.
    const [theirs, mine] = await Promise.all([a.store.identitiesOf(code.userId), a.store.identitiesOf(a.userId)]);
    const clash = mine.find((i) => theirs.some((x) => x.platform === i.platform));
    if (clash) throw new DomainError('link_code_invalid', { context: 'same_platform', platform: platformName(clash.platform) });
    if (!isEmptyBook(await a.store.bookContents(a.book.id))) throw new DomainError('link_code_invalid', { context: 'has_data' });
    await a.store.mergeIdentity({ hash, now, chat, fromBookId: a.book.id, toBookId: code.bookId, fromUserId: a.userId, intoUserId: code.userId });
  }
  const book = await a.store.getBook(code.bookId);
  return { kind: code.kind, book, chats: await a.store.chatCount(code.bookId) };
}

/**
 * `/unlink` in a group or channel that shares its book with other chats: this chat leaves with a
 * new, empty book of the same currency, time zone and language, owned by the admin who unlinked
 * (the others become members again as they write). Every record stays in the shared book with the
 * chats that remain: nothing is split or copied, so nothing can be lost or counted twice.
 *
 * @throws DomainError `group_only`, `forbidden`, `unlink_alone`.
 */
export async function unlinkChat(a: Actor, chat: ChatRef): Promise<{ left: Book; book: Book; remaining: number }> {
  assertCan(a.role, 'manage');
  const book = await a.store.detachChat({ chat, fromBookId: a.book.id, title: chat.title, ownerId: a.userId });
  return { left: a.book, book, remaining: await a.store.chatCount(a.book.id) };
}

/**
 * `/unlink` in a private chat of a person whose accounts on two platforms were linked: the account
 * they write from becomes a person of its own again, with a new, empty personal book of the same
 * settings in this chat. Everything recorded so far stays with the other account (records,
 * memberships, shares, tokens): nothing is split, so nothing is lost or counted twice. In groups
 * the account is a new member the next time it writes there.
 *
 * @throws DomainError `unlink_alone`.
 */
export async function unlinkIdentity(a: Actor, chat: ChatRef, from: IdentityRef): Promise<{ left: Book; book: Book; platform: string }> {
  const book = await a.store.detachIdentity({ identity: from, userId: a.userId, name: from.name, chat, fromBookId: a.book.id, title: chat.title });
  const others = (await a.store.identitiesOf(a.userId)).map((i) => platformName(i.platform));
  return { left: a.book, book, platform: others.join(', ') };
}

const PLATFORM_NAMES: Record<Platform, string> = { telegram: 'Telegram', discord: 'Discord', console: 'Console', api: 'API' };

/** `Telegram`, `Discord`: platform names as people write them. */
export const platformName = (p: Platform): string => PLATFORM_NAMES[p];
