import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { CsvMapping } from '../../domain/statements/csv.js';
import type { PendingStatement, StatementEventRow, StatementImported, StatementStore } from '../../domain/statements/ports.js';
import { writeEvents } from './event-writer.js';
import { affectedRows, rowsOf } from './rows.js';

/** Rows per write: well under PostgreSQL's parameter and JSON limits, one statement each. */
const CHUNK = 1000;

const chunks = <T>(list: readonly T[], size = CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

const asJson = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
/** A PostgreSQL text array literal (`{"a","b"}`), bound as one parameter. */
const textArray = (items: readonly string[]) => `{${items.map((k) => `"${k.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

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
      const res = await db.execute(sql`
        select e.seq, e.kind, e.account_id, e.to_account_id, e.amount_minor::text as amount, e.currency, e.to_amount_minor::text as to_amount,
          e.to_currency, e.occurred_at, e.note, e.source_key,
          (select coalesce(json_agg(l.name), '[]'::json) from event_labels el join labels l on l.id = el.label_id where el.event_id = e.id) as labels
        from events e
        where e.id in (
          -- The dates of the statement (the book's date index), and its rows' ids at any date (the source key index).
          select id from events where book_id = ${bookId} and deleted_at is null
            and occurred_at >= ${from.toISOString()}::timestamptz and occurred_at < ${to.toISOString()}::timestamptz
          union
          select id from events where book_id = ${bookId} and source_key = any(${textArray(sourceKeys)}::text[])
        ) and e.deleted_at is null and (e.account_id = ${accountId} or e.to_account_id = ${accountId})`);
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

    async importStatement(bookId, authorId, w): Promise<StatementImported | undefined> {
      return db.transaction(async (tx) => {
        // Taking the preview away first: a second press of the same button finds nothing.
        const taken = await tx.execute(sql`delete from statement_previews where id = ${w.previewId} and book_id = ${bookId} and user_id = ${authorId}`);
        if (affectedRows(taken) === 0) return undefined;
        // The book row lock serialises imports (and records) of one book, so two imports of one
        // statement cannot both find a row new; the unique (book, source_key) index stands behind it.
        await tx.execute(sql`select id from books where id = ${bookId} for update`);
        const keys = [...w.rows.map((r) => r.sourceKey), ...w.merges.map((m) => m.sourceKey)];
        const held = new Set<string>();
        for (const part of chunks(keys, 5000)) {
          const res = await tx.execute(sql`select source_key from events where book_id = ${bookId}
            and source_key = any(${textArray(part)}::text[])`);
          for (const r of rowsOf<{ source_key: string }>(res)) held.add(r.source_key);
        }
        const fresh = w.rows.filter((r) => !held.has(r.sourceKey) && (held.add(r.sourceKey), true));
        const merges = w.merges.filter((m) => !held.has(m.sourceKey) && (held.add(m.sourceKey), true));
        for (const part of chunks(fresh)) {
          await writeEvents(
            tx,
            part.map((r) => ({
              bookId,
              kind: r.kind,
              accountId: w.accountId,
              amountMinor: r.amountMinor,
              currency: r.currency,
              labels: r.labels,
              note: r.note,
              authorId,
              occurredAt: r.occurredAt,
              sourceKey: r.sourceKey,
            })),
          );
          // What the bank said, beside the note: payee and memo.
          await tx.execute(sql`update events e set meta = jsonb_build_object('payee', v.payee, 'memo', v.memo)
            from jsonb_to_recordset(${JSON.stringify(part.map((r) => ({ k: r.sourceKey, payee: r.payee, memo: r.memo })))}::jsonb) as v(k text, payee text, memo text)
            where e.book_id = ${bookId} and e.source_key = v.k`);
        }
        let merged = 0;
        for (const part of chunks(merges)) {
          const res = await tx.execute(sql`update events e set source_key = v.k,
              meta = coalesce(e.meta, '{}'::jsonb) || jsonb_build_object('payee', v.payee, 'memo', v.memo)
            from jsonb_to_recordset(${JSON.stringify(part.map((m) => ({ seq: m.seq, k: m.sourceKey, payee: m.payee, memo: m.memo })))}::jsonb)
              as v(seq int, k text, payee text, memo text)
            where e.book_id = ${bookId} and e.seq = v.seq and e.source_key is null and e.deleted_at is null and e.account_id = ${w.accountId}`);
          merged += affectedRows(res);
        }
        if (w.externalAccountId) {
          await tx.execute(sql`
            insert into statement_accounts (book_id, account_id, external_account_id, csv_mapping)
            values (${bookId}, ${w.accountId}, ${w.externalAccountId}, ${w.csvMapping ? JSON.stringify(w.csvMapping) : null}::jsonb)
            on conflict (book_id, external_account_id) do update set account_id = excluded.account_id,
              csv_mapping = coalesce(excluded.csv_mapping, statement_accounts.csv_mapping), updated_at = now()`);
        }
        return { created: fresh.length, merged, skipped: w.rows.length + w.merges.length - fresh.length - merged };
      });
    },
  };
}
