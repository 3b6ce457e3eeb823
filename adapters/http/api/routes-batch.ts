import { z } from '@hono/zod-openapi';
import { MAX_BATCH, recordBatch, type BatchOutcome } from '../../../domain/ledger/record-batch.js';
import type { RecordInput } from '../../../domain/ledger/record-input.js';
import { minorToDecimal } from '../../../domain/money/money.js';
import { languageOf } from '../../../bot/i18n/index.js';
import { messageFor } from '../../../bot/messages.js';
import { assertCan } from '../../../domain/access/permissions.js';
import type { ApiApp, ApiDeps } from './api-env.js';
import { errorJson, statusOf } from './api-errors.js';
import { actorOf, SECURITY } from './routes-books.js';
import { announce, bodyHash, EventFields, fieldsRule, IdempotencyKey, sourceKeyOf } from './routes-events.js';
import { BookParams, COMMON_ERRORS, FORBIDDEN } from './schemas.js';

/** One item: the fields of a single record (no `line`) and its own idempotency key. */
export const BatchItem = EventFields.omit({ line: true })
  .extend({
    key: IdempotencyKey.optional().openapi({
      description: 'This item’s idempotency key: resending it (in any batch, or as an Idempotency-Key header) records it once',
      example: 'bank-2026-11-23-0042',
    }),
  })
  .strict()
  .superRefine(fieldsRule)
  .openapi('NewBatchEvent');

const BatchBody = z
  .object({
    events: z.array(BatchItem).min(1).max(MAX_BATCH).openapi({ description: `1 to ${MAX_BATCH} events` }),
  })
  .openapi('NewEventBatch');

const ItemResult = z
  .object({
    index: z.number().int().openapi({ description: 'Position of the item in `events`' }),
    status: z.number().int().openapi({
      description: '201 recorded; 200 already recorded with this key (nothing changed); 400/403/422 refused (see `error`); 409 not written because the atomic batch had a refused item',
      example: 201,
    }),
    key: z.string().optional(),
    id: z.number().int().optional().openapi({ description: 'The event id (created or replayed)' }),
    seq: z.number().int().optional().openapi({ description: 'The event number in the book (#N)', example: 42 }),
    error: z.string().optional().openapi({ example: 'account_unknown' }),
    message: z.string().optional(),
  })
  .openapi('BatchItemResult');

const BatchResultSchema = z
  .object({
    created: z.number().int(),
    replayed: z.number().int(),
    failed: z.number().int(),
    items: z.array(ItemResult),
    balances: z.array(z.object({ accountId: z.number().int(), balanceMinor: z.number().int(), balance: z.string() })).openapi({
      description: 'The touched accounts’ balances after the batch',
    }),
  })
  .openapi('BatchResult');

type ItemOut = z.infer<typeof ItemResult>;

const BATCH_TEXT =
  'Records up to 1,000 events in one transaction, with a result per item in input order. An item that cannot be applied ' +
  '(malformed, unknown account, amount too precise, its key reused with other fields) is refused on its own and the ' +
  'others are recorded; with `?atomic=true` one refused item writes nothing (422, the valid items answer 409). ' +
  'Each item may carry a `key`: a batch resent after a timeout records nothing twice. A failure of the database ' +
  'writes nothing at all. The rate limit counts events: a batch of 500 costs 500.';

