import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../../domain/access/api-tokens.js';
import { createHarness, type Harness } from '../../test/harness.js';

const ann = { id: '1', name: 'Ann' };
const bob = { id: '2', name: 'Bob' };

describe('/token, /tokens, /revoke', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it('GIVEN /token laptop THEN the token is shown once in a copyable block with its id, name and expiry', async () => {
    const [reply] = await h.replies(ann, '/token laptop');
    expect(reply!.pre).toMatch(/^coin_[A-Za-z0-9_-]{43}$/);
    expect(reply!.text).toMatch(/“laptop” \(id \d+\) works until 2027-02-22/);
    expect(reply!.text).toContain('only this once');
    expect(reply!.text).not.toContain(reply!.pre!);
    expect((await verifyToken(h.services.store, h.clock, reply!.pre)).ok).toBe(true);
    // Nothing afterwards shows it again.
    expect(await h.say(ann, '/tokens')).not.toContain(reply!.pre!);
  });

  it('GIVEN a configured lifetime THEN new tokens use it', async () => {
    h.services.apiTokenTtlDays = 7;
    try {
      expect(await h.say(ann, '/token week')).toContain('works until 2026-12-01');
    } finally {
      h.services.apiTokenTtlDays = undefined;
    }
  });

  it('GIVEN tokens, one used THEN /tokens lists id, name, created, last used and expiry', async () => {
    const [reply] = await h.replies(ann, '/token phone');
    h.clock.advance(3_600_000);
    await verifyToken(h.services.store, h.clock, reply!.pre);
    const list = await h.say(ann, '/tokens');
    expect(list).toMatch(/id\s+name\s+created\s+last used\s+expires/);
    expect(list).toMatch(/\d+\s+phone\s+2026-11-24\s+2026-11-24 13:00\s+2027-02-22/);
    expect(list).toMatch(/\d+\s+laptop\s+2026-11-24\s+2026-11-24 12:00\s+2027-02-22/);
    expect(list).toMatch(/\d+\s+week\s+2026-11-24\s+never\s+2026-12-01/);
  });

  it('GIVEN a bad name THEN usage, and no token is made', async () => {
    expect(await h.say(bob, '/token ' + 'x'.repeat(60))).toContain('Usage: /token [name]');
    expect(await h.say(bob, '/tokens')).toContain('no API tokens');
  });

  it('GIVEN /revoke without an argument or with junk THEN usage', async () => {
    expect(await h.say(ann, '/revoke')).toContain('Usage: /revoke <id|all|web>');
    expect(await h.say(ann, '/revoke everything')).toContain('Usage: /revoke <id|all|web>');
    expect(await h.say(ann, '/revoke 99999')).toContain('no token 99999');
  });

  it('GIVEN /revoke all THEN the list is empty and the tokens stop', async () => {
    const [reply] = await h.replies(ann, '/token last');
    expect(await h.say(ann, '/revoke all')).toMatch(/Tokens revoked: 4/);
    expect(await h.say(ann, '/tokens')).toContain('no API tokens');
    expect(await verifyToken(h.services.store, h.clock, reply!.pre)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('GIVEN a group THEN all three commands are refused', async () => {
    for (const cmd of ['/token', '/tokens', '/revoke all']) expect(await h.say(ann, cmd, 'g1')).toMatch(/private chat/);
  });
});
