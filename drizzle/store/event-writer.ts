import { sql } from 'drizzle-orm';
import { jsonItems, jsonTexts } from './json-items.js';
import type { NewEvent } from '../../domain/ports.js';
import { rowsOf } from './rows.js';
import { DomainError } from '../../domain/errors.js';
import { prebuilt, type Runner } from './prebuilt.js';
import { balanceEffect } from '../../domain/ledger/balance-effect.js';

/** `accounts_balance_safe` (migration 0007): every balance within ±(2^53 − 1) minor units. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A database handle or an open transaction. */
export type Writer = Runner;

/** One written event: its id, `#N`, when it was stored, and names as the book spells them. */
export interface WrittenEvent {
  id: number;
  bookId: number;
  seq: number;
  createdAt: Date;
  accountName: string;
  toAccountName: string | null;
  authorName: string | null;
  /** The event's labels as the book spells them, sorted. */
  labels: string[];
}

/** An account's balance after the write. */
export interface WrittenBalance {
  bookId: number;
  accountId: number;
  accountName: string;
  currency: string;
  balanceMinor: number;
}

/** How an event moves account balances (the domain's rule, kept beside the writer that applies it). */
export { balanceEffect };

/** Labels of one event, the first spelling of each name (case-insensitive) kept. */
function uniqueLabels(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => !seen.has(n.toLowerCase()) && seen.add(n.toLowerCase()));
}

interface Row {
  ord: number;
  id: string | number;
  book_id: number;
  seq: number;
  created_at: Date | string;
  account_name: string;
  to_account_name: string | null;
  author_name: string | null;
  labels: string[] | string | null;
}

interface BalRow {
  id: number;
  book_id: number;
  name: string;
  currency: string;
  balance: string;
}

const asJson = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/**
 * THE event writer: every new event — chat, API, template, import — is written here, in ONE
 * statement, keeping the ledger's invariant:
 * - `#N`: each book's counter moves once by its count and its events take the numbers in order,
 *   so a book's numbers have no gaps and no repeats, however many writers race;
 * - labels: found or created case-insensitively (the first spelling names a new label); created
 *   with ON CONFLICT DO UPDATE so a label another writer created at the same moment is returned
 *   rather than hidden from this statement's snapshot;
 * - balances: every touched account moves by exactly the sum of the events' effects;
 * - statistics: the triggers on `events` and `event_labels` fold a batch into the rollup at the
 *   end of this statement, labels included (migration 0020), or mark a single event's hour.
 * A single statement is atomic without BEGIN/COMMIT, and one round trip is what lets a 2-core
 * machine record over a thousand chat messages a second; a batch (a template sweep, an import
 * chunk) costs one statement, not one per event. One event (the chat hot path) takes the same
 * statement with bound parameters. Returns the events in input order.
 */
