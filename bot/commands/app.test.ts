import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../test/harness.js';

const ANN = { id: '101', name: 'Ann' };

describe('/app', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ extend: (s) => (s.webAppUrl = 'https://coin.example.org') });
  });
  afterAll(() => h.close());

  it('GIVEN a private Telegram chat and an https address THEN a Mini App button, no secret in the text', async () => {
    const [r] = await h.replies(ANN, '/app');
    expect(r!.webApp).toEqual({ label: 'Open COIN', url: 'https://coin.example.org/app/' });
    expect(r!.text).not.toMatch(/auth\/link/);
  });

  it('GIVEN Discord (any channel) THEN a one-time sign-in link only the asker sees', async () => {
    const discord = { id: '555000000000000001', name: 'Dee', platform: 'discord' as const };
    const [dm] = await h.replies(discord, '/app');
    expect(dm!.text).toMatch(/^Your sign-in link.*\nhttps:\/\/coin\.example\.org\/app\/auth\/link\/l_[A-Za-z0-9_-]{43}$/s);
    expect(dm!.ephemeral).toBe(true);
    const [channel] = await h.replies(discord, '/app', 'guild-channel');
    expect(channel!.text).toMatch(/auth\/link\/l_/);
    expect(channel!.ephemeral).toBe(true);
  });

  it('GIVEN no public address THEN it says the web app is not set up', async () => {
    const bare = await createHarness();
    try {
      expect(await bare.say(ANN, '/app')).toMatch(/not set up/);
    } finally {
      await bare.close();
    }
  });
});
