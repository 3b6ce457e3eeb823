import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN, createApiKit, type ApiKit } from '../../../test/api-kit.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Concurrent requests with one token share the token's lookup (one statement for the requests
 * that arrived while the previous one ran), and a token revoked before a request arrives still
 * refuses it even when a lookup begun before the revocation is in flight.
 */
describe('API: token lookups under concurrency', () => {
  let k: ApiKit;
  let lookups = 0;
  beforeAll(async () => {
    // The real store; each lookup answers 80 ms after it read, so requests pile up behind it.
    k = await createApiKit({
      store: (s) => ({
        ...s,
        enterApi: async (...a: Parameters<typeof s.enterApi>) => {
          lookups++;
          const found = await s.enterApi(...a);
          await sleep(80);
          return found;
        },
      }),
    });
  });
  afterAll(async () => k?.close());

  it('GIVEN 30 requests at once with one token THEN a few lookups serve them all, each answered', async () => {
    const token = await k.tokenFor(ANN, 'many');
    const book = await k.bookId(`p-${ANN.id}`);
    lookups = 0;
    const answers = await Promise.all(Array.from({ length: 30 }, () => k.req('GET', `/books/${book}/events`, { token })));
    expect(answers.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(lookups).toBeLessThanOrEqual(3);
  });

  it('GIVEN a lookup in flight WHEN the token is revoked and another request arrives THEN that request is refused, the earlier one answered', async () => {
    const token = await k.tokenFor(ANN, 'revoked-mid');
    const book = await k.bookId(`p-${ANN.id}`);
    const early = k.req('GET', `/books/${book}/events`, { token });
    await sleep(20); // its lookup has read the token and is still in flight
    await k.h.say(ANN, '/revoke all');
    const late = await k.req('GET', `/books/${book}/events`, { token });
    expect((await early).status).toBe(200);
    expect(late.status).toBe(401);
  });
});
