import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const err = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a configuration error');
};

describe('configuration', () => {
  it('GIVEN nothing set THEN the SPEC defaults apply (embedded database, in-process jobs, no bots)', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      ROLES: ['bot', 'api', 'worker'],
      DATA_DIR: './data',
      PORT: 8080,
      DEFAULT_CURRENCY: 'EUR',
      DEFAULT_TIMEZONE: 'UTC',
      LOG_LEVEL: 'info',
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
      QUEUE_PREFIX: 'coin',
      SWEEP_PATTERN: '* * * * *',
      SWEEP_INTERVAL_MS: 60_000,
    });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it('GIVEN empty values THEN they count as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' }).PORT).toBe(8080);
  });

  it('GIVEN valid values THEN they are parsed', () => {
    const c = loadConfig({ ROLES: 'worker', PORT: '9000', DEFAULT_CURRENCY: 'jpy', DEFAULT_TIMEZONE: 'Asia/Tokyo', DATABASE_URL: 'postgres://u@h/db', DATABASE_POOL_SIZE: '4', TELEGRAM_GATHER_MS: '0' });
    expect(c).toMatchObject({ ROLES: ['worker'], PORT: 9000, DEFAULT_CURRENCY: 'JPY', DEFAULT_TIMEZONE: 'Asia/Tokyo', DATABASE_POOL_SIZE: 4, TELEGRAM_GATHER_MS: 0 });
    expect(loadConfig({}).TELEGRAM_GATHER_MS).toBe(20);
  });

  it('GIVEN a bad value THEN one line names the variable and what is wrong', () => {
    expect(err({ PORT: 'eighty' })).toMatch(/^PORT /);
    expect(err({ PORT: '70000' })).toMatch(/^PORT must be 0-65535/);
    expect(err({ ROLES: 'bot,cook' })).toMatch(/^ROLES /);
    expect(err({ DATABASE_URL: 'mysql://x' })).toMatch(/^DATABASE_URL must start with postgres/);
    expect(err({ DATABASE_POOL_SIZE: '0' })).toBe('DATABASE_POOL_SIZE must be 1-100');
    expect(err({ DATABASE_POOL_SIZE: 'many' })).toBe('DATABASE_POOL_SIZE must be a number');
    expect(err({ TELEGRAM_GATHER_MS: '-5' })).toBe('TELEGRAM_GATHER_MS must be 0-1000');
    expect(err({ TELEGRAM_GATHER_MS: '2.5' })).toBe('TELEGRAM_GATHER_MS must be a whole number');
    expect(err({ REDIS_URL: 'localhost:6379' })).toMatch(/^REDIS_URL /);
    expect(err({ DEFAULT_CURRENCY: 'EURO' })).toMatch(/^DEFAULT_CURRENCY must be an ISO 4217 code/);
    expect(err({ DEFAULT_TIMEZONE: 'Berlin' })).toMatch(/^DEFAULT_TIMEZONE must be an IANA time zone/);
    expect(err({ LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL /);
    expect(err({ TELEGRAM_BOT_TOKEN: 'abc' })).toMatch(/^TELEGRAM_BOT_TOKEN /);
    expect(err({ TELEGRAM_WEBHOOK_URL: 'https://coin.example/tg' })).toMatch(/^TELEGRAM_WEBHOOK_SECRET is required/);
    expect(err({ DISCORD_TOKEN: 'x'.repeat(40) })).toMatch(/^DISCORD_APPLICATION_ID is required/);
    expect(err({ DISCORD_GUILD_ID: '12' })).toMatch(/^DISCORD_GUILD_ID /);
    expect(err({ QUEUE_PREFIX: 'a b' })).toMatch(/^QUEUE_PREFIX must be 1-64 characters/);
    expect(err({ SWEEP_PATTERN: 'every minute' })).toMatch(/^SWEEP_PATTERN must be a cron pattern/);
    expect(err({ SWEEP_INTERVAL_MS: '5' })).toBe('SWEEP_INTERVAL_MS must be 100-3600000');
    for (const m of [err({ PORT: 'x' }), err({ TELEGRAM_BOT_TOKEN: 'abc' })]) expect(m.split('\n')).toHaveLength(1);
  });

  it('GIVEN a secret in a bad value THEN the message does not repeat it', () => {
    expect(err({ TELEGRAM_BOT_TOKEN: 'secret-looking-value' })).not.toContain('secret-looking-value');
  });
  it('GIVEN PUBLIC_URL THEN an http(s) address without the trailing slash; anything else is named', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://coin.example.org/' }).PUBLIC_URL).toBe('https://coin.example.org');
    expect(loadConfig({}).PUBLIC_URL).toBeUndefined();
    expect(err({ PUBLIC_URL: 'coin.example.org' })).toMatch(/^PUBLIC_URL must be a URL/);
    expect(err({ PUBLIC_URL: 'ftp://coin.example.org' })).toMatch(/^PUBLIC_URL must start with http:\/\/ or https:\/\//);
  });
});
