import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import { API_AUTH_FAILURE_LIMIT, API_BATCH_BODY_LIMIT, API_BODY_LIMIT, API_RATE_LIMIT, type ApiApp, type ApiDeps, type ApiEnv } from './api-env.js';
import { docsRoutes } from './api-docs.js';
import { apiErrorHandler, errorJson, validationError } from './api-errors.js';
import { apiBodyLimit, bearerAuth, requestLog, tokenRateLimit } from './api-middleware.js';
import { bookRoutes } from './routes-books.js';
import { eventRoutes } from './routes-events.js';
import { batchRoutes } from './routes-batch.js';
import { planRoutes } from './routes-plans.js';
import { reportRoutes } from './routes-reports.js';
import { ruleRoutes } from './routes-rules.js';
import { importRoutes, MAX_IMPORT_BYTES } from './routes-import.js';

export const API_PREFIX = '/api/v1';

/** Every group of routes. */
const ROUTE_GROUPS: ((api: ApiApp, deps: ApiDeps) => void)[] = [bookRoutes, eventRoutes, batchRoutes, reportRoutes, planRoutes, ruleRoutes, importRoutes];

/**
 * The REST API (`/api/v1`): Bearer-token auth, per-token rate limit, body limit, zod-validated
 * routes described by OpenAPI at `/openapi.json` with a Swagger UI at `/docs` (served
 * from npm by COIN itself, see api-docs.ts). Every failure is
 * `{error, message}` JSON.
 */
export function createApi(deps: ApiDeps): ApiApp {
  const api: ApiApp = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return validationError(c, result.error);
    },
  });
  const logger = deps.logger.child({ component: 'api' });
  api.onError(apiErrorHandler(logger));
  api.notFound((c) => errorJson(c, 404, 'not_found', 'No such API route.'));

  api.use('*', requestLog(logger));
  // Public: the description of the API and its docs page (registered before auth on purpose).
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'COIN API',
      version: '1.0.0',
      description:
        'Your COIN books over HTTP. Authenticate with a personal token from /token (private chat with the bot): ' +
        '`Authorization: Bearer coin_…`. Amounts are integer minor units plus a currency; times are ISO 8601 UTC.',
    },
    servers: [{ url: API_PREFIX }],
  });
  docsRoutes(api, API_PREFIX);
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A personal token from /token, e.g. coin_3q2…',
  });

  api.use('*', bearerAuth(deps.store, deps.clock, deps.rateLimit === false ? undefined : API_AUTH_FAILURE_LIMIT));
  if (deps.rateLimit !== false) api.use('*', tokenRateLimit(deps.rateLimit ?? API_RATE_LIMIT));
  // A CSV import is a file and a batch up to 1,000 events; every other body is one small JSON object.
  const bodyLimit = apiBodyLimit(deps.bodyLimitBytes ?? API_BODY_LIMIT);
  const importLimit = apiBodyLimit(MAX_IMPORT_BYTES);
  const batchLimit = apiBodyLimit(API_BATCH_BODY_LIMIT);
  api.use('*', (c, next) => {
    if (c.req.method !== 'POST') return bodyLimit(c, next);
    return (c.req.path.endsWith('/import') ? importLimit : /\/events\/batch\/?$/.test(c.req.path) ? batchLimit : bodyLimit)(c, next);
  });
  for (const group of ROUTE_GROUPS) group(api, deps);
  return api;
}

/**
 * Mounts the API under `/api/v1` on the HTTP app (the composition root does it inside `createHttpApp`'s `mount`).
 * Returns the API app so callers can read its OpenAPI document.
 */
export function mountApi(app: Hono, deps: ApiDeps): ApiApp {
  const api = createApi(deps);
  app.route(API_PREFIX, api);
  return api;
}
