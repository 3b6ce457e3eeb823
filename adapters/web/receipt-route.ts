import type { Hono } from 'hono';
import { apiActor } from '../../domain/access/api-access.js';
import { assertCan } from '../../domain/access/permissions.js';
import { isDomainError } from '../../domain/errors.js';
import type { WebDeps, WebEnv } from './web-env.js';

/**
 * `GET /app/b/:bookId/records/:seq/receipt`: the receipt photo kept with a record (issue 18), for
 * members of the book who may read it; 404 for anyone else, for a record without one and for a
 * deleted record (its photo was deleted with it).
 */
export function receiptRoute(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/b/:bookId{[0-9]{1,9}}/records/:seq{[0-9]{1,9}}/receipt', async (c) => {
    try {
      const a = await apiActor(deps.store, deps.clock, c.get('session').userId, Number(c.req.param('bookId')));
      assertCan(a.role, 'read');
      const kept = await deps.store.receiptOfRecord(a.book.id, Number(c.req.param('seq')));
      if (!kept) return c.text('Not found', 404);
      return c.body(new Uint8Array(kept.image), 200, {
        'Content-Type': kept.mime === 'image/png' ? 'image/png' : 'image/jpeg',
        'Content-Length': String(kept.image.length),
        'Content-Disposition': `inline; filename="receipt-${c.req.param('seq')}.${kept.mime === 'image/png' ? 'png' : 'jpg'}"`,
        'X-Content-Type-Options': 'nosniff',
      });
    } catch (e) {
      if (isDomainError(e)) return c.text(e.code === 'not_found' ? 'Not found' : e.code, e.code === 'not_found' ? 404 : 403);
      throw e;
    }
  });
}
