import { z } from '@hono/zod-openapi';
import type { Account, Book, LedgerEvent, Role } from '../../../domain/types.js';
import { minorToDecimal } from '../../../domain/money/money.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text a client may send: bounded, and free of control characters (NUL would make PostgreSQL
 * refuse the row; the others only ever arrive by accident or malice) and of broken UTF-16.
 * Any other Unicode is fine.
 */
export const safeText = (max: number, base: z.ZodString = z.string()) =>
  base
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s), 'must not contain control characters')
    // A lone surrogate is not text: PostgreSQL would silently store U+FFFD instead.
    .refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode');

export const ErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'forbidden', description: 'Machine-readable code (DomainError code or an HTTP-level one)' }),
    message: z.string().openapi({ example: 'Your role (viewer) cannot do that here; it needs member.' }),
    ref: z.string().optional().openapi({ description: 'Reference to quote when reporting an unexpected error' }),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Error');

const error = (description: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description });

/** Error responses every authenticated route can give. */
export const COMMON_ERRORS = {
  400: error('Invalid request: malformed JSON, or a parameter or field failed validation'),
  401: error('Missing, malformed, unknown, expired or revoked token'),
  404: error('No such book (or you are not a member of it), or no such item in it'),
  413: error('Request body too large'),
  422: error('The request was understood but cannot be applied (bad amount, unknown account, …)'),
  429: error('Rate limit exceeded; see the Retry-After header'),
  500: error('Unexpected error; nothing was changed'),
} as const;

export const FORBIDDEN = { 403: error('Your role in this book does not allow this') } as const;

export const RoleSchema = z.enum(['owner', 'admin', 'member', 'viewer']).openapi('Role');

export const BookSchema = z
  .object({
    id: z.number().int().openapi({ example: 12 }),
    title: z.string().openapi({ example: 'Family' }),
    currency: z.string().openapi({ example: 'EUR' }),
    timezone: z.string().openapi({ example: 'Europe/Berlin' }),
    language: z.enum(['en', 'ru']),
    role: RoleSchema,
  })
  .openapi('Book');

export const AccountSchema = z
  .object({
    id: z.number().int(),
    name: z.string().openapi({ example: 'Card' }),
    currency: z.string().openapi({ example: 'EUR' }),
    openingMinor: z.number().int().openapi({ description: 'Opening balance in minor units' }),
    balanceMinor: z.number().int().openapi({ example: 123450, description: 'Current balance in minor units' }),
    balance: z.string().openapi({ example: '1234.50', description: 'Balance as a decimal string' }),
    isDefault: z.boolean(),
  })
  .openapi('Account');

const Ref = z.object({ id: z.number().int(), name: z.string() });

export const EventSchema = z
  .object({
    seq: z.number().int().openapi({ example: 42, description: 'The per-book number shown as #42 in chats' }),
    kind: z.enum(['expense', 'income', 'transfer']),
    amountMinor: z.number().int().openapi({ example: 450 }),
    amount: z.string().openapi({ example: '4.50' }),
    currency: z.string().openapi({ example: 'EUR' }),
    account: Ref,
    toAccount: Ref.nullable(),
    toAmountMinor: z.number().int().nullable(),
    toCurrency: z.string().nullable(),
    labels: z.array(z.string()).openapi({ example: ['coffee'] }),
    note: z.string(),
    author: Ref.nullable(),
    occurredAt: z.string().openapi({ format: 'date-time' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    deleted: z.boolean(),
    templateId: z.number().int().nullable(),
  })
  .openapi('Event');

export const TotalSchema = z.object({ currency: z.string(), expenseMinor: z.number().int(), incomeMinor: z.number().int() }).openapi('Total');

export const LabelSchema = z
  .object({
    id: z.number().int(),
    name: z.string().openapi({ example: 'food' }),
    month: z.array(TotalSchema).openapi({ description: 'This month’s totals (book time), per currency' }),
  })
  .openapi('Label');

export const PeriodSchema = z
  .object({ start: z.string().openapi({ format: 'date-time' }), end: z.string().openapi({ format: 'date-time' }), label: z.string() })
  .openapi('Period');

/** `{bookId}` in every book route. Another user's book and a missing one both give 404. */
export const BookParams = z.object({
  bookId: z.coerce
    .number()
    .int()
    .positive()
    .max(2_147_483_647)
    .openapi({ param: { name: 'bookId', in: 'path' }, example: 12 }),
});

export const bookOut = (b: Book & { role: Role }) => ({
  id: b.id,
  title: b.title,
  currency: b.currency,
  timezone: b.timezone,
  language: b.language,
  role: b.role,
});

export const accountOut = (a: Account, defaultId: number | null) => ({
  id: a.id,
  name: a.name,
  currency: a.currency,
  openingMinor: a.openingMinor,
  balanceMinor: a.balanceMinor,
  balance: minorToDecimal(a.balanceMinor, a.currency),
  isDefault: a.id === defaultId,
});

export const eventOut = (e: LedgerEvent) => ({
  seq: e.seq,
  kind: e.kind,
  amountMinor: e.amountMinor,
  amount: minorToDecimal(e.amountMinor, e.currency),
  currency: e.currency,
  account: { id: e.accountId, name: e.accountName },
  toAccount: e.toAccountId !== null ? { id: e.toAccountId, name: e.toAccountName ?? '' } : null,
  toAmountMinor: e.toAmountMinor,
  toCurrency: e.toCurrency,
  labels: e.labels,
  note: e.note,
  author: e.authorId !== null ? { id: e.authorId, name: e.authorName ?? '' } : null,
  occurredAt: e.occurredAt.toISOString(),
  createdAt: e.createdAt.toISOString(),
  deleted: e.deletedAt !== null,
  templateId: e.templateId,
});
