import { describe, it, expect } from 'vitest';
import { DomainError } from '../errors.js';
import { formatMoney } from '../money/money.js';
import { parseSplitToken, splitAmount, splitSpecFrom, type SplitSpec } from './split.js';
import { mulberry32 } from '../../test/seeded-random.js';
import { domainError as catchDomain } from '../../test/domain-error.js';



const minors = (parts: { minor: number }[]) => parts.map((p) => p.minor);
const equal = (...members: string[]): SplitSpec => ({ mode: 'equal', members });

describe('parseSplitToken', () => {
  it('GIVEN a bare `split` THEN splits among everyone', () => {
    expect(parseSplitToken('split')).toEqual({ mode: 'equal', entries: [] });
    expect(parseSplitToken('Split')).toEqual({ mode: 'equal', entries: [] });
  });

  it('GIVEN a word that is not a split token THEN returns undefined', () => {
    for (const t of ['#dinner', '90', 'splitter', 'splits:@a', '@a']) expect(parseSplitToken(t)).toBeUndefined();
  });

  it('GIVEN named members THEN lists them without the @', () => {
    expect(parseSplitToken('split:@anna,@bob_99,@c.d')).toEqual({
      mode: 'list',
      entries: [{ name: 'anna' }, { name: 'bob_99' }, { name: 'c.d' }],
    });
  });

  it('GIVEN Discord mentions THEN keeps them recognisable as ids', () => {
    expect(parseSplitToken('split:<@123>,<@!456>')?.entries).toEqual([{ name: '<@123>' }, { name: '<@456>' }]);
  });

  it('GIVEN shares with `*N` THEN unmarked members get weight 1', () => {
    expect(parseSplitToken('split:@a*2,@b,@c*3')?.entries).toEqual([
      { name: 'a', weight: 2 },
      { name: 'b', weight: 1 },
      { name: 'c', weight: 3 },
    ]);
  });

  it('GIVEN explicit amounts THEN keeps the decimal text and leaves the rest open', () => {
    expect(parseSplitToken('split:@a=30.50,@b,@c=5')?.entries).toEqual([{ name: 'a', minor: '30.50' }, { name: 'b' }, { name: 'c', minor: '5' }]);
  });

  it.each([
    'split:',
    'split:@a,',
    'split:,@a',
    'split:a,b',
    'split:@',
    'split:@a b',
    'split:@a*0',
    'split:@a*-1',
    'split:@a*1.5',
    'split:@a*',
    'split:@a=',
    'split:@a=1.2.3',
    'split:@a=-5',
    'split:@a=30,50',
    'split:@a*2,@b=3',
    'split:@a,@A',
    'split:@a=1,@a',
  ])('GIVEN malformed %s THEN throws split_invalid naming the token', (token) => {
    const e = catchDomain(() => parseSplitToken(token));
    expect(e.code).toBe('split_invalid');
    expect(e.context.split).toBe(token);
  });
});

