import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Metrics } from '../../bot/metrics.js';
import { adminGuard } from './admin-guard.js';

export interface HttpDeps {
  logger: Logger;
  metrics: Metrics;
  /** Round-trips the database; `/health` fails when it throws. */
  pingDatabase: () => Promise<void>;
  /** When set, `/metrics` asks for it (Bearer, or Basic with it as password), like the dashboard. */
  adminToken?: string | undefined;
  /** Extra routes (Telegram webhook, API, dashboard) mounted by the composition root. */
  mount?: (app: Hono) => void;
}

/** The HTTP server: `/health`, `/metrics` (behind the admin token when there is one), and whatever the composition root mounts. */
export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  app.get('/health', async (c) => {
    try {
      await deps.pingDatabase();
      return c.json({ status: 'ok', database: 'ok' });
    } catch (err) {
      deps.logger.warn({ err: String(err) }, 'health check failed');
      return c.json({ status: 'error', database: 'unreachable' }, 503);
    }
  });
  if (deps.adminToken) app.use('/metrics', adminGuard(deps.adminToken));
  app.get('/metrics', async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  deps.mount?.(app);
  app.notFound((c) => c.json({ error: 'not_found' }, 404));
  app.onError((err, c) => {
    deps.logger.error({ err: String(err), path: c.req.path }, 'http error');
    return c.json({ error: 'internal' }, 500);
  });
  return app;
}
