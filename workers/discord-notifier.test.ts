import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordDouble, type DiscordDouble } from '../test/doubles/discord/index.js';
import { discordNotifier } from './discord-notifier.js';
import { RateLimited, Undeliverable } from './notifier.js';

describe('Discord notifier against the REST double (no gateway)', () => {
  let discord: DiscordDouble;
  let notifier: ReturnType<typeof discordNotifier>;
  let channel: string;
  beforeAll(async () => {
    discord = await startDiscordDouble();
    channel = discord.addGuild({ name: 'Flat', channels: [{ name: 'money' }] }).channels[0]!.id;
    notifier = discordNotifier({ token: discord.token, apiRoot: discord.restApi });
  });
  afterAll(async () => discord?.close());

  it('GIVEN a guild channel book THEN the notification is posted there with its Undo button and no mentions', async () => {
    expect(await notifier.send('discord', channel, { text: 'Recorded from templates: @everyone rent', buttons: [[{ label: 'Undo', action: 'undo:3' }]] })).toBe(
      'sent',
    );
    const m = await discord.waitForChannelMessage(channel);
    expect(m.data.content).toContain('Recorded from templates');
    expect(m.data.allowed_mentions).toEqual({ parse: [] });
    expect(JSON.stringify(m.data.components)).toContain('undo:3');
  });

  it('GIVEN a personal book dm:<user> THEN the message goes to that user’s DM channel', async () => {
    expect(await notifier.send('discord', 'dm:123456789012345678', { text: 'Budget #food: 80% used' })).toBe('sent');
    const m = await discord.waitForDirectMessage('123456789012345678');
    expect(m.data.content).toContain('80% used');
  });

  it('GIVEN a user with closed DMs or an unknown channel THEN the chat is reported blocked', async () => {
    discord.closeDirectMessages('223456789012345678');
    expect(await notifier.send('discord', 'dm:223456789012345678', { text: 'x' })).toBe('blocked');
    expect(await notifier.send('discord', '999999999999999999', { text: 'x' })).toBe('blocked');
  });

  it('GIVEN a refused payload THEN it is undeliverable; a 500 is thrown for the queue to retry', async () => {
    discord.failNext({ method: 'POST', path: /\/channels\/\d+\/messages/, status: 400, code: 50035, message: 'Invalid Form Body' });
    await expect(notifier.send('discord', channel, { text: 'x' })).rejects.toBeInstanceOf(Undeliverable);
    discord.failNext({ method: 'POST', path: /\/channels\/\d+\/messages/, status: 500, times: 10 });
    await expect(notifier.send('discord', channel, { text: 'y' })).rejects.not.toBeInstanceOf(Undeliverable);
  }, 20_000);

});

describe('Discord notifier: a rate limit is handed to the queue, not waited out in place', () => {
  it('GIVEN a 429 with Retry-After / X-RateLimit-Reset-After THEN send throws RateLimited with that wait at once, and the next send after it goes', async () => {
    const discord = await startDiscordDouble();
    const notifier = discordNotifier({ token: discord.token, apiRoot: discord.restApi });
    const ch = discord.addGuild({ name: 'Busy', channels: [{ name: 'money' }] }).channels[0]!.id;
    discord.failNext({ method: 'POST', path: `/channels/${ch}/messages`, status: 429, retryAfter: 1.5 });
    const started = Date.now();
    const err = await notifier.send('discord', ch, { text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimited);
    expect((err as RateLimited).retryAfterMs).toBeGreaterThanOrEqual(1_500);
    expect(Date.now() - started).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, (err as RateLimited).retryAfterMs));
    expect(await notifier.send('discord', ch, { text: 'y' })).toBe('sent');
    await discord.close();
  });
});
