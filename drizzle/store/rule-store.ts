import { sql } from 'drizzle-orm';
import type { Db } from '../db.js';
import type { BookRule, NewRule, RuleStore } from '../../domain/rules/ports.js';
import type { HistoryItem } from '../../domain/rules/suggest.js';
import { pgCode, rowsOf } from './rows.js';

interface RuleRow {
  id: number;
  book_id: number;
  seq: number;
  pattern: string;
  label: string;
  account_id: number | null;
  account_name: string | null;
  note: string | null;
  created_by: number | null;
  created_at: Date | string;
}

const toRule = (r: RuleRow): BookRule => ({
  id: Number(r.id),
  bookId: Number(r.book_id),
  seq: Number(r.seq),
  pattern: r.pattern,
  label: r.label,
  accountId: r.account_name === null ? null : Number(r.account_id),
  accountName: r.account_name,
  note: r.note,
  createdBy: r.created_by === null ? null : Number(r.created_by),
  createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
});

/** Columns of a rule with its account's name when the account is live. */
const selectRule = sql`r.id, r.book_id, r.seq, r.pattern, r.label, r.account_id, a.name as account_name, r.note, r.created_by, r.created_at`;
const accountJoin = sql`left join accounts a on a.id = r.account_id and a.book_id = r.book_id and a.deleted_at is null`;

/** Rules: list, add (next number of the book), delete (soft). */
export function ruleStore(db: Db): RuleStore {
  return {
    async listRules(bookId) {
      const res = await db.execute(sql`select ${selectRule} from rules r ${accountJoin} where r.book_id = ${bookId} and r.deleted_at is null order by r.seq`);
      return rowsOf<RuleRow>(res).map(toRule);
    },

    async addRule(n: NewRule) {
      // The next number in one statement; two adds racing for it: the loser takes the next one.
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await db.execute(sql`
            with ins as (
              insert into rules (book_id, seq, pattern, label, account_id, note, created_by)
              select ${n.bookId}, coalesce(max(seq), 0) + 1, ${n.pattern}, ${n.label}, ${n.accountId}, ${n.note}, ${n.createdBy}
              from rules where book_id = ${n.bookId}
              returning *
            )
            select ${selectRule} from ins r ${accountJoin}`);
          return toRule(rowsOf<RuleRow>(res)[0]!);
        } catch (e) {
          if (pgCode(e) !== '23505' || attempt >= 5) throw e;
        }
      }
    },

    async deleteRule(bookId, seq) {
      const res = await db.execute(sql`
        with del as (
          update rules set deleted_at = now() where book_id = ${bookId} and seq = ${seq} and deleted_at is null returning *
        )
        select ${selectRule} from del r ${accountJoin}`);
      const row = rowsOf<RuleRow>(res)[0];
      return row ? toRule(row) : undefined;
    },

    async ruleHistory(bookId, limit) {
      // An imported record keeps the bank's payee in `meta.payee`; a typed one has only its note.
      const res = await db.execute(sql`
        select e.payee, e.note, coalesce((select json_agg(l.name order by lower(l.name), l.name) from event_labels el join labels l on l.id = el.label_id where el.event_id = e.id), '[]') as labels
        from (select id, meta->>'payee' as payee, note from events where book_id = ${bookId} and deleted_at is null order by seq desc limit ${limit}) e`);
      return rowsOf<{ payee: string | null; note: string; labels: string[] | string }>(res).map((r): HistoryItem => {
        const labels = typeof r.labels === 'string' ? (JSON.parse(r.labels) as string[]) : r.labels;
        return r.payee ? { payee: r.payee, note: r.note, labels } : { note: r.note, labels };
      });
    },
  };
}
