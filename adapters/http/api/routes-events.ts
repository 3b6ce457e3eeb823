import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { decodeCursor, encodeCursor, listEventPage } from '../../../domain/access/api-access.js';
import type { EventPageFilter } from '../../../domain/access/ports.js';
import type { Actor } from '../../../domain/access/actor.js';
import { inRange } from '../../../domain/parsing/dates.js';
import { DomainError } from '../../../domain/errors.js';
import { deleteEvent, findAccount } from '../../../domain/ledger/record.js';
import { recordEntry, type Entry, type EntryRecorded } from '../../../domain/ledger/record-entry.js';
import { writeCombiner } from '../../../domain/ledger/write-combiner.js';
import { minorToDecimal } from '../../../domain/money/money.js';
import { assertCan } from '../../../domain/access/permissions.js';
import { parsePeriod } from '../../../domain/parsing/period.js';
import type { Recorded } from '../../../domain/ports.js';
import type { Book } from '../../../domain/types.js';
import type { ApiApp, ApiDeps } from './api-env.js';
import { actorOf, SECURITY } from './routes-books.js';
import { BookParams, COMMON_ERRORS, EventSchema, FORBIDDEN, eventOut, safeText } from './schemas.js';

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const boundary = safeText(40).refine((s) => ISO_INSTANT.test(s) || DAY.test(s), 'must be YYYY-MM-DD or an ISO 8601 instant with offset');

export const ListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Events per page (1–200)', example: 50 }),
    cursor: z
      .string()
      .max(64)
      .refine((s) => decodeCursor(s) !== undefined, 'is not a cursor from this API')
      .optional()
      .openapi({ description: 'The `nextCursor` of the previous page' }),
    kind: z.enum(['expense', 'income', 'transfer']).optional(),
    label: safeText(64).optional().openapi({ description: 'Only events with this label', example: 'food' }),
    account: safeText(64).optional().openapi({ description: 'Account id or name (either side of a transfer)', example: 'Card' }),
    period: safeText(40).optional().openapi({ description: 'today, week, month, last-month, 2026-11, 2026-11-01..2026-11-15, …', example: 'month' }),
    from: boundary.optional().openapi({ description: 'From this day (book time) or instant, inclusive' }),
    to: boundary.optional().openapi({ description: 'Up to this day (inclusive, book time) or instant (exclusive)' }),
    q: safeText(200).optional().openapi({ description: 'Text in the note (case-insensitive, literal)' }),
  })
  .refine((q) => !(q.period && (q.from || q.to)), { message: 'use either period or from/to', path: ['period'] });

type ListQueryT = z.infer<typeof ListQuery>;

