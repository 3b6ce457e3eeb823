import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Metrics } from '../../app/metrics.js';
import { adminGuard } from './admin-guard.js';

export interface HttpDeps {
  logger: Logger;
  metrics: Metrics;
  /** Round-trips the database; `/health` and `/health/ready` fail when it throws. */
  pingDatabase: () => Promise<void>;
  /** Round-trips Redis when one is configured; `/health/ready` fails when it throws. */
  pingRedis?: (() => Promise<void>) | undefined;
  /** True once the process is shutting down: `/health/ready` answers 503 so traffic moves away. */
  draining?: () => boolean;
  /** When set, `/metrics` asks for it (Bearer, or Basic with it as password), like the dashboard. */
  adminToken?: string | undefined;
  /** Extra routes (Telegram webhook, API, dashboard) mounted by the composition root. */
  mount?: (app: Hono) => void;
}

/** How long readiness waits for one dependency before calling it unreachable. */
const READY_TIMEOUT_MS = 2_000;

const within = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });

/**
 * The HTTP server: `/health` (database), `/health/live` (the process answers), `/health/ready`
 * (database and Redis reachable, not draining), `/metrics` (behind the admin token when there is
 * one), and whatever the composition root mounts.
 */
export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  // Liveness asks nothing of the database: a database outage must not make the orchestrator
  // restart every replica, only take them out of the load balancer (readiness).
  app.get('/health/live', (c) => c.json({ status: 'ok' }));
  app.get('/health/ready', async (c) => {
    if (deps.draining?.()) return c.json({ status: 'draining' }, 503);
    const check = async (ping: () => Promise<void>): Promise<'ok' | 'unreachable'> => {
      try {
        await within(ping(), READY_TIMEOUT_MS);
        return 'ok';
      } catch (err) {
        deps.logger.warn({ err: String(err) }, 'readiness check failed');
        return 'unreachable';
      }
    };
    const [database, redis] = await Promise.all([check(deps.pingDatabase), deps.pingRedis ? check(deps.pingRedis) : undefined]);
    const body = { status: database === 'ok' && redis !== 'unreachable' ? 'ok' : 'error', database, ...(redis ? { redis } : {}) };
    return c.json(body, body.status === 'ok' ? 200 : 503);
  });
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
