import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';

/** A one-time sign-in link lives this long (SPEC §7, issue 15). */
export const SIGN_IN_LINK_TTL_MS = 10 * 60_000;
/** A browser session lives this long from sign-in (not extended by use). */
export const WEB_SESSION_TTL_MS = 30 * 86_400_000;
/** `last_seen_at` is written at most this often per session: page views must not all write. */
export const SESSION_TOUCH_MS = 60_000;

/** Sign-in link secrets: `l_` + 32 random bytes (base64url). */
const LINK_RE = /^l_[A-Za-z0-9_-]{43}$/;
/** Session cookie secrets: `s_` + 32 random bytes (base64url). */
const SESSION_RE = /^s_[A-Za-z0-9_-]{43}$/;

/** How a session was opened. */
export type SessionVia = 'telegram' | 'link';

/** A stored browser session: everything but its secret, which only the cookie holds. */
export interface WebSession {
  id: number;
  userId: number;
  via: SessionVia;
  agent: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** Storage port of the web app's sign-in (`drizzle/store/web-store.ts`). */
export interface WebAccessStore {
  insertSignInLink(l: { hash: string; userId: number; bookId: number | null; createdAt: Date; expiresAt: Date }): Promise<void>;
  /**
   * Marks the link used and returns its user and book, in one statement so two clicks cannot
   * both succeed; `undefined` when unknown, used or expired.
   */
  useSignInLink(hash: string, at: Date): Promise<{ userId: number; bookId: number | null } | undefined>;
  /**
   * Remembers an accepted initData hash; false when it was seen already (a replay). Forgets
   * hashes seen before `forgetBefore` (they are too old to be accepted anyway).
   */
  claimInitData(hash: string, at: Date, forgetBefore: Date): Promise<boolean>;
  insertSession(s: { userId: number; hash: string; via: SessionVia; agent: string; createdAt: Date; expiresAt: Date }): Promise<WebSession>;
  findSessionByHash(hash: string): Promise<WebSession | undefined>;
  /** The user's live sessions (not revoked, not expired at `at`), newest first. */
  listSessions(userId: number, at: Date): Promise<WebSession[]>;
  /** Revokes one of the user's sessions; false when there is no such live session. */
  revokeSession(userId: number, sessionId: number, at: Date): Promise<boolean>;
  /** Revokes every live session of the user; returns how many. */
  revokeAllSessions(userId: number, at: Date): Promise<number>;
  /** `last_seen_at = at` unless it was set less than {@link SESSION_TOUCH_MS} before. */
  touchSession(sessionId: number, at: Date): Promise<void>;
}

/** SHA-256 hex: what the database keeps of links, sessions and initData. */
export const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

const secret = (prefix: string): string => prefix + randomBytes(32).toString('base64url');

/**
 * Issues a one-time sign-in link secret for `userId` (opening `bookId` first). Only its hash is
 * stored; the secret goes into the link shown once to the person who asked.
 */
export async function issueSignInLink(store: WebAccessStore, clock: Clock, userId: number, bookId: number | null): Promise<{ secret: string; expiresAt: Date }> {
  const s = secret('l_');
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + SIGN_IN_LINK_TTL_MS);
  await store.insertSignInLink({ hash: sha256(s), userId, bookId, createdAt: now, expiresAt });
  return { secret: s, expiresAt };
}

/** Uses a sign-in link once; `undefined` for anything not a live, unused link. */
export async function useSignInLink(store: WebAccessStore, clock: Clock, presented: string): Promise<{ userId: number; bookId: number | null } | undefined> {
  if (!LINK_RE.test(presented)) return undefined;
  return store.useSignInLink(sha256(presented), clock.now());
}

/** Opens a session: returns the cookie secret (never stored) and the stored session. */
export async function openSession(
  store: WebAccessStore,
  clock: Clock,
  userId: number,
  via: SessionVia,
  agent: string,
): Promise<{ secret: string; session: WebSession }> {
  const s = secret('s_');
  const now = clock.now();
  const session = await store.insertSession({
    userId,
    hash: sha256(s),
    via,
    agent: agent.slice(0, 200),
    createdAt: now,
    expiresAt: new Date(now.getTime() + WEB_SESSION_TTL_MS),
  });
  return { secret: s, session };
}

/** The live session behind a cookie secret, marked seen (at most once a minute); else `undefined`. */
export async function checkSession(store: WebAccessStore, clock: Clock, presented: string | undefined): Promise<WebSession | undefined> {
  if (!presented || !SESSION_RE.test(presented)) return undefined;
  const found = await store.findSessionByHash(sha256(presented));
  const now = clock.now();
  if (!found || found.revokedAt || found.expiresAt.getTime() <= now.getTime()) return undefined;
  if (now.getTime() - found.lastSeenAt.getTime() >= SESSION_TOUCH_MS) {
    await store.touchSession(found.id, now);
    return { ...found, lastSeenAt: now };
  }
  return found;
}

/**
 * The CSRF token of a session: an HMAC of the cookie secret, so it needs no storage and only a
 * page served to the cookie's holder can know it (another site can send the cookie, not read it).
 */
export const csrfToken = (sessionSecret: string): string => createHmac('sha256', sessionSecret).update('coin-web-csrf').digest('base64url');

/** Compares a presented CSRF token with the session's in constant time. */
export function csrfMatches(sessionSecret: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const want = Buffer.from(csrfToken(sessionSecret));
  const got = Buffer.from(presented);
  return want.length === got.length && timingSafeEqual(want, got);
}