/** Turns query parameters into a store filter, resolving names against the book. */
async function filterOf(a: Actor, q: ListQueryT): Promise<EventPageFilter> {
  const f: EventPageFilter = { limit: q.limit, kind: q.kind, q: q.q || undefined };
  if (q.cursor) f.after = decodeCursor(q.cursor);
  if (q.label) f.label = q.label.replace(/^#/, '');
  if (q.account) {
    const accounts = await a.store.listAccounts(a.book.id);
    const acc = /^\d{1,9}$/.test(q.account) ? accounts.find((x) => x.id === Number(q.account)) : findAccount(accounts, q.account);
    if (!acc) throw new DomainError('account_unknown', { account: q.account, accounts: accounts.map((x) => x.name) });
    f.accountId = acc.id;
  }
  const now = a.clock.now();
  const tz = a.book.timezone;
  if (q.period) {
    const p = parsePeriod(q.period, now, tz);
    f.from = p.start;
    f.to = p.end;
  }
  if (q.from) f.from = DAY.test(q.from) ? parsePeriod(q.from, now, tz).start : inRange(new Date(q.from), q.from);
  if (q.to) f.to = DAY.test(q.to) ? parsePeriod(q.to, now, tz).end : inRange(new Date(q.to), q.to);
  return f;
}

/** The fields of a record (shared by the single POST and the batch items). */
export const EventFields = z.object({
  kind: z
    .enum(['expense', 'income', 'transfer'])
    .optional()
    .openapi({ description: 'Default: expense; with `line`, a leading + makes an income (like quick entry in chat)' }),
  line: safeText(500)
    .optional()
    .openapi({ description: 'A chat record line instead of fields, e.g. "12.50 #food @card yesterday lunch" (transfers: "100 Cash Card")' }),
  amount: safeText(64).optional().openapi({ example: '12.50', description: 'As people write it: 12.50, 12,5, €12, 12 usd' }),
  amountMinor: z.number().int().optional().openapi({ example: 1250, description: 'Or: minor units of the account currency' }),
  account: safeText(64).optional().openapi({ description: 'Account name; the default account when omitted (from-account of a transfer)' }),
  toAccount: safeText(64).optional().openapi({ description: 'Transfers: receiving account' }),
  toAmount: safeText(64).optional().openapi({ description: 'Transfers between currencies: amount received' }),
  toAmountMinor: z.number().int().optional(),
  labels: z.array(safeText(64)).max(10).optional().openapi({ example: ['food'] }),
  note: safeText(500).optional().openapi({ description: 'Kept exactly as written (no #label/@account parsing)' }),
  date: safeText(40).optional().openapi({ description: 'today, yesterday, YYYY-MM-DD, DD.MM (book time) or an ISO 8601 instant' }),
});

/** One of amount, amountMinor or line; a line takes nothing but a kind. */
export function fieldsRule(b: { line?: string | undefined; amount?: string | undefined; amountMinor?: number | undefined }, ctx: z.RefinementCtx): void {
  if (b.line !== undefined) {
    const extra = Object.keys(b).filter((k) => k !== 'line' && k !== 'kind');
    if (extra.length) ctx.addIssue({ code: 'custom', path: [extra[0]!], message: 'cannot be combined with line' });
  } else if ((b.amount === undefined) === (b.amountMinor === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['amount'], message: 'give exactly one of amount, amountMinor or line' });
  }
}

export const CreateEventBody = EventFields.strict().superRefine(fieldsRule).openapi('NewEvent');

/** An Idempotency-Key (header) or a batch item's `key`. */
export const IdempotencyKey = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be 1-100 characters of A-Z a-z 0-9 _ . : -');

/** The event's source key: one namespace per user, shared by the header and batch items. */
export const sourceKeyOf = (userId: number, key: string): string => `api:${userId}:${key}`;

const IdempotencyHeaders = z.object({
  'idempotency-key': IdempotencyKey
    .optional()
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, description: 'Retrying with the same key records once (not with `line`)' }),
});

const BalanceSchema = z.object({ accountId: z.number().int(), balanceMinor: z.number().int(), balance: z.string() });
const RecordedSchema = z.object({ event: EventSchema, balances: z.array(BalanceSchema) }).openapi('Recorded');

const SeqParams = BookParams.extend({
  seq: z.coerce
    .number()
    .int()
    .positive()
    .max(2_147_483_647)
    .openapi({ param: { name: 'seq', in: 'path' }, example: 42, description: 'The event number (#42)' }),
});

/**
 * The request an Idempotency-Key stands for: the validated body with its keys sorted, hashed.
 * A retry sends the same fields (in any order); different fields under one key are refused (422).
 */
