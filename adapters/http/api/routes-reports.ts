import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { BudgetProgress } from '../../../domain/statistics/budget.js';
import { exportCsvChunks } from '../../../domain/ledger/csv-import.js';
import type { Period } from '../../../domain/parsing/period.js';
import { CHART_KINDS, chartData } from '../../../domain/statistics/charts.js';
import type { Figure } from '../../../domain/statistics/math.js';
import { statsReport } from '../../../domain/statistics/report.js';
import { languageOf } from '../../../bot/i18n/index.js';
import { chartSpec } from '../../../bot/presentation/chart-specs.js';
import type { ApiApp, ApiDeps, ApiEnv } from './api-env.js';
import { actorOf, SECURITY } from './routes-books.js';
import { BookParams, COMMON_ERRORS, ErrorSchema, PeriodSchema } from './schemas.js';

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

/** One period word (`month`, `2026-11`, `2026-11-01..2026-11-15`); spaces would smuggle in other arguments. */
export const periodParam = z
  .string()
  .regex(/^[\p{L}\p{N}._-]{1,40}$/u, 'must be a period like month, last-month, 2026, 2026-11 or 2026-11-01..2026-11-15')
  .optional()
  .openapi({ description: 'today, yesterday, week, month (default), year, last-week, last-month, last-year, YYYY, YYYY-MM, YYYY-MM-DD..YYYY-MM-DD', example: 'month' });

export const FigureSchema = z
  .object({
    minor: z.number().int().openapi({ description: 'In the book currency, including the currencies in `converted`' }),
    converted: z.array(z.string()).openapi({ description: 'Currencies converted into `minor` at known rates' }),
    rest: z.array(z.object({ currency: z.string(), minor: z.number().int() })).openapi({ description: 'Currencies without a known rate, never added in' }),
  })
  .openapi('Figure');

const SummarySchema = z.object({ income: FigureSchema, expense: FigureSchema, net: FigureSchema, count: z.number().int() }).openapi('Summary');

export const BudgetProgressSchema = z
  .object({
    id: z.number().int(),
    label: z.string().nullable().openapi({ description: 'null: the total budget' }),
    amountMinor: z.number().int(),
    currency: z.string(),
    period: z.enum(['monthly', 'weekly']),
    current: PeriodSchema,
    spentMinor: z.number().int(),
    percent: z.number().int(),
    missing: z.array(z.string()).openapi({ description: 'Currencies spent that could not be counted (no rate)' }),
  })
  .openapi('BudgetProgress');

const StatsSchema = z
  .object({
    currency: z.string(),
    period: PeriodSchema,
    previous: PeriodSchema,
    current: SummarySchema,
    before: SummarySchema,
    labels: z.array(z.object({ name: z.string().nullable(), expense: FigureSchema, income: FigureSchema, count: z.number().int() })),
    members: z
      .array(z.object({ userId: z.number().int(), name: z.string().nullable(), expense: FigureSchema, income: FigureSchema, count: z.number().int() }))
      .optional(),
    budgets: z.array(BudgetProgressSchema),
    rates: z.array(z.object({ currency: z.string(), perMinor: z.number().int(), bookMinor: z.number().int(), source: z.string(), at: z.string() })),
    missing: z.array(z.string()),
  })
  .openapi('Stats');

export const periodOut = (p: Period) => ({ start: p.start.toISOString(), end: p.end.toISOString(), label: p.label });
const figureOut = (f: Figure) => ({ minor: f.minor, converted: [...f.converted], rest: f.rest.map((r) => ({ currency: r.currency, minor: r.minor })) });

export const budgetOut = (p: BudgetProgress) => ({
  id: p.budget.id,
  label: p.budget.label,
  amountMinor: p.budget.amountMinor,
  currency: p.budget.currency,
  period: p.budget.period,
  current: periodOut(p.period),
  spentMinor: p.spentMinor,
  percent: p.percent,
  missing: p.missing,
});

const lang = (c: Context<ApiEnv>) => languageOf(c.req.header('accept-language'));

/** Statistics, chart images and CSV export: the chat's `/stats`, `/chart` and `/export`. */
export function reportRoutes(api: ApiApp, deps: ApiDeps): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/stats',
      tags: ['Reports'],
      summary: 'Totals of a period, by label (and member), against the previous period, with budgets',
      security: SECURITY,
      request: {
        params: BookParams,
        query: z.object({
          period: periodParam,
          members: z.enum(['true', 'false', '1', '0']).optional().openapi({ description: 'Include totals per member' }),
        }),
      },
      responses: { 200: json(StatsSchema, 'The report'), ...COMMON_ERRORS },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      const q = c.req.valid('query');
      const members = q.members === 'true' || q.members === '1';
      const r = await statsReport(a, [q.period ?? '', members ? 'members' : ''].join(' ').trim(), { group: false });
      return c.json(
        {
          currency: r.currency,
          period: periodOut(r.period),
          previous: periodOut(r.previous),
          current: { ...r.current, income: figureOut(r.current.income), expense: figureOut(r.current.expense), net: figureOut(r.current.net) },
          before: { ...r.before, income: figureOut(r.before.income), expense: figureOut(r.before.expense), net: figureOut(r.before.net) },
          labels: r.labels.map((l) => ({ name: l.name, expense: figureOut(l.expense), income: figureOut(l.income), count: l.count })),
          ...(r.members
            ? { members: r.members.map((m) => ({ userId: m.userId, name: m.name, expense: figureOut(m.expense), income: figureOut(m.income), count: m.count })) }
            : {}),
          budgets: r.budgets.map(budgetOut),
          rates: r.rates.map((x) => ({ currency: x.currency, perMinor: x.perMinor, bookMinor: x.bookMinor, source: x.source, at: x.at.toISOString() })),
          missing: r.missing,
        },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/charts/{kind}',
      tags: ['Reports'],
      summary: 'A chart as a PNG image (the chat’s /chart)',
      security: SECURITY,
      request: {
        params: BookParams.extend({ kind: z.enum(CHART_KINDS).openapi({ param: { name: 'kind', in: 'path' }, example: 'pie' }) }),
        query: z.object({ period: periodParam }),
      },
      responses: {
        200: { content: { 'image/png': { schema: z.string().openapi({ format: 'binary' }) } }, description: 'The chart image' },
        503: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Chart rendering is not available right now' },
        ...COMMON_ERRORS,
      },
    }),
    async (c) => {
      const { bookId, kind } = c.req.valid('param');
      const a = await actorOf(deps, c, bookId);
      const data = await chartData(a, [kind, c.req.valid('query').period ?? ''].join(' ').trim());
      const png = deps.renderChart ? await deps.renderChart(chartSpec(data, a.book.title, lang(c))) : undefined;
      if (!png) return c.json({ error: 'charts_unavailable', message: 'Charts cannot be drawn right now; try again later.' }, 503);
      return c.body(new Uint8Array(png), 200, { 'Content-Type': 'image/png' });
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/export.csv',
      tags: ['Reports'],
      summary: 'Events as CSV (the chat’s /export; the same columns /import reads)',
      security: SECURITY,
      request: {
        params: BookParams,
        query: z.object({ period: periodParam.openapi({ description: 'A period, or all (default)' }) }),
      },
      responses: {
        200: { content: { 'text/csv': { schema: z.string() } }, description: 'CSV with a header row' },
        ...COMMON_ERRORS,
      },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      // Streamed a page at a time: a book of any size in bounded memory.
      const file = exportCsvChunks(a, c.req.valid('query').period ?? 'all');
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
    },
  );
}
