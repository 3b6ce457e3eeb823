import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { EventKind, LedgerEvent } from '../../domain/types.js';
import { rowsOf } from './rows.js';

interface EventRow {
  id: string | number;
  book_id: number;
  seq: number;
  kind: EventKind;
  account_id: number;
  account_name: string;
  amount_minor: string;
  currency: string;
  to_account_id: number | null;
  to_account_name: string | null;
  to_amount_minor: string | null;
  to_currency: string | null;
  note: string;
  author_id: number | null;
  author_name: string | null;
  occurred_at: Date | string;
  created_at: Date | string;
  deleted_at: Date | string | null;
  template_id: number | null;
  labels: string[] | null;
}

const asDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

function toEvent(r: EventRow): LedgerEvent {
  return {
    id: Number(r.id),
    bookId: r.book_id,
    seq: r.seq,
    kind: r.kind,
    accountId: r.account_id,
    accountName: r.account_name,
    amountMinor: Number(r.amount_minor),
    currency: r.currency,
    toAccountId: r.to_account_id,
    toAccountName: r.to_account_name,
    toAmountMinor: r.to_amount_minor === null ? null : Number(r.to_amount_minor),
    toCurrency: r.to_currency,
    labels: r.labels ?? [],
    note: r.note,
    authorId: r.author_id,
    authorName: r.author_name,
    occurredAt: asDate(r.occurred_at),
    createdAt: asDate(r.created_at),
    deletedAt: r.deleted_at === null ? null : asDate(r.deleted_at),
    templateId: r.template_id,
  };
}

/** Loads events with their account names, author and labels. `where` must scope to one book. */
export async function selectEvents(db: Db, where: SQL, tail: SQL = sql``): Promise<LedgerEvent[]> {
  const res = await db.execute(sql`
    select e.id, e.book_id, e.seq, e.kind, e.account_id, a.name as account_name, e.amount_minor::text as amount_minor,
      e.currency, e.to_account_id, ta.name as to_account_name, e.to_amount_minor::text as to_amount_minor, e.to_currency,
      e.note, e.author_id, u.name as author_name, e.occurred_at, e.created_at, e.deleted_at, e.template_id,
      array(select l.name from event_labels el join labels l on l.id = el.label_id where el.event_id = e.id order by l.name) as labels
    from events e
    join accounts a on a.id = e.account_id
    left join accounts ta on ta.id = e.to_account_id
    left join users u on u.id = e.author_id
    where ${where}
    ${tail}`);
  return rowsOf<EventRow>(res).map(toEvent);
}
