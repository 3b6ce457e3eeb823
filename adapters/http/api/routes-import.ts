import { createRoute, z } from '@hono/zod-openapi';
import { importCsv, MAX_IMPORT_BYTES } from '../../../domain/ledger/csv-import.js';
import { languageOf } from '../../../bot/i18n/index.js';
import { problemText } from '../../../bot/presentation/csv-problems.js';
import type { ApiApp, ApiDeps } from './api-env.js';
import { actorOf, SECURITY } from './routes-books.js';
import { announce } from './routes-events.js';
import { BookParams, COMMON_ERRORS, FORBIDDEN } from './schemas.js';

export { MAX_IMPORT_BYTES };

const ImportResult = z
  .object({
    created: z.number().int().openapi({ description: 'Rows recorded now' }),
    skipped: z.number().int().openapi({ description: 'Rows this book has already (imported before, or its own export)' }),
    total: z.number().int(),
  })
  .openapi('ImportResult');

const ImportRefused = z
  .object({
    error: z.literal('csv_invalid'),
    message: z.string(),
    problems: z.array(z.object({ row: z.number().int(), field: z.string(), value: z.string().optional(), message: z.string() })),
  })
  .openapi('ImportRefused');

/**
 * `POST /books/{id}/import`: the chat's `/import` over HTTP, a CSV body in the columns of the
 * export. All rows or none; a row the book already has is skipped, so sending the same file again
 * (or the book's own export) adds nothing — the idempotency is in the rows, no key needed.
 */
export function importRoutes(api: ApiApp, deps: ApiDeps): void {
  api.openapi(
    createRoute({
      method: 'post',
      path: '/books/{bookId}/import',
      tags: ['Reports'],
      summary: 'Import events from CSV (the columns of export.csv); admins',
      security: SECURITY,
      request: {
        params: BookParams,
        body: { content: { 'text/csv': { schema: z.string().openapi({ description: `CSV, at most ${MAX_IMPORT_BYTES} bytes` }) } }, required: true },
      },
      responses: {
        200: { content: { 'application/json': { schema: ImportResult } }, description: 'Imported (or every row was there already)' },
        ...COMMON_ERRORS,
        422: { content: { 'application/json': { schema: ImportRefused } }, description: 'Nothing imported: the rows that cannot be read, and why' },
        ...FORBIDDEN,
      },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      const body = Buffer.from(await c.req.arrayBuffer());
      // One transaction: the accounts the file names are created with its rows, or not at all.
      const res = deps.transact ? await deps.transact((store) => importCsv({ ...a, store }, body)) : await importCsv(a, body);
      if (!res.ok) {
        const lang = languageOf(c.req.header('accept-language'));
        const problems = res.problems.slice(0, 100).map((p) => ({ row: p.row, field: p.field, ...(p.value !== undefined ? { value: p.value } : {}), message: problemText(p, lang) }));
        return c.json({ error: 'csv_invalid' as const, message: 'The CSV was not imported; nothing changed.', problems }, 422);
      }
      await announce(deps, a.book, res);
      return c.json({ created: res.created, skipped: res.skipped, total: res.total }, 200);
    },
  );
}
