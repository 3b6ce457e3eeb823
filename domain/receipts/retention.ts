/**
 * How long receipt scans that never became a record are kept (issue 18); housekeeping
 * (`drizzle/store/housekeeping.ts`) forgets them, photo and all, on the worker's minute sweep.
 */
export const RECEIPT_RETENTION = {
  /** A proposal nobody answered with Record, Edit's line or Cancel, counted from when it was made. */
  unansweredMs: 7 * 24 * 3600_000,
  /** A scan still `reading` (its job was lost): the chat may send another after 5 minutes already. */
  lostReadingMs: 24 * 3600_000,
} as const;
