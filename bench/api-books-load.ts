import { createRequire } from 'node:module';

// autocannon ships no types; its programmatic API is one function.
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object) => Promise<unknown>;

/**
 * Single POSTs into many books at once, for `bench/api-write.bench.ts`, in a process of its own
 * (in the bench's process it would compete with the server for the event loop). Each of the
 * connections writes into one book of its own with that book's token, as many API clients do;
 * autocannon's CLI sends one set of headers on every connection. Argument: the JSON of
 * `{ seconds, rate?, books: { base, token }[] }` (`rate`: requests per second in all); prints autocannon's result as JSON.
 */
const spec = JSON.parse(process.argv[2]!) as { seconds: number; rate?: number; books: { base: string; token: string }[] };
const body = JSON.stringify({ amount: '12.50', labels: ['food'], note: 'bench' });
let next = 0;
const result = await autocannon({
  url: spec.books[0]!.base,
  connections: spec.books.length,
  duration: spec.seconds,
  ...(spec.rate ? { overallRate: spec.rate } : {}),
  requests: [
    {
      method: 'POST',
      setupRequest: (req: Record<string, unknown>, context: { book?: number }) => {
        context.book ??= next++ % spec.books.length;
        const b = spec.books[context.book]!;
        return { ...req, path: new URL(`${b.base}/events`).pathname, headers: { authorization: `Bearer ${b.token}`, 'content-type': 'application/json' }, body };
      },
    },
  ],
});
process.stdout.write(JSON.stringify(result));
