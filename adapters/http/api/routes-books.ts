import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { apiActor } from '../../../domain/access/api-access.js';
import type { Actor } from '../../../domain/access/actor.js';
import { DomainError } from '../../../domain/errors.js';
import { listAccounts } from '../../../domain/ledger/accounts.js';
import { labelsWithTotals } from '../../../domain/ledger/labels.js';
import type { ApiApp, ApiDeps, ApiEnv } from './api-env.js';
import { AccountSchema, BookParams, BookSchema, COMMON_ERRORS, LabelSchema, PeriodSchema, accountOut, bookOut } from './schemas.js';

export const SECURITY = [{ bearerAuth: [] }];

/**
 * The actor of a request on `bookId`: from the membership read with the token (no second
 * statement) when the path named this book, else read now. A book the user is not a member of
 * answers exactly like one that does not exist.
 */
export function actorOf(deps: ApiDeps, c: Context<ApiEnv>, bookId: number): Promise<Actor> {
  const entry = c.get('entry');
  if (entry?.bookId !== bookId) return apiActor(deps.store, deps.clock, c.get('token').userId, bookId);
  const m = entry.member;
  if (!m) return Promise.reject(new DomainError('not_found', { what: 'book' }));
  return Promise.resolve({ store: deps.store, clock: deps.clock, book: m.book, userId: c.get('token').userId, role: m.role, snapshot: m.snapshot });
}

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

/** `/me`, `/books`, `/books/{bookId}`, its accounts and labels. */
export function bookRoutes(api: ApiApp, deps: ApiDeps): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      tags: ['Account'],
      summary: 'Who this token belongs to',
      security: SECURITY,
      responses: {
        200: json(
          z.object({
            userId: z.number().int(),
            token: z.object({
              id: z.number().int(),
              name: z.string(),
              createdAt: z.string(),
              expiresAt: z.string(),
            }),
          }),
          'The token’s user and the token’s own details (never the secret)',
        ),
        ...COMMON_ERRORS,
      },
    }),
    (c) => {
      const t = c.get('token');
      return c.json(
        { userId: t.userId, token: { id: t.id, name: t.name, createdAt: t.createdAt.toISOString(), expiresAt: t.expiresAt.toISOString() } },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/books',
      tags: ['Books'],
      summary: 'Books you are a member of, with your role in each',
      security: SECURITY,
      responses: { 200: json(z.object({ books: z.array(BookSchema) }), 'Your books'), ...COMMON_ERRORS },
    }),
    async (c) => {
      const books = await deps.store.booksOfUser(c.get('token').userId);
      return c.json({ books: books.map(bookOut) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}',
      tags: ['Books'],
      summary: 'One book',
      security: SECURITY,
      request: { params: BookParams },
      responses: { 200: json(z.object({ book: BookSchema }), 'The book and your role in it'), ...COMMON_ERRORS },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      return c.json({ book: bookOut({ ...a.book, role: a.role }) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/accounts',
      tags: ['Books'],
      summary: 'Accounts with balances',
      security: SECURITY,
      request: { params: BookParams },
      responses: { 200: json(z.object({ accounts: z.array(AccountSchema) }), 'Accounts and their balances'), ...COMMON_ERRORS },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      const list = await listAccounts(a);
      return c.json({ accounts: list.map((x) => accountOut(x, a.book.defaultAccountId)) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/labels',
      tags: ['Books'],
      summary: 'Labels with this month’s totals',
      security: SECURITY,
      request: { params: BookParams },
      responses: { 200: json(z.object({ period: PeriodSchema, labels: z.array(LabelSchema) }), 'Labels'), ...COMMON_ERRORS },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      const { period, labels, totals } = await labelsWithTotals(a);
      return c.json(
        {
          period: { start: period.start.toISOString(), end: period.end.toISOString(), label: period.label },
          labels: labels.map((l) => ({
            id: l.id,
            name: l.name,
            month: totals
              .filter((x) => x.name.toLowerCase() === l.name.toLowerCase())
              .map((x) => ({ currency: x.currency, expenseMinor: x.expenseMinor, incomeMinor: x.incomeMinor })),
          })),
        },
        200,
      );
    },
  );
}
