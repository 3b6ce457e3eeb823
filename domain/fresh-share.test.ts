import { describe, expect, it } from 'vitest';
import { freshShare } from './fresh-share.js';

describe('freshShare', () => {
  it('GIVEN callers arriving while a run is in flight THEN they share one run that starts after them, never the earlier one', async () => {
    let version = 0;
    const started: number[] = [];
    const release: (() => void)[] = [];
    const read = freshShare(
      async (key: string) => {
        started.push(version);
        await new Promise<void>((r) => release.push(r));
        return `${key}@${started.at(-1)}`;
      },
      (key) => key,
    );
    const a = read('t');
    version = 1; // e.g. the token is revoked after the first lookup began
    const b = read('t');
    const c = read('t');
    expect(started).toEqual([0]);
    release.shift()!();
    expect(await a).toBe('t@0');
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1]); // one run for b and c, begun after both arrived
    release.shift()!();
    expect(await b).toBe('t@1');
    expect(await c).toBe('t@1');
  });

  it('GIVEN different keys THEN each runs at once; a failed run fails only the callers that shared it', async () => {
    let fail = true;
    const read = freshShare(async (key: string) => {
      await new Promise((r) => setTimeout(r, 5));
      if (key === 'bad' && fail) throw new Error('down');
      return key;
    }, (key) => key);
    const [x, y] = await Promise.allSettled([read('good'), read('bad')]);
    expect(x).toEqual({ status: 'fulfilled', value: 'good' });
    expect(y.status).toBe('rejected');
    fail = false;
    expect(await read('bad')).toBe('bad');
  });
});
