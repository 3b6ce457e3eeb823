import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { CsvMapping } from '../../domain/statements/csv.js';
import type { BatchRecorded } from '../../domain/ports.js';
import type { PendingStatement, StatementEventRow, StatementStore } from '../../domain/statements/ports.js';
import { lockBook } from './batch-numbers.js';
import { balanceBound, writeBatchIn } from './batch-writer.js';
import { affectedRows, rowsOf, textArray } from './rows.js';

const asJson = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
interface PendingRow {
  id: string;
  book_id: number;
  user_id: number;
  file_name: string;
  content: string;
  account_id: number | null;
  csv_mapping: CsvMapping | string | null;
  created_at: Date | string;
  expires_at: Date | string;
}

const toPending = (r: PendingRow): PendingStatement => ({
  id: r.id,
  bookId: r.book_id,
  userId: r.user_id,
  fileName: r.file_name,
  // Base64 through SQL: postgres.js and PGlite hand bytea back differently.
  content: Buffer.from(r.content, 'base64'),
  accountId: r.account_id,
  csvMapping: asJson<CsvMapping | null>(r.csv_mapping),
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
});

const PENDING_COLUMNS = sql`id, book_id, user_id, file_name, encode(content, 'base64') as content, account_id, csv_mapping, created_at, expires_at`;

