import { createRoute, z } from '@hono/zod-openapi';
import { budgetProgress, budgetsNow, changeBudget } from '../../../domain/statistics/budget.js';
import { recordEntry } from '../../../domain/ledger/record-entry.js';
import { announce } from './routes-events.js';
import { addTemplate, deleteTemplate, listTemplates, pauseTemplate, resumeTemplate } from '../../../domain/schedules/templates.js';
import type { Template } from '../../../domain/schedules/ports.js';
import type { ApiApp, ApiDeps } from './api-env.js';
import { actorOf, SECURITY } from './routes-books.js';
import { BudgetProgressSchema, budgetOut } from './routes-reports.js';
import { BookParams, COMMON_ERRORS, EventSchema, FORBIDDEN, eventOut, safeText } from './schemas.js';

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

/** `total`, or a label name; nothing else may reach the `/budget` grammar. */
const BudgetTargetParams = BookParams.extend({
  target: z
    .string()
    .regex(/^[\p{L}\p{N}_-]{1,32}$/u, 'must be total or a label name')
    .openapi({ param: { name: 'target', in: 'path' }, example: 'food', description: '`total`, or a label name' }),
});

const BudgetBody = z
  .object({
    amount: safeText(40, z.string().regex(/^[^"'“”„«»‘’]+$/, 'must be an amount like 300 or 1 250.50')).openapi({ example: '300', description: 'Limit in the book currency' }),
    period: z.enum(['monthly', 'weekly']).default('monthly'),
  })
  .strict()
  .openapi('BudgetLimit');

const TemplateSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(['expense', 'income']),
    schedule: z.string().openapi({ example: 'monthly:1 at:09:00' }),
    record: z.string().openapi({ example: '500 #rent @Card' }),
    authorId: z.number().int().nullable(),
    nextDueAt: z.string().nullable(),
    paused: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('Template');

const templateOut = (t: Template) => ({
  id: t.id,
  kind: t.kind,
  schedule: t.scheduleText,
  record: t.record,
  authorId: t.authorId,
  nextDueAt: t.nextDueAt?.toISOString() ?? null,
  paused: t.paused,
  createdAt: t.createdAt.toISOString(),
});

const TemplateBody = z
  .object({
    schedule: z
      .string()
      .regex(/^(at:\d{1,2}:\d{2} )?[^\s"'“”„«»]{1,200}( at:\d{1,2}:\d{2})?$/, 'must be one schedule, optionally with at:HH:MM')
      .openapi({ example: 'monthly:1 at:09:00', description: 'daily, weekly:mon, monthly:1|last, yearly:MM-DD, every:2w, rrule:…; optional at:HH:MM' }),
    record: safeText(500, z.string().min(1)).openapi({ example: '500 #rent @Card', description: 'A record line, as after /spend' }),
    kind: z.enum(['expense', 'income']).default('expense'),
  })
  .strict()
  .openapi('NewTemplate');

const TemplateParams = BookParams.extend({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2_147_483_647)
    .openapi({ param: { name: 'id', in: 'path' }, example: 3 }),
});

/** Budgets and recurring templates: the chat's `/budget(s)` and `/template(s)`. */
export function planRoutes(api: ApiApp, deps: ApiDeps): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/budgets',
      tags: ['Budgets'],
      summary: 'Budgets with their progress in the current period',
      security: SECURITY,
      request: { params: BookParams },
      responses: { 200: json(z.object({ budgets: z.array(BudgetProgressSchema) }), 'Budgets'), ...COMMON_ERRORS },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      return c.json({ budgets: (await budgetsNow(a)).map(budgetOut) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'put',
      path: '/books/{bookId}/budgets/{target}',
      tags: ['Budgets'],
      summary: 'Set or replace the budget of a label (or `total`)',
      security: SECURITY,
      request: { params: BudgetTargetParams, body: { content: { 'application/json': { schema: BudgetBody } }, required: true } },
      responses: { 200: json(z.object({ budget: BudgetProgressSchema }), 'The budget and its progress'), ...COMMON_ERRORS, ...FORBIDDEN },
    }),
    async (c) => {
      const { bookId, target } = c.req.valid('param');
      const a = await actorOf(deps, c, bookId);
      const b = c.req.valid('json');
      const res = await changeBudget(a, `${target.toLowerCase() === 'total' ? 'total' : '#' + target} ${b.amount} ${b.period}`);
      const [progress] = await budgetProgress(a.store, a.book, [res.budget!], a.clock.now());
      return c.json({ budget: budgetOut(progress!) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/books/{bookId}/budgets/{target}',
      tags: ['Budgets'],
      summary: 'Remove the budget of a label (or `total`)',
      security: SECURITY,
      request: { params: BudgetTargetParams },
      responses: { 200: json(z.object({ deleted: z.string() }), 'Removed'), ...COMMON_ERRORS, ...FORBIDDEN },
    }),
    async (c) => {
      const { bookId, target } = c.req.valid('param');
      const a = await actorOf(deps, c, bookId);
      const total = target.toLowerCase() === 'total';
      await changeBudget(a, `${total ? 'total' : '#' + target} off`);
      return c.json({ deleted: total ? 'total' : target.toLowerCase() }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/templates',
      tags: ['Templates'],
      summary: 'Recurring templates',
      security: SECURITY,
      request: { params: BookParams },
      responses: { 200: json(z.object({ templates: z.array(TemplateSchema) }), 'Templates'), ...COMMON_ERRORS },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      return c.json({ templates: (await listTemplates(a)).map(templateOut) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/books/{bookId}/templates',
      tags: ['Templates'],
      summary: 'Add a recurring template (the record is checked now)',
      security: SECURITY,
      request: { params: BookParams, body: { content: { 'application/json': { schema: TemplateBody } }, required: true } },
      responses: { 201: json(z.object({ template: TemplateSchema }), 'Created'), ...COMMON_ERRORS, ...FORBIDDEN },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      const b = c.req.valid('json');
      // `income`/`expense` as the first word sets the kind in the template grammar.
      const t = await addTemplate(a, `${b.schedule} ${b.kind} ${b.record}`, null);
      return c.json({ template: templateOut(t) }, 201);
    },
  );

  const action = (verb: 'pause' | 'resume', run: typeof pauseTemplate) =>
    api.openapi(
      createRoute({
        method: 'post',
        path: `/books/{bookId}/templates/{id}/${verb}`,
        tags: ['Templates'],
        summary: verb === 'pause' ? 'Pause a template' : 'Resume a template from its next occurrence',
        security: SECURITY,
        request: { params: TemplateParams },
        responses: { 200: json(z.object({ template: TemplateSchema }), 'The template'), ...COMMON_ERRORS, ...FORBIDDEN },
      }),
      async (c) => {
        const { bookId, id } = c.req.valid('param');
        return c.json({ template: templateOut(await run(await actorOf(deps, c, bookId), id)) }, 200);
      },
    );
  action('pause', pauseTemplate);
  action('resume', resumeTemplate);

  api.openapi(
    createRoute({
      method: 'post',
      path: '/books/{bookId}/templates/{id}/run',
      tags: ['Templates'],
      summary: 'Record a template once now',
      security: SECURITY,
      request: { params: TemplateParams },
      responses: { 201: json(z.object({ event: EventSchema }), 'The recorded event'), ...COMMON_ERRORS, ...FORBIDDEN },
    }),
    async (c) => {
      const { bookId, id } = c.req.valid('param');
      const a = await actorOf(deps, c, bookId);
      const r = await recordEntry(a, { template: id });
      await announce(deps, a.book, r);
      return c.json({ event: eventOut(r.event) }, 201);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/books/{bookId}/templates/{id}',
      tags: ['Templates'],
      summary: 'Delete a template (its records stay)',
      security: SECURITY,
      request: { params: TemplateParams },
      responses: { 200: json(z.object({ template: TemplateSchema }), 'The deleted template'), ...COMMON_ERRORS, ...FORBIDDEN },
    }),
    async (c) => {
      const { bookId, id } = c.req.valid('param');
      return c.json({ template: templateOut(await deleteTemplate(await actorOf(deps, c, bookId), id)) }, 200);
    },
  );
}
