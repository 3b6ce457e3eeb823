import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { DomainError } from '../errors.js';
import type { ApiEntry, ApiToken, TokenStore } from './ports.js';

/** Every token starts with this, so leaked ones are easy to spot (secret scanners, logs). */
export const TOKEN_PREFIX = 'coin_';
/** `coin_` + 32 random bytes in base64url (43 characters). */
const TOKEN_RE = /^coin_[A-Za-z0-9_-]{43}$/;
/** Finds token-shaped strings inside arbitrary text (log scrubbing). */
export const TOKEN_IN_TEXT = /coin_[A-Za-z0-9_-]{43}/g;

/** `last_used_at` is written at most this often per token: reads must not turn into writes. */
export const TOUCH_INTERVAL_MS = 60_000;

const NAME_RE = /^[\p{L}\p{N}][\p{L}\p{N} _.'-]{0,39}$/u;
export const DEFAULT_TOKEN_NAME = 'api';

/** SHA-256 hex of a token: what the database keeps and looks tokens up by. */
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** True for strings shaped like a COIN token (checked before any database lookup). */
export const looksLikeToken = (s: string): boolean => TOKEN_RE.test(s);

/** A token name: 1–40 letters, digits, spaces, `_ . ' -`; empty means the default name. */
export function tokenName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (name === '') return DEFAULT_TOKEN_NAME;
  if (!NAME_RE.test(name)) throw new DomainError('usage', {});
  return name;
}

/**
 * Issues a personal API token for `userId`: 32 random bytes behind the `coin_` prefix. Only the
 * SHA-256 hash is stored; the returned `token` is the one and only time anyone sees it.
 */
export async function issueToken(
  store: TokenStore,
  clock: Clock,
  userId: number,
  rawName: string,
  ttlDays: number,
): Promise<{ token: string; record: ApiToken }> {
  const name = tokenName(rawName);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + ttlDays * 86_400_000);
  const record = await store.insertToken({ userId, name, hash: hashToken(token), createdAt: now, expiresAt });
  return { token, record };
}

/** Why a presented token was refused. Only the holder of a real token learns "expired"/"revoked". */
export type TokenRefusal = 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked';

export type TokenCheck = { ok: true; token: ApiToken } | { ok: false; reason: TokenRefusal };

/**
 * Checks a presented token: shape, then hash lookup, then revocation and expiry. Marks it used
 * (at most once a minute, so a busy client does not write on every request).
 */
export async function verifyToken(store: TokenStore, clock: Clock, presented: string | undefined): Promise<TokenCheck> {
  if (!presented) return { ok: false, reason: 'missing' };
  if (!looksLikeToken(presented)) return { ok: false, reason: 'malformed' };
  const found = await store.findTokenByHash(hashToken(presented));
  if (!found) return { ok: false, reason: 'unknown' };
  const now = clock.now();
  if (found.revokedAt) return { ok: false, reason: 'revoked' };
  if (found.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    await store.touchToken(found.id, now);
    return { ok: true, token: { ...found, lastUsedAt: now } };
  }
  return { ok: true, token: found };
}

/** {@link verifyToken} with the book the request names, read in the same statement. */
export type TokenEntry = { ok: true; token: ApiToken; member?: ApiEntry['member'] } | { ok: false; reason: TokenRefusal };

/**
 * {@link verifyToken} for an API request, in one statement: the token (marked used at most once a
 * minute) and, for a request on a book, the user's membership there — with the book's accounts
 * when the request records. Nothing is cached: a revoked or expired token is refused on its very
 * next request.
 */
export async function enterWithToken(
  store: Pick<TokenStore, 'enterApi'>,
  clock: Clock,
  presented: string | undefined,
  book?: { id: number; snapshot: boolean },
): Promise<TokenEntry> {
  if (!presented) return { ok: false, reason: 'missing' };
  if (!looksLikeToken(presented)) return { ok: false, reason: 'malformed' };
  const now = clock.now();
  const found = await store.enterApi(hashToken(presented), now, book);
  if (!found) return { ok: false, reason: 'unknown' };
  if (found.token.revokedAt) return { ok: false, reason: 'revoked' };
  if (found.token.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return found.member ? { ok: true, token: found.token, member: found.member } : { ok: true, token: found.token };
}

/** `/revoke <id|all>`: revokes at once; `all` answers how many, an id answers the token. */
export async function revokeTokens(
  store: TokenStore,
  clock: Clock,
  userId: number,
  arg: string,
): Promise<{ all: true; count: number } | { all: false; token: ApiToken }> {
  const word = arg.trim().toLowerCase();
  if (word === 'all') return { all: true, count: await store.revokeAllTokens(userId, clock.now()) };
  const m = /^#?(\d{1,9})$/.exec(word);
  if (!m) throw new DomainError('usage', {});
  const id = Number(m[1]);
  const token = await store.revokeToken(userId, id, clock.now());
  if (!token) throw new DomainError('token_unknown', { id });
  return { all: false, token };
}

/** Replaces anything token-shaped in `text` (log lines, error messages) with a marker. */
export const scrubTokens = (text: string): string => text.replace(TOKEN_IN_TEXT, 'coin_[redacted]');
