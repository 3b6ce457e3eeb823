import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { ZodError } from 'zod';
import { scrubTokens } from '../../../domain/access/api-tokens.js';
import { isDomainError, type DomainErrorCode } from '../../../domain/errors.js';
import { languageOf } from '../../../bot/i18n/index.js';
import { messageFor } from '../../../bot/messages.js';

/** HTTP status of a domain failure; anything not listed is 422 (understood, but not applicable). */
const STATUS: Partial<Record<DomainErrorCode, ContentfulStatusCode>> = {
  not_found: 404,
  event_unknown: 404,
  event_not_deleted: 409,
  template_unknown: 404,
  rule_unknown: 404,
  budget_unknown: 404,
  token_unknown: 404,
  member_unknown: 404,
  forbidden: 403,
  event_not_yours: 403,
  private_only: 403,
  group_only: 403,
  account_exists: 409,
  account_in_use: 409,
  account_last: 409,
  last_owner: 409,
  rate_limited: 429,
};

export const statusOf = (code: DomainErrorCode): ContentfulStatusCode => STATUS[code] ?? 422;

/** `{error, message}` with a status: the one error shape of the API. */
export const errorJson = (c: Context, status: ContentfulStatusCode, error: string, message: string, extra: Record<string, unknown> = {}) =>
  c.json({ error, message, ...extra }, status);

/** Zod failures (query, path, headers, body) → 400 naming each bad field, without echoing values. */
export function validationError(c: Context, err: ZodError) {
  const issues = err.issues.slice(0, 20).map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  const first = issues[0];
  return errorJson(c, 400, 'invalid_request', first ? `${first.path}: ${first.message}` : 'invalid request', { issues });
}

/**
 * The API's `onError`: domain errors become their code and user text, HTTP exceptions (malformed
 * JSON, body limit) their status, and anything else a 500 with a reference that is logged —
 * scrubbed of anything token-shaped — while the client sees no internals.
 */
export function apiErrorHandler(logger: Logger) {
  return (err: Error, c: Context) => {
    if (isDomainError(err)) {
      return errorJson(c, statusOf(err.code), err.code, messageFor(err, languageOf(c.req.header('accept-language'))));
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = status === 413 ? 'payload_too_large' : status === 400 ? 'invalid_json' : 'http_error';
      const message = status === 400 ? 'The request body is not valid JSON.' : status === 413 ? 'The request body is too large.' : 'Request refused.';
      return errorJson(c, status, code, message);
    }
    const ref = randomBytes(4).toString('hex');
    logger.error({ ref, reqId: c.get('requestId'), path: c.req.path, err: scrubTokens(err.stack ?? String(err)) }, 'api request failed');
    return errorJson(c, 500, 'internal', `Something went wrong on our side; nothing was changed. Reference: ${ref}`, { ref });
  };
}
