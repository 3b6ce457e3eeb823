import pino, { type Logger } from 'pino';

/** Paths whose values never reach a log line: tokens, secrets, authorization headers. */
export const REDACT = [
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'config.TELEGRAM_BOT_TOKEN',
  'config.DISCORD_TOKEN',
  'config.TELEGRAM_WEBHOOK_SECRET',
  'config.ADMIN_TOKEN',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'coin' } }, destination);
}

/** Bot tokens can appear inside URLs in error messages (`/bot<token>/sendMessage`). */
export function scrubSecrets(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join('[redacted]');
  return out;
}
