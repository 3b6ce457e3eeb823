/** See postgres-mends.mjs. */
export function mend(src: string): string;
export function mendTransactionQueue(src: string): string;
export function load(url: string, context: unknown, nextLoad: (url: string, context: unknown) => Promise<{ source?: unknown }>): Promise<unknown>;
