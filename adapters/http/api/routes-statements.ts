import { createRoute, z } from '@hono/zod-openapi';
import { DomainError } from '../../../domain/errors.js';
import { mappingWords } from '../../../domain/statements/csv-mapping.js';
import {
  cancelStatement,
  chooseStatementAccount,
  commitStatement,
  mapStatement,
  MAX_STATEMENT_BYTES,
  PENDING_TTL_MS,
  receiveStatement,
  statementStep,
  type StatementStep,
} from '../../../domain/statements/flow.js';
import type { ApiApp, ApiDeps } from './api-env.js';
import { actorOf, SECURITY } from './routes-books.js';
import { announce } from './routes-events.js';
import { BookParams, COMMON_ERRORS, FORBIDDEN } from './schemas.js';

const Step = z
  .object({
    id: z.string().openapi({ description: 'The preview: send choices to POST /books/{bookId}/statements/{id}. Kept for 24 hours, for the token’s user only.' }),
    step: z.enum(['mapping', 'account', 'preview']).openapi({
      description: '`mapping`: a bank CSV whose columns are not known — send `map`; `account`: the bank account is not linked — send `accountId`; `preview`: ready — send `import`, `merge` or `cancel`.',
    }),
    format: z.string().nullable().openapi({ example: 'ofx' }),
    transactions: z.number().int().nullable(),
    bankAccount: z.string().nullable().openapi({ description: 'The account id the statement names (OFX ACCTID, IBAN)' }),
    map: z.string().nullable().openapi({ description: 'Bank CSV: the columns read (or guessed), in the words `map` takes', example: 'date=Datum amount=Betrag payee=Empfänger format=DD.MM.YYYY decimal=,' }),
    header: z.string().nullable().openapi({ description: 'Bank CSV: its header line, when the columns are not known' }),
    problem: z.string().nullable().openapi({ description: 'Why the CSV could not be read with `map`' }),
    accounts: z.array(z.object({ id: z.number().int(), name: z.string(), currency: z.string() })).openapi({ description: 'Step `account`: the book’s accounts to choose from' }),
    account: z.object({ id: z.number().int(), name: z.string() }).nullable(),
    new: z.number().int().nullable(),
    alreadyImported: z.number().int().nullable(),
    twins: z
      .array(z.object({ date: z.string(), amountMinor: z.number().int(), currency: z.string(), payee: z.string(), seq: z.number().int(), recordDate: z.string() }))
      .openapi({ description: 'Rows that look like records typed by hand (`merge` merges them)' }),
    labelledByRules: z.array(z.object({ rule: z.number().int(), label: z.string(), rows: z.number().int() })),
  })
  .openapi('StatementStep');

const Imported = z
  .object({
    imported: z.literal(true),
    accountId: z.number().int(),
    created: z.number().int().openapi({ description: 'Rows recorded now' }),
    merged: z.number().int().openapi({ description: 'Typed records that gained the row’s id and payee' }),
    skipped: z.number().int().openapi({ description: 'Rows the book held already' }),
  })
  .openapi('StatementImported');

const Choice = z
  .object({
    action: z.enum(['account', 'map', 'import', 'merge', 'cancel']),
    accountId: z.number().int().positive().max(2_147_483_647).optional().openapi({ description: 'With `account`' }),
    map: z.string().max(1000).optional().openapi({ description: 'With `map`: the words of `/import map`', example: 'date=1 amount=3 payee=2 format=DD.MM.YYYY decimal=,' }),
  })
  .openapi('StatementChoice');

const PreviewParams = BookParams.extend({
  previewId: z
    .string()
    .regex(/^[\w-]{1,24}$/)
    .openapi({ param: { name: 'previewId', in: 'path' }, example: 'b3JkZXIxMjM0' }),
});

const Upload = z.object({
  accountId: z.coerce.number().int().positive().max(2_147_483_647).optional().openapi({ description: 'Compare with this account (else the linked one, else step `account`)' }),
  map: z.string().max(1000).optional().openapi({ description: 'Bank CSV columns, the words of `/import map`' }),
});

