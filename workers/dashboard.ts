import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { Context, Hono, Next } from 'hono';

export const DASHBOARD_PATH = '/admin/queues';

const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/**
 * Accepts `Authorization: Bearer <token>` (scripts) or HTTP Basic with the token as password
 * (any user name; what a browser prompts for). Compared in constant time.
 */
export function adminGuard(token: string) {
  return async (c: Context, next: Next) => {
    const auth = c.req.header('authorization') ?? '';
    const [scheme = '', value = ''] = auth.split(/\s+/, 2);
    let given: string | undefined;
    if (scheme.toLowerCase() === 'bearer') given = value;
    else if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      given = decoded.slice(decoded.indexOf(':') + 1);
    }
    if (given === undefined || !same(given, token)) {
      c.header('WWW-Authenticate', 'Basic realm="COIN queues", charset="UTF-8"');
      return c.json({ error: 'unauthorized' }, 401);
    }
    await next();
  };
}

/**
 * Mounts the BullMQ dashboard (@bull-board) at `/admin/queues`, behind the admin token
 * (config ADMIN_TOKEN; without one the dashboard is not mounted at all).
 */
export function mountDashboard(app: Hono, opts: { queues: Queue[]; token: string; basePath?: string }): void {
  const basePath = opts.basePath ?? DASHBOARD_PATH;
  const serverAdapter = new HonoAdapter(serveStatic);
  createBullBoard({ queues: opts.queues.map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: 'COIN queues' } } });
  serverAdapter.setBasePath(basePath);
  const guard = adminGuard(opts.token);
  app.use(basePath, guard);
  app.use(`${basePath}/*`, guard);
  // The page's <base href> ends with a slash; links back to the root use it.
  app.get(`${basePath}/`, (c) => c.redirect(basePath));
  app.route(basePath, serverAdapter.registerPlugin());
}
