import type { Hono } from 'hono';
import { apiActor } from '../../domain/access/api-access.js';
import { exportCsvChunks } from '../../domain/ledger/csv-import.js';
import { isDomainError } from '../../domain/errors.js';
import type { WebDeps, WebEnv } from './web-env.js';

/** `GET /app/b/:bookId/export.csv?period=`: the chat's `/export` file, streamed a page at a time. */
export function exportRoute(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/b/:bookId{[0-9]{1,9}}/export.csv', async (c) => {
    let file: ReturnType<typeof exportCsvChunks>;
    try {
      const a = await apiActor(deps.store, deps.clock, c.get('session').userId, Number(c.req.param('bookId')));
      file = exportCsvChunks(a, (c.req.query('period') ?? 'all').slice(0, 40));
    } catch (e) {
      if (isDomainError(e)) return c.text(e.code === 'not_found' ? 'Not found' : e.code, e.code === 'not_found' ? 404 : 422);
      throw e;
    }
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await file.chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await file.chunks.return(undefined);
      },
    });
    return c.body(body, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${file.name.replace(/[^\w.-]/g, '_')}"`,
    });
  });
}
