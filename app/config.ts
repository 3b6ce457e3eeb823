import { z } from 'zod';
import { isCurrency } from '../domain/money/money.js';
import { IANAZone } from 'luxon';

export const ROLE_NAMES = ['bot', 'api', 'worker'] as const;
export type ProcessRole = (typeof ROLE_NAMES)[number];

const url = (protocols: string[]) =>
  z
    .string()
    .url('must be a URL')
    .refine((v) => protocols.some((p) => v.startsWith(p + ':')), `must start with ${protocols.map((p) => p + '://').join(' or ')}`);

const snowflake = z.string().regex(/^\d{15,21}$/, 'must be a Discord id (15-21 digits)');

/** Every configuration variable; empty strings count as unset (env files often have `X=`). */
const schema = z
  .object({
    ROLES: z
      .string()
      .default('bot,api,worker')
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.enum(ROLE_NAMES, { errorMap: () => ({ message: 'must be a comma list of bot, api, worker' }) })).min(1, 'must name at least one role')),
    DATABASE_URL: url(['postgres', 'postgresql']).optional(),
    /** Connections per process to PostgreSQL (postgres.js pool). */
    DATABASE_POOL_SIZE: z.coerce.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1-100').max(100, 'must be 1-100').default(10),
    DATA_DIR: z.string().default('./data'),
    REDIS_URL: url(['redis', 'rediss']).optional(),
    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'does not look like a bot token from @BotFather').optional(),
    TELEGRAM_API_ROOT: url(['http', 'https']).default('https://api.telegram.org'),
    TELEGRAM_WEBHOOK_URL: url(['https', 'http']).optional(),
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z a-z 0-9 _ -')
      .optional(),
    /**
     * Outbound throttling within Telegram's limits (30 messages/s per bot, 20/min per group). Only
     * benchmarks against the local Bot API double turn it off: there it would measure the limit.
     */
    TELEGRAM_THROTTLE: z.enum(['on', 'off'], { errorMap: () => ({ message: 'must be on or off' }) }).default('on'),
    /**
     * Telegram's gather window, ms (0–1000, default 20; 0: none): while updates keep coming, long
     * polling waits this long between getUpdates calls, webhook mode between the starts of two
     * batches, so they are applied many per transaction (docs/scaling.md "A busy bot fetches in
     * batches").
     */
    TELEGRAM_GATHER_MS: z.coerce.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0-1000').max(1000, 'must be 0-1000').default(20),
    DISCORD_TOKEN: z.string().min(20, 'is too short to be a Discord bot token').optional(),
    DISCORD_APPLICATION_ID: snowflake.optional(),
    DISCORD_API_ROOT: url(['http', 'https']).optional(),
    DISCORD_GUILD_ID: snowflake.optional(),
    PORT: z.coerce.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(0).max(65535, 'must be 0-65535').default(8080),
    DEFAULT_CURRENCY: z
      .string()
      .default('EUR')
      .transform((v) => v.toUpperCase())
      .refine(isCurrency, 'must be an ISO 4217 code like EUR'),
    DEFAULT_TIMEZONE: z.string().default('UTC').refine((v) => IANAZone.isValidZone(v), 'must be an IANA time zone like Europe/Berlin'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Guards the job dashboard (`/admin/queues`); unset: the dashboard is off. */
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /**
     * Where people reach this server (`https://coin.example.org`): the web app's links and the
     * Telegram Mini App button point there; https makes its cookies Secure. Unset: the web app
     * still runs under /app, and /app in the terminal chat links to http://localhost:PORT.
     */
    PUBLIC_URL: url(['http', 'https'])
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
    API_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    /** Per-token API limit, counted in events (a batch of 500 costs 500): the burst, then the refill per second. */
    API_RATE_BURST: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(1).max(1_000_000).default(2_000),
    API_RATE_PER_SECOND: z.coerce.number({ invalid_type_error: 'must be a number' }).positive().max(1_000_000).default(200),
    /** Redis key prefix of the BullMQ queues, to share one Redis between deployments. */
    QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -').default('coin'),
    /** Cron pattern of the BullMQ template sweep (with REDIS_URL). */
    SWEEP_PATTERN: z
      .string()
      .regex(/^\S+( \S+){4,5}$/, 'must be a cron pattern of 5 or 6 fields like "* * * * *"')
      .default('* * * * *'),
    /** Period of the in-process template sweep (without REDIS_URL); tests shorten it. */
    SWEEP_INTERVAL_MS: z.coerce
      .number({ invalid_type_error: 'must be a number' })
      .int('must be a whole number')
      .min(100, 'must be 100-3600000')
      .max(3_600_000, 'must be 100-3600000')
      .default(60_000),
    /** How often workers declare the sweep's job scheduler again (Redis back empty); tests shorten it. */
    RECONCILE_MS: z.coerce.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(100, 'must be 100-3600000').max(3_600_000, 'must be 100-3600000').default(60_000),
    /** Templates claimed per sweep transaction; tests shrink it. */
    SWEEP_BATCH_SIZE: z.coerce.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1-10000').max(10_000, 'must be 1-10000').default(500),
  })
  .superRefine((c, ctx) => {
    if (c.TELEGRAM_WEBHOOK_URL && !c.TELEGRAM_WEBHOOK_SECRET)
      ctx.addIssue({ code: 'custom', path: ['TELEGRAM_WEBHOOK_SECRET'], message: 'is required when TELEGRAM_WEBHOOK_URL is set' });
    if (c.DISCORD_TOKEN && !c.DISCORD_APPLICATION_ID)
      ctx.addIssue({ code: 'custom', path: ['DISCORD_APPLICATION_ID'], message: 'is required when DISCORD_TOKEN is set' });
  });

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; a bad value throws one line naming the variable and what is wrong. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') cleaned[k] = v.trim();
  const r = schema.safeParse(cleaned);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const name = String(issue.path[0] ?? 'configuration');
  throw new ConfigError(`${name} ${issue.message}`);
}
