import { describe, expect, it } from 'vitest';
import { Failed, turnBatch } from './turn-batch.js';

/** Calls of one turn answered together (the record combiner and the enter reads build on it). */
describe('turn batch', () => {
  it('GIVEN calls in one turn, a lone call in the next THEN the first go to `many` in order, the lone one to `one`, and each caller gets its own answer', async () => {
    const groups: number[][] = [];
    const call = turnBatch(
      async (x: number) => {
        groups.push([x]);
        return x * 10;
      },
      async (xs: number[]) => {
        groups.push(xs);
        return xs.map((x) => (x === 3 ? new Failed(new Error('three')) : x * 10));
      },
    );
    const first = await Promise.allSettled([call(1), call(2), call(3)]);
    const lone = await call(4);
    expect(groups).toEqual([[1, 2, 3], [4]]);
    expect(first.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([10, 20, 'three']);
    expect(lone).toBe(40);
  });

  it('GIVEN more calls in one turn than a group takes THEN they go in groups of at most that many, in order, and a failing group fails only its own calls', async () => {
    const groups: number[][] = [];
    const call = turnBatch(
      async (x: number) => x,
      async (xs: number[]) => {
        groups.push(xs);
        if (xs.includes(5)) throw new Error('group with 5');
        return xs;
      },
      3,
    );
    const got = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => call(i)));
    expect(groups).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]]);
    expect(got.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
  });
});