export function bodyHash(body: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(body).sort(([x], [y]) => (x < y ? -1 : 1)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/** `+2500 salary` is an income, as in chat; an explicit kind wins and only loses the `+`. */
function lineEntry(kind: 'expense' | 'income' | 'transfer' | undefined, line: string): Entry {
  if (kind === 'transfer') return { kind, line };
  const plus = /^\s*\+/.test(line);
  return { kind: kind ?? (plus ? 'income' : 'expense'), line: line.replace(/^\s*\+/, '') };
}

/** Tells the book's chats the budget alerts an API record, batch or import triggered (they have no reply to carry them). */
export async function announce(deps: ApiDeps, book: Book, r: Pick<EntryRecorded, 'alerts' | 'alertError'>): Promise<void> {
  if (r.alertError) deps.logger.error({ err: String(r.alertError), book: book.id }, 'budget alert check failed');
  if (r.alerts.length && deps.tellBook)
    await deps.tellBook(book, r.alerts).catch((err) => deps.logger.error({ err: String(err), book: book.id }, 'budget alerts not queued'));
}

function recordedOut(r: Recorded) {
  const currencyOf = (accountId: number) =>
    accountId === r.event.toAccountId && r.event.toCurrency ? r.event.toCurrency : r.event.currency;
  return {
    event: eventOut(r.event),
    balances: r.balances.map((b) => ({
      accountId: b.accountId,
      balanceMinor: b.balanceMinor,
      balance: minorToDecimal(b.balanceMinor, currencyOf(b.accountId)),
    })),
  };
}

/** Events: list (filters, keyset cursor), one, create, delete. */
export function eventRoutes(api: ApiApp, deps: ApiDeps): void {
  // One per app: single records of a book that overlap share a write (keyed ones go alone).
  const combined = writeCombiner();
  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/events',
      tags: ['Events'],
      summary: 'Events, newest first, with filters and cursor pagination',
      security: SECURITY,
      request: { params: BookParams, query: ListQuery },
      responses: {
        200: json(
          z.object({
            events: z.array(EventSchema),
            nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }),
          }),
          'One page of events',
        ),
        ...COMMON_ERRORS,
      },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      assertCan(a.role, 'read');
      const page = await listEventPage(a, await filterOf(a, c.req.valid('query')));
      return c.json({ events: page.events.map(eventOut), nextCursor: page.next ? encodeCursor(page.next) : null }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/books/{bookId}/events/{seq}',
      tags: ['Events'],
      summary: 'One event',
      security: SECURITY,
      request: { params: SeqParams },
      responses: { 200: json(z.object({ event: EventSchema }), 'The event'), ...COMMON_ERRORS },
    }),
    async (c) => {
      const { bookId, seq } = c.req.valid('param');
      const a = await actorOf(deps, c, bookId);
      assertCan(a.role, 'read');
      const e = await a.store.getEvent(a.book.id, seq);
      if (!e) throw new DomainError('event_unknown', { seq });
      return c.json({ event: eventOut(e) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/books/{bookId}/events',
      tags: ['Events'],
      summary: 'Record an expense, income or transfer',
      security: SECURITY,
      request: {
        params: BookParams,
        headers: IdempotencyHeaders,
        body: { content: { 'application/json': { schema: CreateEventBody } }, required: true },
      },
      responses: {
        201: json(RecordedSchema, 'Recorded; balances are the touched accounts’ new balances'),
        200: json(RecordedSchema, 'Already recorded with this Idempotency-Key; nothing changed'),
        ...COMMON_ERRORS,
        ...FORBIDDEN,
      },
    }),
    async (c) => {
      const a = await actorOf(deps, c, c.req.valid('param').bookId);
      const b = c.req.valid('json');
      const key = c.req.valid('header')['idempotency-key'];
      if (b.line !== undefined && key) throw new DomainError('usage', { usage: 'Idempotency-Key needs the structured fields (amount, …), not line' });
      const r =
        b.line !== undefined
          ? await recordEntry(a, lineEntry(b.kind, b.line))
          : // Unkeyed: written together with the book's other records in flight (see writeCombiner).
            await combined(a, { ...b, kind: b.kind ?? 'expense', sourceKey: key ? sourceKeyOf(a.userId, key) : undefined, sourceHash: key ? bodyHash(b) : undefined });
      await announce(deps, a.book, r);
      return c.json(recordedOut(r), r.created ? 201 : 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/books/{bookId}/events/{seq}',
      tags: ['Events'],
      summary: 'Delete an event (members: their own; admins: any)',
      security: SECURITY,
      request: { params: SeqParams },
      responses: { 200: json(z.object({ event: EventSchema }), 'The deleted event'), ...COMMON_ERRORS, ...FORBIDDEN },
    }),
    async (c) => {
      const { bookId, seq } = c.req.valid('param');
      const a = await actorOf(deps, c, bookId);
      return c.json({ event: eventOut(await deleteEvent(a, seq)) }, 200);
    },
  );
}
