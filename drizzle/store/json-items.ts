import { sql, type SQL } from 'drizzle-orm';

/** Batches up to this many rows are planned as small (10 rows), larger ones as large (1,000). */
const SMALL = 100;

/**
 * A batch statement's rows, sent as one JSON array parameter, through a set-returning function
 * whose row estimate is the batch's order of size (migration 0025): `coin_items` (10 rows) for a
 * chat batch, `coin_items_many` (1,000) for an import or an API batch. PostgreSQL plans joins by
 * that estimate: a small one looks rows up by key (a hash join over a whole table would cost more
 * with every user), a large one hashes (looking up 1,000 rows one by one, or joining two 1,000-row
 * sets row by row, would not do). The SQL text differs by tier, so each keeps its own prepared
 * plan. Use as
 * `from ${jsonItems(rows)} j cross join jsonb_to_record(j) as v(...)`.
 */
export const jsonItems = (rows: readonly unknown[]): SQL =>
  sql`${sql.raw(rows.length > SMALL ? 'coin_items_many' : 'coin_items')}(${JSON.stringify(rows)}::jsonb)`;

/** The texts of a JSON array of strings, the same way (`coin_texts` / `coin_texts_many`). */
export const jsonTexts = (texts: readonly string[]): SQL =>
  sql`${sql.raw(texts.length > SMALL ? 'coin_texts_many' : 'coin_texts')}(${JSON.stringify(texts)}::jsonb)`;
