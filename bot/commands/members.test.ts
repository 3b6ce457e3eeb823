import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type TestUser } from '../../test/harness.js';

const olga: TestUser = { id: '1', name: 'Olga', username: 'olga' };
const adam: TestUser = { id: '2', name: 'Adam', username: 'adam', admin: true };
const mia: TestUser = { id: '3', name: 'Mia Ross', username: 'mia' };
const max: TestUser = { id: '4', name: 'Mia Kay' };

describe('/members and /role', () => {
  let h: Harness;
  let n = 0;
  beforeAll(async () => {
    h = await createHarness({ now: '2026-11-24T12:00:00Z' });
  });
  afterAll(async () => h?.close());

  async function group(...users: TestUser[]): Promise<string> {
    const id = `members-${++n}`;
    for (const u of users) await h.say(u, '/start', id);
    return id;
  }

  it('GIVEN records this month, last month and a deleted one THEN /members shows each role and this month’s live spending', async () => {
    const id = await group(olga, adam, mia);
    await h.say(olga, '/spend 12.50 lunch', id);
    await h.say(olga, '/spend 99 2026-10-31 old', id);
    await h.say(mia, '/spend 7 tea', id);
    await h.say(mia, '/spend 3 typo', id);
    await h.say(mia, '/undo', id);
    await h.say(mia, '/income 500 salary', id);
    const out = await h.say(adam, '/members', id);
    expect(out).toContain(`Members of ${id}, spent in November 2026`);
    expect(out).toMatch(/Olga @olga\s+owner\s+12\.50 EUR/);
    expect(out).toMatch(/Adam @adam\s+admin\s+0\.00 EUR/);
    expect(out).toMatch(/Mia Ross @mia\s+member\s+7\.00 EUR/);
  });

  it('GIVEN an admin THEN they set member and viewer roles but cannot make or unmake owners', async () => {
    const id = await group(olga, adam, mia);
    expect(await h.say(adam, '/role @mia viewer', id)).toBe('Mia Ross is now viewer (was member).');
    expect(await h.say(mia, '/spend 5 x', id)).toContain('Your role (viewer) cannot do that here; it needs member.');
    expect(await h.say(adam, '/role mia member', id)).toBe('Mia Ross is now member (was viewer).');
    expect(await h.say(adam, '/role mia member', id)).toBe('Mia Ross is already member.');
    expect(await h.say(adam, '/role @mia owner', id)).toContain('it needs owner');
    expect(await h.say(adam, '/role @olga admin', id)).toContain('it needs owner');
    expect(await h.say(adam, '/role @adam owner', id)).toContain('it needs owner');
    expect(await h.say(olga, '/members', id)).toMatch(/Olga @olga\s+owner/);
  });

  it('GIVEN the only owner THEN they cannot step down until someone else owns the book', async () => {
    const id = await group(olga, adam);
    expect(await h.say(olga, '/role @olga admin', id)).toBe('The book must keep at least one owner.');
    expect(await h.say(olga, '/role @adam owner', id)).toBe('Adam is now owner (was admin).');
    expect(await h.say(olga, '/role @olga member', id)).toBe('Olga is now member (was owner).');
    expect(await h.say(olga, '/role @adam viewer', id)).toContain('Your role (member) cannot do that here');
    expect(await h.say(adam, '/role @adam viewer', id)).toBe('The book must keep at least one owner.');
  });

  it('GIVEN a role set by hand THEN being a platform admin does not override it', async () => {
    const id = await group(olga, adam);
    await h.say(olga, '/role adam viewer', id);
    expect(await h.say(adam, '/spend 5 x', id)).toContain('Your role (viewer)');
  });

  it('GIVEN unclear input THEN says what was wrong and changes nothing', async () => {
    const id = await group(olga, mia, max);
    expect(await h.say(olga, '/role @mia', id)).toContain('Usage: /role <user> <owner|admin|member|viewer>');
    expect(await h.say(olga, '/role @mia boss', id)).toContain('Usage: /role');
    expect(await h.say(olga, '/role @zed admin', id)).toContain('There is no member “@zed” in this book.');
    expect(await h.say(olga, '/role mia admin', id)).toBe('Mia Ross is now admin (was member).');
    expect(await h.say(olga, '/role "Mia Kay" viewer', id)).toBe('Mia Kay is now viewer (was member).');
    const members = await h.say(olga, '/members', id);
    expect(members).toMatch(/Mia Ross @mia\s+admin/);
    expect(members).toMatch(/Mia Kay\s+viewer/);
  });

  it('GIVEN two members with the same first name THEN asks for the username', async () => {
    const miaWithoutUsername: TestUser = { id: '30', name: 'Mia Ross' };
    const id = await group(olga, miaWithoutUsername, max);
    expect(await h.say(olga, '/role @mia admin', id)).toBe('“@mia” could be Mia Ross, Mia Kay; write the @username instead.');
  });
});