function stepJson(s: StatementStep): z.infer<typeof Step> {
  const base = { id: s.id, step: s.step, format: null, transactions: null, bankAccount: null, map: null, header: null, problem: null, accounts: [], account: null, new: null, alreadyImported: null, twins: [], labelledByRules: [] };
  if (s.step === 'mapping') return { ...base, map: s.guess ? mappingWords(s.guess) : null, header: s.header.join(' '), problem: s.problem instanceof Error ? s.problem.message : null, format: 'csv' };
  const common = { ...base, format: s.statement.format, transactions: s.statement.rows.length, bankAccount: s.statement.accountId ?? null };
  if (s.step === 'account') return { ...common, map: s.mapping ? mappingWords(s.mapping) : null, accounts: s.accounts.map((a) => ({ id: a.id, name: a.name, currency: a.currency })) };
  const c = s.classification;
  return {
    ...common,
    account: { id: s.account.id, name: s.account.name },
    new: c.newCount,
    alreadyImported: c.importedCount,
    twins: c.twins.map((t) => ({ date: t.row.date, amountMinor: t.row.amountMinor, currency: t.row.currency, payee: t.row.payee, seq: t.record.seq, recordDate: t.record.date })),
    labelledByRules: s.byRule.map((r) => ({ rule: r.seq, label: r.label, rows: r.count })),
  };
}

/**
 * Bank statements in two steps, as in the chats: `POST /books/{id}/statements/import` with the
 * file reads it and answers with a preview (or the question it needs answered), writing nothing;
 * `POST /books/{id}/statements/{previewId}` with the choice.
 */
export function statementRoutes(api: ApiApp, deps: ApiDeps): void {
  api.openapi(
    createRoute({
      method: 'post',
      path: '/books/{bookId}/statements/import',
      tags: ['Statements'],
      summary: 'Read a bank statement (OFX/QFX, QIF, CAMT.053/052, bank CSV) and preview it; nothing is written; admins',
      security: SECURITY,
      request: {
        params: BookParams,
        query: Upload,
        body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary', description: `The file, at most ${MAX_STATEMENT_BYTES} bytes` }) } }, required: true },
      },
      responses: {
        200: { content: { 'application/json': { schema: Step } }, description: `The preview or the question it needs answered; kept ${PENDING_TTL_MS / 3_600_000} hours` },
        ...COMMON_ERRORS,
        ...FORBIDDEN,
      },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      const q = c.req.valid('query');
      const content = Buffer.from(await c.req.arrayBuffer());
      let step = await receiveStatement(a, { name: 'api', content }, q.accountId ? { accountId: q.accountId } : {});
      if (q.map) step = await mapStatement(a, q.map, step.id);
      return c.json(stepJson(step), 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/books/{bookId}/statements/{previewId}',
      tags: ['Statements'],
      summary: 'Answer a statement preview: choose the account, give the CSV columns, import, import and merge twins, or cancel; admins',
      security: SECURITY,
      request: { params: PreviewParams, body: { content: { 'application/json': { schema: Choice } }, required: true } },
      responses: {
        200: { content: { 'application/json': { schema: z.union([Step, Imported, z.object({ cancelled: z.literal(true) })]) } }, description: 'The next step, the import done, or cancelled' },
        ...COMMON_ERRORS,
        ...FORBIDDEN,
      },
    }),
    async (c) => {
      const { bookId, previewId } = c.req.valid('param');
      const a = await actorOf(deps, c, bookId);
      const body = c.req.valid('json');
      switch (body.action) {
        case 'account':
          if (!body.accountId) throw new DomainError('usage', { usage: '{"action": "account", "accountId": 3}' });
          return c.json(stepJson(await chooseStatementAccount(a, previewId, body.accountId)), 200);
        case 'map':
          if (!body.map) throw new DomainError('usage', { usage: '{"action": "map", "map": "date=1 amount=3 payee=2"}' });
          return c.json(stepJson(await mapStatement(a, body.map, previewId)), 200);
        case 'cancel':
          await cancelStatement(a, previewId);
          return c.json({ cancelled: true as const }, 200);
        default: {
          const done = await commitStatement(a, previewId, body.action === 'merge');
          await announce(deps, a.book, done);
          return c.json({ imported: true as const, accountId: done.account.id, created: done.created, merged: done.merged, skipped: done.skipped }, 200);
        }
      }
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/statements/{previewId}',
      tags: ['Statements'],
      summary: 'A statement preview again (as the book is now); admins',
      security: SECURITY,
      request: { params: PreviewParams },
      responses: { 200: { content: { 'application/json': { schema: Step } }, description: 'The step the preview is at' }, ...COMMON_ERRORS, ...FORBIDDEN },
    }),
    async (c) => {
      const { bookId, previewId } = c.req.valid('param');
      return c.json(stepJson(await statementStep(await actorOf(deps, c, bookId), previewId)), 200);
    },
  );
}
