import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** initData older than this is refused (issue 15: `auth_date` at most an hour old). */
export const INIT_DATA_MAX_AGE_MS = 60 * 60_000;
/** A longer string is not something Telegram sends. */
const MAX_LENGTH = 8192;

const TelegramUser = z.object({
  id: z.number().int().positive(),
  first_name: z.string().max(256).default(''),
  last_name: z.string().max(256).optional(),
  username: z.string().max(64).optional(),
  language_code: z.string().max(35).optional(),
});

export type InitDataUser = z.infer<typeof TelegramUser>;

export type InitDataCheck =
  | { ok: true; user: InitDataUser; authDate: Date; hash: string }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'no_user' };

/**
 * The secret key Telegram signs Mini App data with: HMAC-SHA256 of the bot token keyed by the
 * constant string "WebAppData" (core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app).
 */
const secretKey = (botToken: string): Buffer => createHmac('sha256', 'WebAppData').update(botToken).digest();

/** The data-check-string: every field but `hash`, sorted by key, `key=value` joined by newlines. */
function dataCheckString(params: URLSearchParams): string {
  return [...params.entries()]
    .filter(([k]) => k !== 'hash')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

/** Signs fields as Telegram does (for tests and the local Mini App harness). */
export function signInitData(fields: Record<string, string>, botToken: string): string {
  const params = new URLSearchParams(fields);
  const hash = createHmac('sha256', secretKey(botToken)).update(dataCheckString(params)).digest('hex');
  params.set('hash', hash);
  return params.toString();
}

/**
 * Checks Telegram Mini App `initData`: the HMAC with the bot token, then `auth_date` no older
 * than {@link INIT_DATA_MAX_AGE_MS} (nor in the future beyond a minute of clock skew), then a
 * user. Replays are the caller's job (the returned `hash` is unique per signed payload).
 */
export function checkInitData(raw: string, botToken: string, now: Date): InitDataCheck {
  if (raw.length === 0 || raw.length > MAX_LENGTH) return { ok: false, reason: 'malformed' };
  const params = new URLSearchParams(raw);
  const hash = params.get('hash') ?? '';
  if (!/^[0-9a-f]{64}$/.test(hash) || params.getAll('hash').length !== 1) return { ok: false, reason: 'malformed' };
  const want = createHmac('sha256', secretKey(botToken)).update(dataCheckString(params)).digest();
  if (!timingSafeEqual(want, Buffer.from(hash, 'hex'))) return { ok: false, reason: 'bad_signature' };
  const auth = Number(params.get('auth_date'));
  if (!Number.isSafeInteger(auth) || auth <= 0) return { ok: false, reason: 'malformed' };
  const age = now.getTime() - auth * 1000;
  if (age > INIT_DATA_MAX_AGE_MS || age < -60_000) return { ok: false, reason: 'expired' };
  let user: InitDataUser;
  try {
    const parsed = TelegramUser.safeParse(JSON.parse(params.get('user') ?? 'null'));
    if (!parsed.success) return { ok: false, reason: 'no_user' };
    user = parsed.data;
  } catch {
    return { ok: false, reason: 'no_user' };
  }
  return { ok: true, user, authDate: new Date(auth * 1000), hash };
}
