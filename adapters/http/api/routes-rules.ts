import { createRoute, z } from '@hono/zod-openapi';
import { addRule, deleteRule, listRules, suggestBookRules } from '../../../domain/rules/rules.js';
import type { BookRule } from '../../../domain/rules/ports.js';
import type { ApiApp, ApiDeps } from './api-env.js';
import { actorOf, SECURITY } from './routes-books.js';
import { BookParams, COMMON_ERRORS, FORBIDDEN, safeText } from './schemas.js';

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

const RuleSchema = z
  .object({
    n: z.number().int().openapi({ description: 'The rule number people see (`/rule delete 3`)', example: 3 }),
    pattern: z.string().openapi({ example: 'lidl' }),
    label: z.string().openapi({ example: 'groceries' }),
    account: z.string().nullable().openapi({ example: 'Card' }),
    note: z.string().nullable(),
    createdBy: z.number().int().nullable(),
    createdAt: z.string(),
  })
  .openapi('Rule');

const ruleOut = (r: BookRule) => ({
  n: r.seq,
  pattern: r.pattern,
  label: r.label,
  account: r.accountName,
  note: r.note,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
});

const RuleBody = z
  .object({
    pattern: safeText(100, z.string().min(1)).openapi({ example: 'amazon*prime', description: 'Words and * wildcards (no regular expressions); see docs/commands.md' }),
    label: safeText(33, z.string().min(1)).openapi({ example: 'subscriptions', description: 'Label name, with or without #' }),
    account: safeText(100, z.string().min(1)).optional().openapi({ example: 'Card', description: 'Account name the rule also sets' }),
    note: safeText(200).optional().openapi({ description: 'Note the rule sets on statement rows without one' }),
  })
  .strict()
  .openapi('NewRule');

const RuleParams = BookParams.extend({
  n: z.coerce
    .number()
    .int()
    .positive()
    .max(2_147_483_647)
    .openapi({ param: { name: 'n', in: 'path' }, example: 3 }),
});

const SuggestionSchema = z
  .object({ pattern: z.string(), label: z.string(), count: z.number().int().openapi({ description: 'Records with this payee and label' }) })
  .openapi('RuleSuggestion');

/** Rules: the chat's `/rules`, `/rule add|delete|suggest`. Everyone in the book reads; admins and owners change. */
export function ruleRoutes(api: ApiApp, deps: ApiDeps): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/rules',
      tags: ['Rules'],
      summary: 'Rules that label records, by number',
      security: SECURITY,
      request: { params: BookParams },
      responses: { 200: json(z.object({ rules: z.array(RuleSchema) }), 'Rules'), ...COMMON_ERRORS },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      return c.json({ rules: (await listRules(a)).map(ruleOut) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/books/{bookId}/rules',
      tags: ['Rules'],
      summary: 'Add a rule (admins and owners)',
      security: SECURITY,
      request: { params: BookParams, body: { content: { 'application/json': { schema: RuleBody } }, required: true } },
      responses: { 201: json(z.object({ rule: RuleSchema }), 'Created'), ...COMMON_ERRORS, ...FORBIDDEN },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      const b = c.req.valid('json');
      return c.json({ rule: ruleOut(await addRule(a, b)) }, 201);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/rules/suggestions',
      tags: ['Rules'],
      summary: 'Rules proposed from records labelled the same way three times or more (nothing is added)',
      security: SECURITY,
      request: { params: BookParams },
      responses: { 200: json(z.object({ suggestions: z.array(SuggestionSchema) }), 'Suggestions'), ...COMMON_ERRORS },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      return c.json({ suggestions: await suggestBookRules(a) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/books/{bookId}/rules/{n}',
      tags: ['Rules'],
      summary: 'Delete rule N (records keep their labels; numbers are not reused)',
      security: SECURITY,
      request: { params: RuleParams },
      responses: { 200: json(z.object({ rule: RuleSchema }), 'The deleted rule'), ...COMMON_ERRORS, ...FORBIDDEN },
    }),
    async (c) => {
      const { bookId, n } = c.req.valid('param');
      return c.json({ rule: ruleOut(await deleteRule(await actorOf(deps, c, bookId), n)) }, 200);
    },
  );
}