export async function writeEvents(q: Writer, events: readonly NewEvent[]): Promise<{ events: WrittenEvent[]; balances: WrittenBalance[] }> {
  if (events.length === 0) return { events: [], balances: [] };
  if (events.length === 1) return writeOne(q, events[0]!);
  const input = events.map((e, ord) => ({
    ord,
    book_id: e.bookId,
    kind: e.kind,
    account_id: e.accountId,
    amount_minor: e.amountMinor,
    currency: e.currency,
    to_account_id: e.toAccountId ?? null,
    to_amount_minor: e.kind === 'transfer' ? (e.toAmountMinor ?? e.amountMinor) : null,
    to_currency: e.kind === 'transfer' ? (e.toCurrency ?? e.currency) : null,
    note: e.note,
    author_id: e.authorId,
    occurred_at: e.occurredAt.toISOString(),
    template_id: e.templateId ?? null,
    occurrence_at: e.occurrenceAt?.toISOString() ?? null,
    source_key: e.sourceKey ?? null,
    source_hash: e.sourceHash ?? null,
    meta: e.meta ?? null,
    labels: uniqueLabels(e.labels),
  }));
  const res = await q.execute(sql`
    with v as (
      select v.* from ${jsonItems(input)} j cross join jsonb_to_record(j) as v(ord int, book_id int, kind text, account_id int,
        amount_minor bigint, currency text, to_account_id int, to_amount_minor bigint, to_currency text, note text, author_id int,
        occurred_at timestamptz, template_id int, occurrence_at timestamptz, source_key text, source_hash text, meta jsonb, labels jsonb)
    ), cnt as (
      select book_id, count(*)::int as n from v group by book_id
    ), seqs as (
      update books b set last_seq = b.last_seq + cnt.n from cnt where b.id = cnt.book_id
      returning b.id as book_id, b.last_seq - cnt.n as base
    ), numbered as (
      select v.*, s.base + row_number() over (partition by v.book_id order by v.ord) as seq from v join seqs s on s.book_id = v.book_id
    ), ins as (
      insert into events (book_id, seq, kind, account_id, amount_minor, currency, to_account_id, to_amount_minor, to_currency,
        note, author_id, occurred_at, template_id, occurrence_at, source_key, source_hash, meta)
      select book_id, seq, kind, account_id, amount_minor, currency, to_account_id, to_amount_minor, to_currency,
        note, author_id, occurred_at, template_id, occurrence_at, source_key, source_hash, meta
      from numbered order by ord
      returning id, book_id, seq, created_at
    ), wanted as (
      select n.book_id, n.seq, l.name from numbered n, coin_texts(n.labels) as l(name)
    ), lab as (
      insert into labels (book_id, name)
      select distinct on (book_id, lower(name)) book_id, name from wanted order by book_id, lower(name), seq
      on conflict (book_id, lower(name)) do update set name = labels.name
      returning id, book_id, name
    ), el as (
      insert into event_labels (event_id, label_id)
      select ins.id, lab.id from wanted w
        join ins on ins.book_id = w.book_id and ins.seq = w.seq
        join lab on lab.book_id = w.book_id and lower(lab.name) = lower(w.name)
    ), moves as (
      select book_id, account_id, case when kind = 'income' then amount_minor else -amount_minor end as delta from numbered
      union all
      select book_id, to_account_id, to_amount_minor from numbered where kind = 'transfer'
    ), bal as (
      update accounts a set balance_minor = a.balance_minor + d.delta
      from (select book_id, account_id, sum(delta)::bigint as delta from moves group by book_id, account_id) d
      -- \`a.id = any(...)\` besides the join: the accounts are found by key however the join is planned
      -- (a hash join read every account up to a few thousand books: migration 0025, docs/scaling.md).
      -- Not for \`books\` above: its lower row estimate would reach the joins after it (a batch of 1,000
      -- into one book then joined its events to their label names row by row: 1.3 s).
      where a.id = d.account_id and a.book_id = d.book_id and a.id = any(array(select account_id from moves))
      returning a.id, a.book_id, a.name, a.currency, a.balance_minor::text as balance
    ), names as (
      -- Each event's labels as the book spells them, grouped once (not a scan of every label per event).
      select w.book_id, w.seq, json_agg(lab.name order by lab.name) as labels
      from wanted w join lab on lab.book_id = w.book_id and lower(lab.name) = lower(w.name) group by w.book_id, w.seq
    )
    select
      -- Names looked up per event by key (a subquery each), not by joining the accounts and users
      -- tables: a join may be planned as a scan of the whole table (migration 0025).
      (select json_agg(json_build_object('ord', n.ord, 'id', ins.id, 'book_id', ins.book_id, 'seq', ins.seq, 'created_at', ins.created_at,
         'account_name', (select a.name from accounts a where a.id = n.account_id),
         'to_account_name', (select ta.name from accounts ta where ta.id = n.to_account_id),
         'author_name', (select u.name from users u where u.id = n.author_id), 'labels', coalesce(nm.labels, '[]'::json)))
       from ins join numbered n on n.book_id = ins.book_id and n.seq = ins.seq
         left join names nm on nm.book_id = n.book_id and nm.seq = n.seq) as events,
      (select json_agg(json_build_object('id', id, 'book_id', book_id, 'name', name, 'currency', currency, 'balance', balance)) from bal) as balances,
      -- Every event written, or the statement fails and writes nothing (a book missing): checked
      -- here, not by the caller, so one statement outside a transaction is all or nothing.
      coin_assert((select count(*) from ins) = ${events.length}::int, 'a book of this write is missing') as complete`);
  const [row] = rowsOf<{ events: Row[] | string | null; balances: BalRow[] | string | null }>(res);
  return toWritten(asJson<Row[] | null>(row?.events ?? null) ?? [], row?.balances ?? null);
}