/** `POST /books/{bookId}/events/batch`: many records, one transaction, one result per item. */
export function batchRoutes(api: ApiApp, deps: ApiDeps): void {
  // Described here, handled below: items are checked one by one so a bad one refuses only itself,
  // which the route validator (one verdict for the whole body) cannot do.
  api.openAPIRegistry.registerPath({
    method: 'post',
    path: '/books/{bookId}/events/batch',
    tags: ['Events'],
    summary: 'Record many events at once (up to 1,000)',
    description: BATCH_TEXT,
    security: SECURITY,
    request: {
      params: BookParams,
      query: z.object({ atomic: z.enum(['true', 'false']).optional().openapi({ description: 'true: one refused item writes nothing' }) }),
      body: { content: { 'application/json': { schema: BatchBody } }, required: true },
    },
    responses: {
      200: { description: 'Processed: see each item’s status', content: { 'application/json': { schema: BatchResultSchema } } },
      ...COMMON_ERRORS,
      ...FORBIDDEN,
      422: {
        description: 'Atomic batch with a refused item: nothing written; `items` says which and why',
        content: { 'application/json': { schema: BatchResultSchema.extend({ error: z.string(), message: z.string() }) } },
      },
    },
  });

  api.post('/books/:bookId/events/batch', async (c) => {
    const params = BookParams.safeParse({ bookId: c.req.param('bookId') });
    if (!params.success) return errorJson(c, 400, 'invalid_request', `bookId: ${params.error.issues[0]?.message ?? 'invalid'}`);
    const atomic = c.req.query('atomic');
    if (atomic !== undefined && atomic !== 'true' && atomic !== 'false')
      return errorJson(c, 400, 'invalid_request', 'atomic: must be true or false');
    const a = await actorOf(deps, c, params.data.bookId);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return errorJson(c, 400, 'invalid_json', 'The request body is not valid JSON.');
    }
    const raw = (body as { events?: unknown } | null)?.events;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(raw) || Object.keys(body).length !== 1)
      return errorJson(c, 400, 'invalid_request', `Send {"events": [ … ]} with 1 to ${MAX_BATCH} events.`);
    if (raw.length === 0) return errorJson(c, 400, 'invalid_request', 'events: the batch is empty.');
    if (raw.length > MAX_BATCH)
      return errorJson(
        c,
        400,
        'batch_too_large',
        `A batch holds at most ${MAX_BATCH.toLocaleString('en')} events; this one has ${raw.length.toLocaleString('en')}. Nothing was recorded: send it in parts.`,
        { max: MAX_BATCH, got: raw.length },
      );
    // A viewer is refused before the batch costs anything.
    assertCan(a.role, 'record');
    const refused = await c.get('spendEvents')?.(raw.length);
    if (refused) return refused;

    const lang = languageOf(c.req.header('accept-language'));
    const keys: (string | undefined)[] = [];
    const invalid = new Map<number, ItemOut>();
    const inputs = raw.map((item, index): RecordInput | null => {
      const p = BatchItem.safeParse(item);
      if (!p.success) {
        const issue = p.error.issues[0];
        const line = typeof item === 'object' && item !== null && 'line' in item;
        const where = line ? 'line' : issue?.path.join('.') || '(item)';
        const text = line ? 'a batch takes the fields (amount, labels, …), not line' : (issue?.message ?? 'invalid');
        invalid.set(index, { index, status: 400, error: 'invalid_request', message: `events.${index}.${where}: ${text}` });
        keys.push(undefined);
        return null;
      }
      const { key, ...fields } = p.data;
      keys.push(key);
      return {
        ...fields,
        kind: fields.kind ?? 'expense',
        sourceKey: key ? sourceKeyOf(a.userId, key) : undefined,
        sourceHash: key ? bodyHash(fields) : undefined,
      };
    });

    const r = await recordBatch(a, inputs, { atomic: atomic === 'true' });
    await announce(deps, a.book, r);

    const count = { created: 0, replayed: 0, failed: 0 };
    const items = r.items.map((x, index) => {
      const out = invalid.get(index) ?? itemOut(x, index, lang);
      const key = keys[index];
      if (key !== undefined) out.key = key;
      if (out.status === 201) count.created++;
      else if (out.status === 200) count.replayed++;
      else count.failed++;
      return out;
    });
    const currencies = new Map(a.snapshot?.accounts.map((x) => [x.id, x.currency]));
    const balances = r.balances.map((b) => ({
      accountId: b.accountId,
      balanceMinor: b.balanceMinor,
      balance: minorToDecimal(b.balanceMinor, b.currency ?? currencies.get(b.accountId) ?? a.book.currency),
    }));
    const result = { ...count, items, balances };
    if (atomic === 'true' && count.failed > 0)
      return c.json(
        { error: 'batch_refused', message: `${count.failed} of ${items.length} events were refused; nothing was recorded.`, ...result, failed: count.failed },
        422,
      );
    return c.json(result, 200);
  });
}

function itemOut(x: BatchOutcome, index: number, lang: ReturnType<typeof languageOf>): ItemOut {
  switch (x.outcome) {
    case 'created':
      return { index, status: 201, id: x.event.id, seq: x.event.seq };
    case 'replayed':
      return { index, status: 200, id: x.id, seq: x.seq };
    case 'failed':
      return { index, status: statusOf(x.error.code), error: x.error.code, message: messageFor(x.error, lang) };
    case 'skipped':
      return { index, status: 409, error: 'not_written', message: 'Not recorded: another event of this atomic batch was refused.' };
  }
}
