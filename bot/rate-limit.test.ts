import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.js';

const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('createRateLimiter', () => {
  it('GIVEN a burst of 3 THEN the 4th action is refused with the time until the next one', () => {
    const c = clock();
    const rl = createRateLimiter({ capacity: 3, refillPerSecond: 0.5, now: c.now });
    expect([rl.take('a'), rl.take('a'), rl.take('a')].map((d) => d.allowed)).toEqual([true, true, true]);
    const refused = rl.take('a');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBe(2000);
  });

  it('GIVEN a refused key THEN it is allowed again once the bucket refills, not before', () => {
    const c = clock();
    const rl = createRateLimiter({ capacity: 1, refillPerSecond: 1, now: c.now });
    expect(rl.take('a').allowed).toBe(true);
    c.advance(999);
    expect(rl.take('a').allowed).toBe(false);
    c.advance(1);
    expect(rl.take('a').allowed).toBe(true);
  });

  it('GIVEN one flooding key THEN other keys are not affected', () => {
    const c = clock();
    const rl = createRateLimiter({ capacity: 2, refillPerSecond: 1, now: c.now });
    for (let i = 0; i < 10; i++) rl.take('spammer');
    expect(rl.take('spammer').allowed).toBe(false);
    expect(rl.take('quiet').allowed).toBe(true);
  });

  it('GIVEN repeated refusals THEN only the first is flagged, and the flag resets after an allowed action', () => {
    const c = clock();
    const rl = createRateLimiter({ capacity: 1, refillPerSecond: 1, now: c.now });
    rl.take('a');
    expect(rl.take('a').firstRefusal).toBe(true);
    expect(rl.take('a').firstRefusal).toBe(false);
    expect(rl.take('a').firstRefusal).toBe(false);
    c.advance(1000);
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('a').firstRefusal).toBe(true);
  });

  it('GIVEN a long idle time THEN the bucket holds no more than its capacity', () => {
    const c = clock();
    const rl = createRateLimiter({ capacity: 2, refillPerSecond: 10, now: c.now });
    rl.take('a');
    c.advance(3_600_000);
    expect([rl.take('a'), rl.take('a'), rl.take('a')].map((d) => d.allowed)).toEqual([true, true, false]);
  });

  it('GIVEN more keys than maxKeys THEN memory stays bounded by evicting the least recently used', () => {
    const c = clock();
    const rl = createRateLimiter({ capacity: 1, refillPerSecond: 0.001, now: c.now, maxKeys: 2 });
    rl.take('old');
    rl.take('b');
    rl.take('c'); // evicts "old"
    // "old" starts over with a full bucket; "c" (recent) is still empty.
    expect(rl.take('old').allowed).toBe(true);
    expect(rl.take('c').allowed).toBe(false);
  });

  it('GIVEN a backlog applied at once (after an outage) THEN it is measured by when each was sent: sent at the allowed pace, all pass; sent as a flood, the flood is refused', () => {
    const c = clock();
    const rl = createRateLimiter({ capacity: 3, refillPerSecond: 1, now: c.now });
    const sent = c.now();
    c.advance(60_000); // the outage: nothing applied for a minute
    // Ten messages sent one a second, applied now in one go.
    expect(Array.from({ length: 10 }, (_, i) => rl.take('paced', 1, sent + i * 1000).allowed)).toEqual(Array(10).fill(true));
    // Ten sent within the same second: the burst, then refused.
    expect(Array.from({ length: 10 }, () => rl.take('flood', 1, sent).allowed).filter(Boolean)).toHaveLength(3);
    // A time in the future counts as now (the minute since the flood refilled it, to the capacity).
    expect(rl.take('flood', 1, c.now() + 3_600_000)).toMatchObject({ allowed: true, remaining: 2 });
    expect(rl.take('flood', 1, c.now())).toMatchObject({ allowed: true, remaining: 1 });
    // A time that is not a number counts as now (never a bucket stuck refusing).
    expect(rl.take('odd', 1, Number.NaN)).toMatchObject({ allowed: true, remaining: 2 });
    expect(rl.take('odd', 1, Number.NaN)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('refuses nonsensical settings', () => {
    expect(() => createRateLimiter({ capacity: 0, refillPerSecond: 1 })).toThrow();
    expect(() => createRateLimiter({ capacity: 1, refillPerSecond: 0 })).toThrow();
  });
});
