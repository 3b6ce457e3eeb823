import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { FixedClock } from '../../domain/clock.js';
import { enterWithToken, hashToken, issueToken, revokeTokens, verifyToken } from '../../domain/access/api-tokens.js';
import { DomainError } from '../../domain/errors.js';
import type { LedgerStore } from '../../domain/ports.js';
import { ENGINES } from '../../test/databases.js';
import type { Database } from '../db.js';
import { createStore } from './index.js';
import { rowsOf } from './rows.js';

describe.each(ENGINES)('API tokens on $engine', ({ open }) => {
  let db: Database;
  let store: LedgerStore;
  const clock = new FixedClock('2026-11-24T12:00:00Z');
  let ann: number;
  let bob: number;

  beforeAll(async () => {
    db = await open();
    store = createStore(db.db);
    ann = (await store.resolveUser({ platform: 'telegram', externalId: 'a', name: 'Ann' })).id;
    bob = (await store.resolveUser({ platform: 'telegram', externalId: 'b', name: 'Bob' })).id;
  });
  afterAll(async () => db?.close());

  it('GIVEN a new token THEN only its SHA-256 is stored and it verifies for its user', async () => {
    const { token, record } = await issueToken(store, clock, ann, 'laptop', 90);
    expect(token).toMatch(/^coin_[A-Za-z0-9_-]{43}$/);
    const rows = rowsOf<{ hash: string }>(await db.db.execute(sql`select hash from api_tokens where id = ${record.id}`));
    expect(rows[0]!.hash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token.slice(5));
    const check = await verifyToken(store, clock, token);
    expect(check).toMatchObject({ ok: true, token: { userId: ann, name: 'laptop' } });
    expect(record.expiresAt.toISOString()).toBe('2027-02-22T12:00:00.000Z');
  });

  it('GIVEN two issues THEN the tokens differ', async () => {
    const a = await issueToken(store, clock, ann, '', 90);
    const b = await issueToken(store, clock, ann, '', 90);
    expect(a.token).not.toBe(b.token);
    expect(a.record.name).toBe('api');
  });

  it('GIVEN a token at its expiry instant THEN it is refused as expired', async () => {
    const c = new FixedClock('2026-11-24T12:00:00Z');
    const { token } = await issueToken(store, c, ann, 'short', 1);
    c.advance(86_400_000 - 1);
    expect((await verifyToken(store, c, token)).ok).toBe(true);
    c.advance(1);
    expect(await verifyToken(store, c, token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('GIVEN garbage, a near miss or nothing THEN refused without a match', async () => {
    const { token } = await issueToken(store, clock, ann, 'x', 90);
    expect(await verifyToken(store, clock, undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(await verifyToken(store, clock, "coin_' or '1'='1")).toEqual({ ok: false, reason: 'malformed' });
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(await verifyToken(store, clock, flipped)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('GIVEN many uses within a minute THEN last_used_at is written once, then again after a minute', async () => {
    const c = new FixedClock('2026-11-24T12:00:00Z');
    const { token, record } = await issueToken(store, c, ann, 'busy', 90);
    const lastUsed = async () =>
      rowsOf<{ t: string | null }>(await db.db.execute(sql`select last_used_at::text as t from api_tokens where id = ${record.id}`))[0]!.t;
    expect(await lastUsed()).toBeNull();
    await verifyToken(store, c, token);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    c.advance(30_000);
    await Promise.all([verifyToken(store, c, token), verifyToken(store, c, token)]);
    expect(await lastUsed()).toBe(first);
    c.advance(31_000);
    await verifyToken(store, c, token);
    expect(await lastUsed()).not.toBe(first);
  });

  it('GIVEN an API request on a book THEN one statement gives the token, the membership and the accounts; it marks the token used once a minute; a revoked token is refused on its next request', async () => {
    const c = new FixedClock('2026-11-24T12:00:00Z');
    const book = await store.resolveChat({ platform: 'telegram', chatId: 'enter-api', kind: 'private', title: 'E' }, { currency: 'EUR', timezone: 'Europe/Berlin', language: 'en' });
    await store.ensureMember(book.id, ann, false);
    await store.createAccount(book.id, { name: 'Cash', currency: 'EUR', openingMinor: 500 });
    const { token, record } = await issueToken(store, c, ann, 'enter', 90);
    const lastUsed = async () =>
      rowsOf<{ t: string | null }>(await db.db.execute(sql`select last_used_at::text as t from api_tokens where id = ${record.id}`))[0]!.t;

    const entry = await enterWithToken(store, c, token, { id: book.id, snapshot: true });
    expect(entry).toMatchObject({ ok: true, token: { id: record.id, userId: ann }, member: { role: 'owner', book: { id: book.id, currency: 'EUR' } } });
    expect(entry.ok && entry.member?.snapshot?.accounts.map((a) => [a.name, a.balanceMinor])).toEqual([['Cash', 500]]);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    c.advance(30_000);
    const again = await enterWithToken(store, c, token, { id: book.id, snapshot: false });
    expect(again.ok && again.member?.snapshot).toBeUndefined();
    expect(await lastUsed()).toBe(first);
    c.advance(31_000);
    await enterWithToken(store, c, token);
    expect(await lastUsed()).not.toBe(first);

    // Bob is not in the book: his token is fine, the membership is absent.
    const bobs = await issueToken(store, c, bob, 'bob-enter', 90);
    const bobEntry = await enterWithToken(store, c, bobs.token, { id: book.id, snapshot: true });
    expect(bobEntry.ok).toBe(true);
    expect(bobEntry.ok && bobEntry.member).toBeUndefined();

    await revokeTokens(store, c, ann, String(record.id));
    const touched = await lastUsed();
    c.advance(120_000);
    expect(await enterWithToken(store, c, token, { id: book.id, snapshot: true })).toEqual({ ok: false, reason: 'revoked' });
    expect(await lastUsed()).toBe(touched);
    expect(await enterWithToken(store, c, token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toEqual({ ok: false, reason: 'unknown' });
  });

  it('GIVEN /revoke by id THEN only the owner can revoke it, at once', async () => {
    const { token, record } = await issueToken(store, clock, ann, 'victim', 90);
    await expect(revokeTokens(store, clock, bob, String(record.id))).rejects.toThrow(DomainError);
    expect((await verifyToken(store, clock, token)).ok).toBe(true);
    const r = await revokeTokens(store, clock, ann, `#${record.id}`);
    expect(r).toMatchObject({ all: false, token: { id: record.id, name: 'victim' } });
    expect(await verifyToken(store, clock, token)).toEqual({ ok: false, reason: 'revoked' });
    // Revoking twice: the token is no longer there to revoke.
    await expect(revokeTokens(store, clock, ann, String(record.id))).rejects.toMatchObject({ code: 'token_unknown' });
  });

  it('GIVEN /revoke all THEN every token of the user goes and the list is empty; others keep theirs', async () => {
    const bobs = await issueToken(store, clock, bob, 'bob', 90);
    const before = (await store.listTokens(ann)).length;
    expect(before).toBeGreaterThan(0);
    expect(await revokeTokens(store, clock, ann, 'ALL')).toEqual({ all: true, count: before });
    expect(await store.listTokens(ann)).toEqual([]);
    expect((await verifyToken(store, clock, bobs.token)).ok).toBe(true);
  });

  it('GIVEN a bad name or revoke argument THEN a usage error', async () => {
    await expect(issueToken(store, clock, ann, 'x'.repeat(41), 90)).rejects.toMatchObject({ code: 'usage' });
    await expect(issueToken(store, clock, ann, "'; drop table api_tokens; --", 90)).rejects.toMatchObject({ code: 'usage' });
    await expect(revokeTokens(store, clock, ann, 'some')).rejects.toMatchObject({ code: 'usage' });
    await expect(revokeTokens(store, clock, ann, '')).rejects.toMatchObject({ code: 'usage' });
  });
});