/** The writer's answer from its rows: events in input order, balances as numbers. */
function toWritten(rows: readonly Row[], balances: BalRow[] | string | null): { events: WrittenEvent[]; balances: WrittenBalance[] } {
  return {
    events: [...rows]
      .sort((a, b) => a.ord - b.ord)
      .map((r) => ({
        id: Number(r.id),
        bookId: r.book_id,
        seq: r.seq,
        createdAt: new Date(r.created_at),
        accountName: r.account_name,
        toAccountName: r.to_account_name,
        authorName: r.author_name,
        labels: asJson<string[] | null>(r.labels) ?? [],
      })),
    balances: (asJson<BalRow[] | null>(balances) ?? []).map((b) => ({
      bookId: b.book_id,
      accountId: b.id,
      accountName: b.name,
      currency: b.currency,
      balanceMinor: Number(b.balance),
    })),
  };
}

type OneRow = Omit<Row, 'ord' | 'book_id'> & { balances: BalRow[] | string | null };

/** The one-event write, its SQL text built once (see {@link prebuilt}). */
const writeOneStatement = prebuilt(
  ['book', 'a1', 'd1', 'a2', 'd2', 'kind', 'account', 'amount', 'currency', 'toAccount', 'toAmount', 'toCurrency', 'note', 'author', 'at', 'template', 'occurrence', 'sourceKey', 'sourceHash', 'meta', 'names', 'min', 'max'],
  (p) => sql`
    with d(account_id, delta) as (
      select * from (values (${p.a1}::int, ${p.d1}::bigint), (${p.a2}::int, ${p.d2}::bigint)) v(account_id, delta) where account_id is not null
    ), fits as (
      -- The balance bound (accounts_balance_safe) checked before writing: a record that would
      -- overflow writes nothing and says so, instead of failing (and spoiling a transaction).
      select not exists (select 1 from accounts a join d on a.id = d.account_id
        where a.book_id = ${p.book}::int and a.balance_minor + d.delta not between ${p.min}::bigint and ${p.max}::bigint) as ok
    ), seq as (
      update books set last_seq = last_seq + 1 where id = ${p.book}::int and (select ok from fits) returning last_seq
    ), ins as (
      insert into events (book_id, seq, kind, account_id, amount_minor, currency, to_account_id, to_amount_minor,
        to_currency, note, author_id, occurred_at, template_id, occurrence_at, source_key, source_hash, meta)
      select ${p.book}::int, seq.last_seq, ${p.kind}::text, ${p.account}::int, ${p.amount}::bigint, ${p.currency}::text,
        ${p.toAccount}::int, ${p.toAmount}::bigint, ${p.toCurrency}::text, ${p.note}::text,
        ${p.author}::int, ${p.at}::timestamptz, ${p.template}::int,
        ${p.occurrence}::timestamptz, ${p.sourceKey}::text, ${p.sourceHash}::text, ${p.meta}::jsonb
      from seq
      returning id, seq, created_at
    ), lab as (
      insert into labels (book_id, name)
      select ${p.book}::int, n from unnest(${p.names}::text[]) as n where exists (select 1 from ins)
      on conflict (book_id, lower(name)) do update set name = labels.name
      returning id, name
    ), el as (
      insert into event_labels (event_id, label_id) select ins.id, lab.id from ins, lab
    ), bal as (
      update accounts set balance_minor = accounts.balance_minor + d.delta
      from d, ins
      where accounts.id = d.account_id and accounts.book_id = ${p.book}::int
      returning accounts.id, accounts.book_id, accounts.name, accounts.currency, accounts.balance_minor::text as balance
    )
    select (select ok from fits) as fits, ins.id, ins.seq, ins.created_at,
      (select name from accounts where id = ${p.account}::int) as account_name,
      (select name from accounts where id = ${p.toAccount}::int) as to_account_name,
      (select name from users where id = ${p.author}::int) as author_name,
      (select coalesce(array_agg(name order by name), '{}') from lab) as labels,
      (select json_agg(json_build_object('id', id, 'book_id', book_id, 'name', name, 'currency', currency, 'balance', balance)) from bal) as balances
    from (select 1) as one left join ins on true`,
);