describe('splitAmount', () => {
  it('GIVEN 90.00 among 3 THEN 30.00 each', () => {
    expect(splitAmount(9000, equal('a', 'b', 'c'))).toEqual([
      { member: 'a', minor: 3000 },
      { member: 'b', minor: 3000 },
      { member: 'c', minor: 3000 },
    ]);
  });

  it('GIVEN 100.00 among 3 THEN the extra cent goes to the first member as given', () => {
    expect(minors(splitAmount(10000, equal('a', 'b', 'c')))).toEqual([3334, 3333, 3333]);
    expect(splitAmount(10000, equal('c', 'a', 'b'))[0]).toEqual({ member: 'c', minor: 3334 });
    expect(minors(splitAmount(200, equal('a', 'b', 'c')))).toEqual([67, 67, 66]);
  });

  it('GIVEN a zero-decimal currency (JPY) THEN splits whole yen', () => {
    const parts = splitAmount(1000, equal('a', 'b', 'c'));
    expect(parts.map((p) => formatMoney(p.minor, 'JPY'))).toEqual(['334 JPY', '333 JPY', '333 JPY']);
  });

  it('GIVEN a three-decimal currency (BHD) THEN splits to the fils', () => {
    const parts = splitAmount(10000, equal('a', 'b', 'c'));
    expect(parts.map((p) => formatMoney(p.minor, 'BHD'))).toEqual(['3.334 BHD', '3.333 BHD', '3.333 BHD']);
  });

  it('GIVEN fewer minor units than members THEN the first ones pay 1 and the rest 0', () => {
    expect(minors(splitAmount(2, equal('a', 'b', 'c')))).toEqual([1, 1, 0]);
    expect(minors(splitAmount(0, equal('a', 'b')))).toEqual([0, 0]);
  });

  it('GIVEN a refund (negative total) THEN it mirrors the expense split', () => {
    expect(minors(splitAmount(-10000, equal('a', 'b', 'c')))).toEqual([-3334, -3333, -3333]);
  });

  it('GIVEN shares 2:1 THEN pays proportionally', () => {
    expect(minors(splitAmount(9000, { mode: 'shares', shares: [{ member: 'a', weight: 2 }, { member: 'b', weight: 1 }] }))).toEqual([6000, 3000]);
  });

  it('GIVEN shares that do not divide evenly THEN the extra unit goes to the largest remainder, not the first member', () => {
    // 100 * 1/3 = 33.33…, 100 * 2/3 = 66.66…: b's fraction is larger, so b rounds up.
    expect(minors(splitAmount(100, { mode: 'shares', shares: [{ member: 'a', weight: 1 }, { member: 'b', weight: 2 }] }))).toEqual([33, 67]);
  });

  it('GIVEN huge amounts with weights THEN stays exact past 2^53 intermediate products', () => {
    const total = 1_000_000_000_000_000; // 10^12 major units with 3 decimals
    const parts = splitAmount(total, { mode: 'shares', shares: [{ member: 'a', weight: 7 }, { member: 'b', weight: 3 }, { member: 'c', weight: 1 }] });
    expect(parts.reduce((s, p) => s + p.minor, 0)).toBe(total);
    expect(minors(parts)).toEqual([636_363_636_363_636, 272_727_272_727_273, 90_909_090_909_091]);
  });

  it('GIVEN 90.00 with a=30.50 THEN b and c split the remaining 59.50', () => {
    const spec: SplitSpec = { mode: 'amounts', amounts: [{ member: 'a', minor: 3050 }, { member: 'b' }, { member: 'c' }] };
    expect(minors(splitAmount(9000, spec))).toEqual([3050, 2975, 2975]);
  });

  it('GIVEN explicit amounts with an uneven rest THEN the rest is spread by order among the open members', () => {
    const spec: SplitSpec = { mode: 'amounts', amounts: [{ member: 'a' }, { member: 'b', minor: 5000 }, { member: 'c' }, { member: 'd' }] };
    expect(minors(splitAmount(10000, spec))).toEqual([1667, 5000, 1667, 1666]);
  });

  it('GIVEN every member has an amount that adds up THEN uses them as they are', () => {
    const spec: SplitSpec = { mode: 'amounts', amounts: [{ member: 'a', minor: 3050 }, { member: 'b', minor: 5950 }] };
    expect(minors(splitAmount(9000, spec))).toEqual([3050, 5950]);
  });

  it('GIVEN explicit amounts that take the whole total THEN open members owe nothing', () => {
    const spec: SplitSpec = { mode: 'amounts', amounts: [{ member: 'a', minor: 9000 }, { member: 'b' }] };
    expect(minors(splitAmount(9000, spec))).toEqual([9000, 0]);
  });

  it('GIVEN a refund with explicit amounts THEN amounts carry the refund sign', () => {
    const spec: SplitSpec = { mode: 'amounts', amounts: [{ member: 'a', minor: -1000 }, { member: 'b' }, { member: 'c' }] };
    expect(minors(splitAmount(-9001, spec))).toEqual([-1000, -4001, -4000]);
  });

  it.each<[string, number, SplitSpec, string]>([
    ['nobody to split among', 100, equal(), 'empty'],
    ['nobody with shares', 100, { mode: 'shares', shares: [] }, 'empty'],
    ['a member twice', 100, equal('a', 'b', 'a'), 'duplicate'],
    ['a member twice among amounts', 100, { mode: 'amounts', amounts: [{ member: 'a', minor: 10 }, { member: 'a' }] }, 'duplicate'],
    ['a zero weight', 100, { mode: 'shares', shares: [{ member: 'a', weight: 0 }, { member: 'b', weight: 1 }] }, 'weight'],
    ['a fractional weight', 100, { mode: 'shares', shares: [{ member: 'a', weight: 1.5 }] }, 'weight'],
    ['a negative amount', 100, { mode: 'amounts', amounts: [{ member: 'a', minor: -10 }, { member: 'b' }] }, 'amount'],
    ['a fractional amount', 100, { mode: 'amounts', amounts: [{ member: 'a', minor: 10.5 }, { member: 'b' }] }, 'amount'],
    ['amounts above the total', 9000, { mode: 'amounts', amounts: [{ member: 'a', minor: 5000 }, { member: 'b', minor: 4001 }, { member: 'c' }] }, 'exceeds_total'],
    ['amounts short of the total', 9000, { mode: 'amounts', amounts: [{ member: 'a', minor: 5000 }, { member: 'b', minor: 3999 }] }, 'mismatch'],
  ])('GIVEN %s THEN throws split_invalid', (_, total, spec, reason) => {
    const e = catchDomain(() => splitAmount(total, spec));
    expect(e.code).toBe('split_invalid');
    expect(e.context.reason).toBe(reason);
  });

  it('GIVEN 500 random splits THEN each sums exactly and rounding never moves a share by a whole unit', () => {
    const rnd = mulberry32(20240611);
    const int = (n: number) => Math.floor(rnd() * n);
    const seen = { equal: 0, shares: 0, amounts: 0 };
    for (let c = 0; c < 500; c++) {
      const total = rnd() < 0.1 ? int(1e15) : int(1e7);
      const n = 1 + int(12);
      const members = Array.from({ length: n }, (_, i) => `m${i}`);
      const kind = (['equal', 'shares', 'amounts'] as const)[int(3)]!;
      seen[kind]++;
      const ctx = { c, total, kind, n };

      if (kind === 'equal') {
        const parts = minors(splitAmount(total, equal(...members)));
        expect(parts.reduce((s, x) => s + x, 0), JSON.stringify(ctx)).toBe(total);
        expect(Math.max(...parts) - Math.min(...parts), JSON.stringify(ctx)).toBeLessThanOrEqual(1);
        // Remainder goes to the front: shares never increase along the member order.
        for (let i = 1; i < n; i++) expect(parts[i]).toBeLessThanOrEqual(parts[i - 1]!);
      } else if (kind === 'shares') {
        const weights = members.map(() => 1 + int(9));
        const parts = minors(splitAmount(total, { mode: 'shares', shares: members.map((member, i) => ({ member, weight: weights[i]! })) }));
        expect(parts.reduce((s, x) => s + x, 0), JSON.stringify(ctx)).toBe(total);
        const W = BigInt(weights.reduce((s, w) => s + w, 0));
        parts.forEach((p, i) => {
          // |p - total*w/W| < 1, compared exactly in integers.
          const diff = BigInt(p) * W - BigInt(total) * BigInt(weights[i]!);
          expect(diff < W && diff > -W, JSON.stringify({ ...ctx, i })).toBe(true);
        });
      } else {
        const fixed = members.map(() => rnd() < 0.4);
        let left = total;
        const amounts = members.map((member, i) => {
          if (!fixed[i]) return { member };
          const minor = int(left + 1);
          left -= minor;
          return { member, minor };
        });
        if (!fixed.some((f) => !f)) amounts[n - 1] = { member: members[n - 1]!, minor: (amounts[n - 1]!.minor ?? 0) + left };
        const parts = minors(splitAmount(total, { mode: 'amounts', amounts }));
        expect(parts.reduce((s, x) => s + x, 0), JSON.stringify(ctx)).toBe(total);
        amounts.forEach((a, i) => a.minor !== undefined && expect(parts[i]).toBe(a.minor));
        const open = parts.filter((_, i) => amounts[i]!.minor === undefined);
        if (open.length) expect(Math.max(...open) - Math.min(...open)).toBeLessThanOrEqual(1);
      }
    }
    expect(Math.min(seen.equal, seen.shares, seen.amounts)).toBeGreaterThan(100);
  });
});

