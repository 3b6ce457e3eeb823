import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../drizzle/store/rows.js';
import { createHarness, type Harness, type TestUser } from '../../test/harness.js';

/**
 * `/link` at the dispatcher level, with Telegram and Discord chat refs. An adapter-level version
 * would drive the same flows through the Telegram Bot API double and the Discord interaction
 * double once the Discord adapter exists.
 */
describe('/link across chats and platforms', () => {
  let h: Harness;
  let n = 0;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  const codeIn = (text: string): string => /\/link ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(text)![1]!;
  const fresh = (label: string) => `${label}-${++n}`;

  // Telegram people
  const ann: TestUser = { id: '101', name: 'Ann', username: 'ann' };
  const bob: TestUser = { id: '102', name: 'Bob', username: 'bob' };
  // Discord people (another id space)
  const dan: TestUser = { id: '900000000000000201', name: 'Dan', username: 'dan_dc', platform: 'discord' };
  const eve: TestUser = { id: '900000000000000202', name: 'Eve', username: 'eve_dc', platform: 'discord' };

  it('GIVEN a Telegram group and a Discord channel WHEN linked THEN both record into one book and see the same history, accounts and members', async () => {
    const tg = fresh('tg-family');
    const dc = fresh('dc-family');
    await h.say(ann, '/start', tg);
    await h.say(bob, '/start', tg);
    await h.say(dan, '/start', dc);
    await h.say(eve, '/start', dc);

    const code = codeIn(await h.say(ann, '/link', tg));
    expect(await h.say(dan, `/link ${code.toLowerCase()}`, dc)).toBe(`Linked: this chat now shares the book “${tg}” (chats in it: 2).`);

    expect(await h.say(ann, '/spend 12 #food lunch', tg)).toContain('#1 −12.00 EUR');
    expect(await h.say(dan, '/spend 8 #food', dc)).toContain('#2 −8.00 EUR');
    expect(await h.say(eve, '/income 100 refund', dc)).toContain('#3 +100.00 EUR');
    for (const [who, chat] of [[bob, tg], [eve, dc]] as const) {
      const history = await h.say(who, '/history', chat);
      expect(history).toMatch(/#3 .*\+100\.00 EUR/);
      expect(history).toMatch(/#2 .*−8\.00 EUR/);
      expect(history).toMatch(/#1 .*−12\.00 EUR/);
      expect(await h.say(who, '/accounts', chat)).toContain('80.00 EUR');
    }
    const members = await h.say(bob, '/members', tg);
    expect(members).toMatch(/Ann @ann\s+owner\s+12\.00 EUR/);
    expect(members).toMatch(/Bob @bob\s+member/);
    // Dan owned the Discord book; in the joined book he is an admin, Eve keeps her role.
    expect(members).toMatch(/Dan @dan_dc\s+admin\s+8\.00 EUR/);
    expect(members).toMatch(/Eve @eve_dc\s+member/);

    // A split across platforms, settled from the other one.
    expect(await h.say(ann, '/spend 30 #taxi split:@eve_dc,@me', tg)).toContain('Eve 15.00 EUR, Ann 15.00 EUR');
    expect(await h.say(eve, '/settle @ann', dc)).toContain('Eve paid Ann 15.00 EUR.');
    expect(await h.say(bob, '/balances', tg)).toContain('Everyone is square');
  });

  it('GIVEN linked chats WHEN an admin unlinks one THEN it starts an empty book of the same settings and every record stays with the other', async () => {
    const tg = fresh('tg-split-up');
    const dc = fresh('dc-split-up');
    await h.say(ann, '/start', tg);
    await h.say(ann, '/currency USD', tg);
    await h.say(ann, '/timezone Europe/Berlin', tg);
    await h.say(dan, '/start', dc);
    await h.say(eve, '/start', dc);
    const code = codeIn(await h.say(ann, '/link', tg));
    expect(await h.say(dan, `/link ${code}`, dc)).toContain('Linked');
    await h.say(ann, '/spend 12 #food', tg);
    await h.say(eve, '/spend 8 #food', dc);
    expect(await h.say(dan, '/template add monthly:1 50 #rent', dc)).toContain('added');

    // Eve is a member there, not an admin: refused, nothing changes.
    expect(await h.say(eve, '/unlink', dc)).toBe('Your role (member) cannot do that here; it needs admin.');
    expect(await h.say(dan, '/unlink', dc)).toBe(
      `Unlinked: the records stay in “${tg}” (chats in it: 1). This chat starts a new, empty book “${dc}” (USD, Europe/Berlin), and you own it.`,
    );
    expect(await h.say(dan, '/history', dc)).not.toMatch(/#\d/);
    expect(await h.say(dan, '/spend 5 #taxi', dc)).toContain('#1 −5.00 USD');
    expect(await h.say(ann, '/history', tg)).toMatch(/#2 .*−8\.00 USD[\s\S]*#1 .*−12\.00 USD/);
    expect(await h.say(ann, '/history', tg)).not.toContain('taxi');
    expect(await h.say(dan, '/members', dc)).toMatch(/Dan @dan_dc\s+owner/);
    // The rent template belongs to the shared book; it now reports to the chat that stayed.
    expect(await h.say(ann, '/templates', tg)).toContain('50 #rent');
    expect(await h.say(dan, '/templates', dc)).toContain('No templates yet');
    const [target] = rowsOf<{ platform: string; chat: string }>(
      await h.database.db.execute(sql`select notify_platform as platform, notify_chat_id as chat from templates where record like '%#rent%'`),
    );
    expect(target).toEqual({ platform: 'telegram', chat: tg });

    // Each chat is alone in its book now; Ann's private chat has no linked account either.
    const alone = 'There is nothing to unlink here: this chat is the only one in its book, and this account is not linked to another.';
    expect(await h.say(dan, '/unlink', dc)).toBe(alone);
    expect(await h.say(ann, '/unlink', tg)).toBe(alone);
    expect(await h.say(ann, '/unlink')).toBe(alone);
  });

  it('GIVEN a code THEN it works once, only for 10 minutes, and only where it makes sense', async () => {
    const home = fresh('tg-home');
    await h.say(ann, '/start', home);
    const code = codeIn(await h.say(ann, '/link', home));
    expect(await h.say(ann, `/link ${code}`, home)).toContain('already uses that book');
    expect(await h.say(dan, `/link ${code}`)).toContain('This code links group chats');

    const first = fresh('dc-one');
    await h.say(dan, '/start', first);
    expect(await h.say(dan, `/link ${code}`, first)).toContain('Linked');
    const second = fresh('dc-two');
    await h.say(dan, '/start', second);
    expect(await h.say(dan, `/link ${code}`, second)).toContain('wrong or has expired');

    const late = codeIn(await h.say(ann, '/link', home));
    h.clock.advance(10 * 60_000 + 1000);
    expect(await h.say(dan, `/link ${late}`, second)).toContain('wrong or has expired');
    expect(await h.say(dan, '/link NOPE-NOPE', second)).toContain('wrong or has expired');
  });

  it('GIVEN the redeeming chat already has records THEN nothing changes and the code still works elsewhere', async () => {
    const home = fresh('tg-home');
    const busy = fresh('dc-busy');
    const empty = fresh('dc-empty');
    await h.say(ann, '/spend 5 coffee', home);
    await h.say(dan, '/spend 7 tea', busy);
    const code = codeIn(await h.say(ann, '/link', home));
    expect(await h.say(dan, `/link ${code}`, busy)).toContain('already has its own records');
    expect(await h.say(dan, '/history', busy)).toContain('−7.00 EUR');
    expect(await h.say(dan, '/history', busy)).not.toContain('−5.00 EUR');
    await h.say(dan, '/start', empty);
    expect(await h.say(dan, `/link ${code}`, empty)).toContain('Linked');
    expect(await h.say(dan, '/history', empty)).toContain('−5.00 EUR');
  });

  it('GIVEN members who are not admins THEN they can neither make nor redeem a book code', async () => {
    const home = fresh('tg-home');
    const other = fresh('dc-other');
    await h.say(ann, '/start', home);
    await h.say(bob, '/start', home);
    await h.say(dan, '/start', other);
    await h.say(eve, '/start', other);
    expect(await h.say(bob, '/link', home)).toContain('Your role (member) cannot do that here; it needs admin.');
    const code = codeIn(await h.say(ann, '/link', home));
    expect(await h.say(eve, `/link ${code}`, other)).toContain('Your role (member) cannot do that here');
    expect(await h.say(dan, `/link ${code}`, other)).toContain('Linked');
  });

  it('GIVEN a person on Telegram and on Discord WHEN they link identities THEN both private chats show one personal book and groups know one person', async () => {
    const zoeTg: TestUser = { id: '150', name: 'Zoe', username: 'zoe' };
    const zoeDc: TestUser = { id: '900000000000000250', name: 'zoe.d', username: 'zoe_d', platform: 'discord' };
    await h.say(zoeTg, '/spend 20 #books');
    const shared = fresh('dc-club');
    await h.say(dan, '/start', shared);
    await h.say(zoeDc, '/start', shared);

    const code = codeIn(await h.say(zoeTg, '/link'));
    expect(await h.say(zoeTg, `/link ${code}`)).toContain('already linked');
    expect(await h.say(zoeDc, `/link ${code}`)).toBe('Linked: your accounts are one now, and this chat shows your personal book “p-150”.');

    expect(await h.say(zoeDc, '/spend 5 #coffee')).toContain('#2 −5.00 EUR');
    const history = await h.say(zoeTg, '/history');
    expect(history).toMatch(/#2 .*#coffee/);
    expect(history).toMatch(/#1 .*#books/);
    // In the Discord club she is still one member, now under her Telegram name with both handles.
    expect(await h.say(dan, '/members', shared)).toMatch(/Zoe @\w+\s+member/);
    expect(await h.say(dan, '/spend 10 split:@zoe,@zoe_d', shared)).toContain('is not a split');

    // Another Telegram account cannot join the same person: one account per platform.
    const other: TestUser = { id: '151', name: 'Zed' };
    const again = codeIn(await h.say(zoeDc, '/link'));
    expect(await h.say(other, `/link ${again}`)).toContain('Both accounts have Telegram');
  });

  it('GIVEN linked identities with different names WHEN the person writes from both THEN their name stays put until it really changes on one platform', async () => {
    const maxTg: TestUser = { id: '170', name: 'Max Power', username: 'maxp' };
    const maxDc: TestUser = { id: '900000000000000270', name: 'maxi', username: 'maxi_dc', platform: 'discord' };
    const club = fresh('names-club');
    await h.say(maxTg, '/start', club);
    await h.say(maxDc, '/start');
    const code = codeIn(await h.say(maxTg, '/link'));
    expect(await h.say(maxDc, `/link ${code}`)).toContain('Linked');

    await h.say(bob, '/start', club);
    for (const who of [maxDc, maxTg, maxDc]) await h.say(who, '/spend 1 #x');
    expect(await h.say(bob, '/members', club)).toMatch(/Max Power @\w+\s+owner/);

    // A real change on one platform is taken over.
    await h.say({ ...maxDc, name: 'Maximilian' }, '/spend 1 #x');
    await h.say(maxTg, '/spend 1 #x');
    expect(await h.say(bob, '/members', club)).toMatch(/Maximilian @\w+\s+owner/);
  });

  it('GIVEN linked accounts WHEN the person unlinks one THEN it is a person of its own with an empty personal book, and everything recorded stays with the other', async () => {
    const ivyTg: TestUser = { id: '180', name: 'Ivy', username: 'ivy' };
    const ivyDc: TestUser = { id: '900000000000000280', name: 'ivy.d', username: 'ivy_dc', platform: 'discord' };
    const club = fresh('unlink-club');
    await h.say(dan, '/start', club);
    await h.say(ivyTg, '/start');
    await h.say(ivyDc, '/start');
    const code = codeIn(await h.say(ivyTg, '/link'));
    expect(await h.say(ivyDc, `/link ${code}`)).toContain('Linked');
    await h.say(ivyDc, '/spend 5 #coffee');
    await h.say(ivyDc, '/spend 9 #lunch', club);
    expect(await h.say(dan, '/members', club)).toMatch(/Ivy @\w+\s+member\s+9\.00 EUR/);

    expect(await h.say(ivyDc, '/unlink')).toBe(
      `Unlinked: this account is on its own again, with a new, empty personal book “p-${ivyDc.id}”. Everything recorded so far stays with your Telegram account.`,
    );
    expect(await h.say(ivyDc, '/history')).not.toMatch(/#\d/);
    expect(await h.say(ivyTg, '/history')).toMatch(/#1 .*#coffee/);
    // In the club the Discord account writes as a new member; the records stay Ivy's.
    await h.say(ivyDc, '/spend 2 #tea', club);
    const members = await h.say(dan, '/members', club);
    expect(members).toMatch(/Ivy @ivy\s+member\s+9\.00 EUR/);
    expect(members).toMatch(/ivy\.d @ivy_dc\s+member\s+2\.00 EUR/);
    // Nothing left to unlink on either side.
    expect(await h.say(ivyTg, '/unlink')).toContain('There is nothing to unlink here');
  });

  it('GIVEN an identity code redeemed where the person already has private records THEN refuses', async () => {
    const kimTg: TestUser = { id: '160', name: 'Kim' };
    const kimDc: TestUser = { id: '900000000000000260', name: 'Kim', platform: 'discord' };
    await h.say(kimDc, '/spend 3 gum');
    const code = codeIn(await h.say(kimTg, '/link'));
    expect(await h.say(kimDc, `/link ${code}`)).toContain('already has its own records');
    expect(await h.say(kimDc, `/link ${code}`, fresh('dc-group'))).toContain('This code links your own accounts');
  });
});
