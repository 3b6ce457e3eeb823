import { createHash } from 'node:crypto';

/**
 * A stable id for a row whose bank gives none: a hash of its date, amount, payee and running
 * balance (when the file has one), plus its position among identical rows of the same day (two
 * equal coffees on one day stay two rows). The same row in an overlapping statement gets the
 * same id, so importing it again adds nothing.
 */
export function externalIdFor(row: { date: string; amountMinor: number; currency: string; payee: string; balance?: number | undefined }, occurrence: number): string {
  const key = [row.date, row.amountMinor, row.currency, row.payee.trim().toLowerCase().replace(/\s+/g, ' '), row.balance ?? '', occurrence].join('|');
  return 'h:' + createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

/** Assigns `externalIdFor` ids to rows without one, counting identical rows per day. */
export function fillExternalIds<T extends { externalId?: string | undefined; date: string; amountMinor: number; currency: string; payee: string; balance?: number | undefined }>(
  rows: T[],
): (T & { externalId: string })[] {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    if (row.externalId) return row as T & { externalId: string };
    const key = [row.date, row.amountMinor, row.currency, row.payee.trim().toLowerCase(), row.balance ?? ''].join('|');
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return { ...row, externalId: externalIdFor(row, n) };
  });
}