/**
 * The same write for one event (a chat or API record: the hot path) with bound parameters
 * instead of a JSON recordset: PostgreSQL plans it in a fraction of the batch statement's time,
 * which is a third of its CPU per chat record; its text is built once, not per record.
 */
async function writeOne(q: Writer, e: NewEvent): Promise<{ events: WrittenEvent[]; balances: WrittenBalance[] }> {
  const names = uniqueLabels(e.labels);
  const toAmount = e.kind === 'transfer' ? (e.toAmountMinor ?? e.amountMinor) : null;
  const toCurrency = e.kind === 'transfer' ? (e.toCurrency ?? e.currency) : null;
  const [x1, x2] = balanceEffect({ ...e, toAmountMinor: toAmount });
  const res = await writeOneStatement(q, {
    book: e.bookId,
    a1: x1!.accountId,
    d1: x1!.delta,
    a2: x2?.accountId ?? null,
    d2: x2?.delta ?? null,
    kind: e.kind,
    account: e.accountId,
    amount: e.amountMinor,
    currency: e.currency,
    toAccount: e.toAccountId ?? null,
    toAmount,
    toCurrency,
    note: e.note,
    author: e.authorId,
    at: e.occurredAt.toISOString(),
    template: e.templateId ?? null,
    occurrence: e.occurrenceAt ? e.occurrenceAt.toISOString() : null,
    sourceKey: e.sourceKey ?? null,
    sourceHash: e.sourceHash ?? null,
    meta: e.meta ? JSON.stringify(e.meta) : null,
    names: `{${names.map((n) => `"${n.replace(/["\\]/g, '\\$&')}"`).join(',')}}`,
    min: -MAX_SAFE,
    max: MAX_SAFE,
  });
  const [r] = rowsOf<OneRow & { fits: boolean }>(res);
  if (r && !r.fits) throw new DomainError('balance_out_of_range', {});
  if (!r || r.id === null) throw new Error(`book ${e.bookId} not found`);
  return toWritten([{ ...r, ord: 0, book_id: e.bookId }], r.balances);
}

/** Moves balances by `effects` (reversing or re-applying an event); part of the caller's transaction. */
export async function moveBalances(q: Writer, bookId: number, effects: readonly { accountId: number; delta: number }[]): Promise<void> {
  const moves = effects.filter((x) => x.delta !== 0);
  if (moves.length === 0) return;
  await q.execute(sql`
    update accounts a set balance_minor = a.balance_minor + d.delta
    from (select account_id, sum(delta)::bigint as delta from ${jsonItems(moves.map((x) => ({ account_id: x.accountId, delta: x.delta })))} j
          cross join jsonb_to_record(j) as m(account_id int, delta bigint) group by account_id) d
    where a.id = d.account_id and a.book_id = ${bookId}`);
}

/** Replaces an event's labels, found or created as {@link writeEvents} does; part of the caller's transaction. */
export async function replaceLabels(q: Writer, bookId: number, eventId: number, names: readonly string[]): Promise<void> {
  const labels = uniqueLabels(names);
  await q.execute(sql`delete from event_labels where event_id = ${eventId}`);
  if (labels.length === 0) return;
  await q.execute(sql`
    with lab as (
      insert into labels (book_id, name)
      select ${bookId}, n from ${jsonTexts(labels)} as l(n)
      on conflict (book_id, lower(name)) do update set name = labels.name
      returning id
    )
    insert into event_labels (event_id, label_id) select ${eventId}, id from lab`);
}
