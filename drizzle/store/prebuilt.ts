import { sql, type Placeholder, type Query, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db } from '../db.js';

/** A database handle or an open transaction: what a prebuilt statement runs on. */
export type Runner = Pick<Db, 'execute' | '_'>;

const dialect = new PgDialect();

/**
 * A statement of the hot path whose SQL text is built once: `build` composes it (with drizzle's
 * `sql`) from named placeholders, and every call only fills in the values. `db.execute(sql…)`
 * walks the whole template tree and renders the text again on every call — a fifth of the API
 * server's CPU for a record (issue 19). The result is what `db.execute` answers on the same engine.
 */
export function prebuilt<K extends string>(names: readonly K[], build: (p: Record<K, Placeholder<K>>) => SQL): (db: Runner, values: Record<K, unknown>) => Promise<unknown> {
  let query: Query | undefined;
  return (db, values) => {
    query ??= dialect.sqlToQuery(build(Object.fromEntries(names.map((n) => [n, sql.placeholder(n)])) as Record<K, Placeholder<K>>));
    return db._.session.prepareQuery(query, undefined, undefined, false).execute(values);
  };
}