describe('splitSpecFrom', () => {
  const ids: Record<string, string> = { anna: '1', bob: '2', '<@3>': '3' };
  const deps = {
    everyone: ['1', '2', '3'],
    resolve: (name: string) => {
      const id = ids[name];
      if (!id) throw new DomainError('member_unknown', { member: name });
      return id;
    },
    toMinor: (text: string) => Number(text.replace('.', '')), // test stand-in for the EUR amount parser
  };
  const spec = (token: string) => splitSpecFrom(parseSplitToken(token)!, deps);

  it('GIVEN `split` THEN splits equally among every member', () => {
    expect(splitAmount(9000, spec('split'))).toEqual([
      { member: '1', minor: 3000 },
      { member: '2', minor: 3000 },
      { member: '3', minor: 3000 },
    ]);
  });

  it('GIVEN named members THEN only they share', () => {
    expect(spec('split:@bob,<@3>')).toEqual({ mode: 'equal', members: ['2', '3'] });
  });

  it('GIVEN shares THEN builds a shares spec with resolved ids', () => {
    expect(splitAmount(9000, spec('split:@anna*2,@bob'))).toEqual([
      { member: '1', minor: 6000 },
      { member: '2', minor: 3000 },
    ]);
  });

  it('GIVEN an explicit amount THEN the others split the rest', () => {
    expect(minors(splitAmount(9000, spec('split:@anna=30.50,@bob,<@3>')))).toEqual([3050, 2975, 2975]);
  });

  it('GIVEN an unknown name THEN the resolver error reaches the caller', () => {
    expect(catchDomain(() => spec('split:@zed')).code).toBe('member_unknown');
  });
});
