import { describe, expect, it } from 'vitest';
import { createHoldGroup } from './hold-group.js';

/** A hold that takes its time, as an INSERT and its commit do, and remembers each group. */
function slowStore(failWhen: (group: number[]) => boolean = () => false) {
  const groups: number[][] = [];
  const held: number[] = [];
  const hold = async (items: number[]) => {
    groups.push(items);
    await new Promise((r) => setTimeout(r, 5));
    if (failWhen(items)) throw new Error('database went away');
    held.push(...items);
  };
  return { groups, held, hold };
}

describe('group commit of holds', () => {
  it('GIVEN one update at a time THEN each is held alone and at once', async () => {
    const s = slowStore();
    const g = createHoldGroup(s.hold);
    for (let i = 1; i <= 3; i++) await g.hold(i);
    expect(s.groups).toEqual([[1], [2], [3]]);
  });

  it('GIVEN updates arriving while one is being held THEN they are held together next, in arrival order, each caller told once its own is held', async () => {
    const s = slowStore();
    const g = createHoldGroup(s.hold);
    const settled: number[] = [];
    const all = Array.from({ length: 30 }, (_, i) => g.hold(i).then(() => settled.push(i)));
    await Promise.all(all);
    expect(s.groups).toEqual([[0], Array.from({ length: 29 }, (_, i) => i + 1)]);
    expect(settled.sort((a, b) => a - b)).toEqual(s.held.sort((a, b) => a - b));
  });

  it('GIVEN more waiting than a group takes THEN they go in groups of at most that many', async () => {
    const s = slowStore();
    const g = createHoldGroup(s.hold, { max: 10 });
    await Promise.all(Array.from({ length: 25 }, (_, i) => g.hold(i)));
    expect(s.groups.map((x) => x.length)).toEqual([1, 10, 10, 4]);
  });

  it('GIVEN a group the database refuses THEN every caller in it is refused (Telegram resends) and the next group is held', async () => {
    const s = slowStore((group) => group.includes(3));
    const g = createHoldGroup(s.hold);
    const first = g.hold(1);
    const results = await Promise.allSettled([2, 3, 4].map((i) => g.hold(i)));
    await first;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await g.hold(5);
    expect(s.held).toEqual([1, 5]);
  });
});
