import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { Hono } from 'hono';
import { adminGuard } from '../adapters/http/admin-guard.js';

export const DASHBOARD_PATH = '/admin/queues';

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
