/**
 * `db.execute` answers with an array on postgres.js and with `{ rows }` on PGlite;
 * this reads both.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown }).rows;
  if (Array.isArray(rows)) return rows as T[];
  throw new Error('unexpected query result shape');
}

/** postgres.js reports errors with `code`; drizzle may wrap them in `cause`. */
export const pgCode = (e: unknown): string | undefined =>
  (e as { code?: string })?.code ?? (e as { cause?: { code?: string } })?.cause?.code;

/** Rows written by an INSERT/UPDATE/DELETE: `count` on postgres.js, `affectedRows` on PGlite. */
export const affectedRows = (res: unknown): number => Number((res as { count?: number }).count ?? (res as { affectedRows?: number }).affectedRows ?? 0);

/** `list` in parts of at most `size` (rows per statement: well under PostgreSQL's parameter and JSON limits). */
export const chunks = <T>(list: readonly T[], size = 1000): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

/** A PostgreSQL text array literal (`{"a","b"}`), bound as one parameter. */
export const textArray = (items: readonly string[]): string => `{${items.map((k) => `"${k.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