/** Statement links, pending previews (stored so a restart keeps them) and the statement import. */
export function statementStore(db: Db): Omit<StatementStore, 'listAccounts' | 'listRules'> {
  return {
    async findStatementLink(bookId, externalAccountId) {
      const res = await db.execute(sql`
        select s.account_id, s.csv_mapping from statement_accounts s join accounts a on a.id = s.account_id and a.deleted_at is null
        where s.book_id = ${bookId} and s.external_account_id = ${externalAccountId}`);
      const [r] = rowsOf<{ account_id: number; csv_mapping: unknown }>(res);
      return r ? { accountId: r.account_id, csvMapping: asJson<CsvMapping | null>(r.csv_mapping) } : undefined;
    },

    async savePendingStatement(p, keep) {
      await db.transaction(async (tx) => {
        await tx.execute(sql`delete from statement_previews where expires_at <= ${p.createdAt.toISOString()}::timestamptz`);
        await tx.execute(sql`
          insert into statement_previews (id, book_id, user_id, file_name, content, account_id, csv_mapping, created_at, expires_at)
          values (${p.id}, ${p.bookId}, ${p.userId}, ${p.fileName}, decode(${p.content.toString('base64')}, 'base64'), ${p.accountId}::int,
            ${p.csvMapping ? JSON.stringify(p.csvMapping) : null}::jsonb, ${p.createdAt.toISOString()}::timestamptz, ${p.expiresAt.toISOString()}::timestamptz)`);
        await tx.execute(sql`
          delete from statement_previews where book_id = ${p.bookId} and user_id = ${p.userId} and id not in (
            select id from statement_previews where book_id = ${p.bookId} and user_id = ${p.userId} order by n desc limit ${keep})`);
      });
    },

    async getPendingStatement(bookId, userId, id, now) {
      const res = await db.execute(sql`select ${PENDING_COLUMNS} from statement_previews
        where id = ${id} and book_id = ${bookId} and user_id = ${userId} and expires_at > ${now.toISOString()}::timestamptz`);
      const [r] = rowsOf<PendingRow>(res);
      return r ? toPending(r) : undefined;
    },

    async latestPendingStatement(bookId, userId, now) {
      const res = await db.execute(sql`select ${PENDING_COLUMNS} from statement_previews
        where book_id = ${bookId} and user_id = ${userId} and expires_at > ${now.toISOString()}::timestamptz
        order by n desc limit 1`);
      const [r] = rowsOf<PendingRow>(res);
      return r ? toPending(r) : undefined;
    },

    async updatePendingStatement(bookId, userId, id, patch) {
      await db.execute(sql`update statement_previews set
          account_id = coalesce(${patch.accountId ?? null}::int, account_id),
          csv_mapping = coalesce(${patch.csvMapping ? JSON.stringify(patch.csvMapping) : null}::jsonb, csv_mapping)
        where id = ${id} and book_id = ${bookId} and user_id = ${userId}`);
    },

    async deletePendingStatement(bookId, userId, id) {
      const res = await db.execute(sql`delete from statement_previews where id = ${id} and book_id = ${bookId} and user_id = ${userId}`);
      return affectedRows(res) > 0;
    },

    async statementEvents(bookId, accountId, from, to, sourceKeys) {
      const columns = sql`e.seq, e.kind, e.account_id, e.to_account_id, e.amount_minor::text as amount, e.currency, e.to_amount_minor::text as to_amount,
          e.to_currency, e.occurred_at, e.note, e.source_key,
          (select coalesce(json_agg(l.name), '[]'::json) from event_labels el join labels l on l.id = el.label_id where el.event_id = e.id) as labels`;
      const mine = sql`e.book_id = ${bookId} and e.deleted_at is null and (e.account_id = ${accountId} or e.to_account_id = ${accountId})`;
      // The statement's dates (the book's date index): the records that may be twins — not rows
      // imported from statements, which only matter by id; and its rows' ids at any date (the
      // source key index). The two never meet, so no union has to compare them.
      const res = await db.execute(sql`
        select ${columns} from events e
        where ${mine} and e.occurred_at >= ${from.toISOString()}::timestamptz and e.occurred_at < ${to.toISOString()}::timestamptz
          and (e.source_key is null or e.source_key not like 'st:%')
        union all
        select ${columns} from unnest(${textArray(sourceKeys)}::text[]) as k(key)
          join events e on e.book_id = ${bookId} and e.source_key = k.key
        where ${mine}`);
      return rowsOf<{
        seq: number;
        kind: StatementEventRow['kind'];
        account_id: number;
        to_account_id: number | null;
        amount: string;
        currency: string;
        to_amount: string | null;
        to_currency: string | null;
        occurred_at: Date | string;
        note: string;
        source_key: string | null;
        labels: string[] | string;
      }>(res).map((r) => ({
        seq: r.seq,
        kind: r.kind,
        accountId: r.account_id,
        toAccountId: r.to_account_id,
        amountMinor: Number(r.amount),
        currency: r.currency,
        toAmountMinor: r.to_amount === null ? null : Number(r.to_amount),
        toCurrency: r.to_currency,
        occurredAt: new Date(r.occurred_at),
        note: r.note,
        labels: asJson<string[]>(r.labels),
        sourceKey: r.source_key,
      }));
    },

    async importStatement(bookId, authorId, w): Promise<BatchRecorded | undefined> {
      try {
        return await db.transaction(async (tx) => {
          // Taking the preview away first: a second press of the same button finds nothing.
          const taken = await tx.execute(sql`delete from statement_previews where id = ${w.previewId} and book_id = ${bookId} and user_id = ${authorId}`);
          if (affectedRows(taken) === 0) return undefined;
          // The book row lock serialises imports (and records) of one book, so two imports of one
          // statement cannot both find a row new; the unique (book, source_key) index stands behind it.
          await lockBook(tx as unknown as Db, bookId);
          const done = await writeBatchIn(tx as unknown as Db, bookId, w.events, w.opts);
          if (w.externalAccountId) {
            await tx.execute(sql`
              insert into statement_accounts (book_id, account_id, external_account_id, csv_mapping)
              values (${bookId}, ${w.accountId}, ${w.externalAccountId}, ${w.csvMapping ? JSON.stringify(w.csvMapping) : null}::jsonb)
              on conflict (book_id, external_account_id) do update set account_id = excluded.account_id,
                csv_mapping = coalesce(excluded.csv_mapping, statement_accounts.csv_mapping), updated_at = now()`);
          }
          return done;
        });
      } catch (err) {
        throw balanceBound(err);
      }
    },
  };
}
