import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../domain/clock.js';
import { checkSession, issueSignInLink, openSession, sha256, useSignInLink, WEB_SESSION_TTL_MS } from '../../domain/access/web-access.js';
import type { LedgerStore } from '../../domain/ports.js';
import type { Database } from '../db.js';
import { ENGINES } from '../../test/databases.js';
import { createStore } from './index.js';

describe.each(ENGINES)('web sign-in store on $engine', ({ open }) => {
  let database: Database;
  let store: LedgerStore;
  const clock = new FixedClock('2026-11-24T12:00:00Z');
  beforeAll(async () => {
    database = await open();
    store = createStore(database.db);
  });
  afterAll(() => database.close());

  it('GIVEN two uses of one link at once THEN exactly one signs in', async () => {
    const user = await store.resolveUser({ platform: 'console', externalId: 'race', name: 'Race' });
    const { secret } = await issueSignInLink(store, clock, user.id, null);
    const results = await Promise.all([useSignInLink(store, clock, secret), useSignInLink(store, clock, secret), useSignInLink(store, clock, secret)]);
    expect(results.filter(Boolean)).toEqual([{ userId: user.id, bookId: null }]);
  });

  it('GIVEN the same initData hash twice THEN the second is a replay', async () => {
    const at = clock.now();
    const old = new Date(at.getTime() - 7_200_000);
    expect(await store.claimInitData('h1', at, old)).toBe(true);
    expect(await store.claimInitData('h1', at, old)).toBe(false);
  });

  it('GIVEN a session past its 30 days, or revoked THEN it no longer opens pages, and a later sign-in sweeps it away', async () => {
    const user = await store.resolveUser({ platform: 'console', externalId: 'old', name: 'Old' });
    const a = await openSession(store, clock, user.id, 'link', 'ua');
    const b = await openSession(store, clock, user.id, 'link', 'ua');
    expect((await checkSession(store, clock, a.secret))?.id).toBe(a.session.id);
    await store.revokeSession(user.id, b.session.id, clock.now());
    expect(await checkSession(store, clock, b.secret)).toBeUndefined();
    const later = new FixedClock(new Date(clock.now().getTime() + WEB_SESSION_TTL_MS + 1000));
    expect(await checkSession(store, later, a.secret)).toBeUndefined();
    const swept = new FixedClock(new Date(later.now().getTime() + 2 * 86_400_000));
    await openSession(store, swept, user.id, 'link', 'ua');
    expect(await store.findSessionByHash(sha256(a.secret))).toBeUndefined();
    expect(await store.listSessions(user.id, swept.now())).toHaveLength(1);
  });
});
