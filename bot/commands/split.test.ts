import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type TestUser } from '../../test/harness.js';
import { balances } from '../../domain/sharing/shared-ledger.js';
import { mulberry32 } from '../../test/seeded-random.js';


/** Fewest transfers that square `values` (sum 0), by trying every partition into zero-sum groups. */
function bruteForceMinTransfers(values: number[]): number {
  const xs = values.filter((v) => v !== 0);
  let bestGroups = 0;
  const walk = (rest: number[], groups: number) => {
    if (rest.length === 0) {
      bestGroups = Math.max(bestGroups, groups);
      return;
    }
    const [first, ...others] = rest as [number, ...number[]];
    // Every group containing `first`: pick any subset of the others to go with it.
    for (let mask = 0; mask < 1 << others.length; mask++) {
      const inGroup = others.filter((_, i) => mask & (1 << i));
      if (inGroup.reduce((s, v) => s + v, first) !== 0) continue;
      walk(others.filter((_, i) => !(mask & (1 << i))), groups + 1);
    }
  };
  walk(xs, 0);
  return xs.length - bestGroups;
}

const ann: TestUser = { id: '1', name: 'Ann', username: 'ann' };
const bob: TestUser = { id: '2', name: 'Bob', username: 'bob' };
const cy: TestUser = { id: '3', name: 'Cy Lee' };
const dee: TestUser = { id: '4', name: 'Dee' };

describe('splitting expenses and settling up', () => {
  let h: Harness;
  let g = 0;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  /** A new group where `users` have each written once (the first owns it). */
  async function group(...users: TestUser[]): Promise<string> {
    const id = `split-${++g}`;
    for (const u of users) await h.say(u, '/start', id);
    return id;
  }

  it('GIVEN three members WHEN Ann splits 100.00 equally THEN shares are 33.34/33.33/33.33 and Bob and Cy owe her', async () => {
    const id = await group(ann, bob, cy);
    const out = await h.say(ann, '/spend 100 #dinner split', id);
    expect(out).toContain('#1 −100.00 EUR');
    expect(out).toContain('Split, paid by Ann: Ann 33.34 EUR, Bob 33.33 EUR, Cy Lee 33.33 EUR');
    const bal = await h.say(bob, '/balances', id);
    expect(bal).toContain('Bob → Ann: 33.33 EUR');
    expect(bal).toContain('Cy Lee → Ann: 33.33 EUR');
    expect(bal).toMatch(/Ann\s+\+66\.66 EUR/);
  });

  it('GIVEN named members, shares and fixed amounts THEN each is split as written, totals exact', async () => {
    const id = await group(ann, bob, cy);
    expect(await h.say(ann, '/spend 30 taxi split:@bob,@me', id)).toContain('Split, paid by Ann: Bob 15.00 EUR, Ann 15.00 EUR');
    expect(await h.say(ann, '/spend 10 split:@bob*2,@cy_lee', id)).toContain('Bob 6.67 EUR, Cy Lee 3.33 EUR');
    expect(await h.say(bob, '/spend 90 #dinner split:@ann=30.50,@me,@cy', id)).toContain('Ann 30.50 EUR, Bob 29.75 EUR, Cy Lee 29.75 EUR');
  });

  it('GIVEN a viewer THEN a bare split leaves them out, naming them includes them', async () => {
    const id = await group(ann, bob, dee);
    await h.say(ann, '/role dee viewer', id);
    expect(await h.say(ann, '/spend 20 split', id)).toContain('Ann 10.00 EUR, Bob 10.00 EUR');
    expect(await h.say(ann, '/spend 20 split:@dee,@me', id)).toContain('Dee 10.00 EUR, Ann 10.00 EUR');
  });

  it('GIVEN a bad split THEN the reply says why and nothing is recorded, not even a #N', async () => {
    const id = await group(ann, bob);
    expect(await h.say(ann, '/spend 50 split:@zed', id)).toContain('There is no member “zed”');
    expect(await h.say(ann, '/spend 50 split:@bob=20,@ann=20', id)).toContain('do not add up to the total');
    expect(await h.say(ann, '/spend 50 split:@bob=60,@ann', id)).toContain('more than the total');
    expect(await h.say(ann, '/spend 50 split:@bob,,', id)).toContain('is not a split');
    expect(await h.say(ann, '/spend 50 split:@bob=1.234', id)).toContain('2 decimal places');
    expect(await h.say(ann, '/history', id)).toContain('No records yet');
    expect(await h.say(ann, '/spend 50 split:@bob', id)).toContain('#1 −50.00 EUR');
  });

  it('GIVEN a private chat THEN a bare split explains there is nobody to split with', async () => {
    expect(await h.say(dee, '/spend 12 banana split')).toContain('Nobody to split with');
    expect(await h.say(dee, '/spend 12 "banana split"')).toContain('#1 −12.00 EUR');
  });

  it('GIVEN a split expense is undone or its amount edited THEN balances follow', async () => {
    const id = await group(ann, bob);
    await h.say(ann, '/spend 40 split', id);
    expect(await h.say(ann, '/balances', id)).toContain('Bob → Ann: 20.00 EUR');
    await h.say(ann, '/edit #1 amount 60', id);
    expect(await h.say(ann, '/balances', id)).toContain('Bob → Ann: 30.00 EUR');
    await h.say(ann, '/undo', id);
    expect(await h.say(ann, '/balances', id)).toContain('No split expenses yet');
    await h.press(ann, 'restore:1', id);
    expect(await h.say(ann, '/balances', id)).toContain('Bob → Ann: 30.00 EUR');
  });

  it('GIVEN no split expenses THEN /balances says how to split one', async () => {
    const id = await group(ann, bob);
    await h.say(ann, '/spend 5 coffee', id);
    expect(await h.say(bob, '/balances', id)).toContain('No split expenses yet');
  });

  it('GIVEN Bob owes Ann THEN /settle without an amount pays exactly his debt; with one, that amount', async () => {
    const id = await group(ann, bob, cy);
    await h.say(ann, '/spend 90 split', id);
    const out = await h.say(bob, '/settle @ann', id);
    expect(out).toContain('Bob paid Ann 30.00 EUR.');
    expect(out).toContain('You are square in EUR.');
    expect(await h.say(cy, '/settle "Ann" 10', id)).toContain('You still owe 20.00 EUR.');
    const bal = await h.say(ann, '/balances', id);
    expect(bal).toContain('Cy Lee → Ann: 20.00 EUR');
    expect(bal).not.toContain('Bob →');
    expect(await h.say(bob, '/settle ann', id)).toContain('You do not owe Ann anything');
    expect(await h.say(bob, '/settle bob', id)).toContain('cannot settle up with yourself');
    expect(await h.say(bob, '/settle', id)).toContain('Usage: /settle');
    // A name with a space needs no quotes: the longest run of words naming a member wins.
    expect(await h.say(ann, '/settle Cy Lee 1', id)).toContain('Ann paid Cy Lee 1.00 EUR.');
    expect(await h.say(ann, '/balances', id)).toContain('Cy Lee → Ann: 21.00 EUR');
  });

  it('GIVEN debts in two currencies THEN balances are per currency and /settle pays both', async () => {
    const id = await group(ann, bob);
    await h.say(ann, '/spend 40 split', id);
    await h.say(ann, '/account add Dollars USD', id);
    await h.say(ann, '/spend 10 usd split', id);
    const bal = await h.say(ann, '/balances', id);
    expect(bal).toContain('Balances in EUR');
    expect(bal).toContain('Bob → Ann: 20.00 EUR');
    expect(bal).toContain('Bob → Ann: 5.00 USD');
    const [reply] = await h.replies(bob, '/settle ann', id);
    expect(reply!.text).toContain('Bob paid Ann 20.00 EUR.');
    expect(reply!.text).toContain('Bob paid Ann 5.00 USD.');
    expect(reply!.buttons![0]!.map((b) => b.label)).toEqual(['Undo EUR', 'Undo USD']);
    expect(await h.say(ann, '/balances', id)).not.toContain('→');
  });

  it('GIVEN a settlement THEN its author can take it back with the button; another member cannot', async () => {
    const id = await group(ann, bob, cy);
    await h.say(ann, '/spend 60 split', id);
    const [reply] = await h.replies(bob, '/settle ann', id);
    const action = reply!.buttons![0]![0]!.action;
    const denied = await h.press(cy, action, id);
    expect(denied.replies[0]!.text).toContain('only change your own');
    const undone = await h.press(bob, action, id);
    expect(undone.replaces).toBe(true);
    expect(undone.replies[0]!.text).toBe('Taken back: Bob paid Ann 20.00 EUR.');
    expect(await h.say(ann, '/balances', id)).toContain('Bob → Ann: 20.00 EUR');
  });

  it('GIVEN random groups, splits and payments THEN shares round by at most one unit, totals are exact, the plan is as short as brute force finds and paying it squares everyone', async () => {
    const rnd = mulberry32(2026);
    const int = (n: number) => Math.floor(rnd() * n);
    for (let c = 0; c < 12; c++) {
      const people: TestUser[] = Array.from({ length: 2 + int(4) }, (_, i) => ({ id: `r${c}-${i}`, name: `P${c}x${i}`, username: `p${c}x${i}` }));
      const id = await group(...people);
      const ctx = await h.dispatcher.context({
        chat: { platform: 'telegram', chatId: id, kind: 'group', title: id },
        from: { platform: 'telegram', externalId: people[0]!.id, name: people[0]!.name },
        platformAdmin: false,
      });
      for (let k = 0, m = 2 + int(5); k < m; k++) {
        const payer = people[int(people.length)]!;
        const sharers = people.filter(() => rnd() < 0.7);
        if (sharers.length === 0 || (sharers.length === 1 && sharers[0] === payer)) sharers.push(people.find((p) => p !== payer)!);
        const weights = sharers.map(() => 1 + int(3));
        const useWeights = rnd() < 0.5;
        const total = 1 + int(20_000);
        const token = `split:${sharers.map((s, i) => `@${s.username}${useWeights ? `*${weights[i]}` : ''}`).join(',')}`;
        const amount = `${Math.floor(total / 100)}.${String(total % 100).padStart(2, '0')}`;
        expect(await h.say(payer, `/spend ${amount} ${token}`, id)).toContain('Split, paid by');

        const ev = (await h.services.store.sharedEvents(ctx.actor.book.id)).at(-1)!;
        expect(ev.amountMinor).toBe(total);
        expect(ev.shares.reduce((s, x) => s + x.minor, 0)).toBe(total);
        const w = useWeights ? weights : sharers.map(() => 1);
        const sumW = w.reduce((s, x) => s + x, 0);
        const profiles = await h.services.store.listMemberProfiles(ctx.actor.book.id);
        sharers.forEach((s, i) => {
          const uid = profiles.find((p) => p.handles[0]?.username === s.username)!.userId;
          const share = ev.shares.find((x) => x.userId === uid)!.minor;
          // Exact share total*w/sumW, compared without floats: |share*sumW - total*w| < sumW.
          expect(Math.abs(share * sumW - total * w[i]!), `${s.name} ${token} ${amount}`).toBeLessThan(sumW);
        });
      }

      const before = await balances(ctx.actor);
      const [eur] = before;
      expect(eur!.net.reduce((s, n) => s + n.minor, 0)).toBe(0);
      expect(eur!.transfers.length).toBe(bruteForceMinTransfers(eur!.net.map((n) => n.minor)));
      for (const t of eur!.transfers) {
        const from = people.find((p) => p.name === t.from.name)!;
        const decimal = `${Math.floor(t.minor / 100)}.${String(t.minor % 100).padStart(2, '0')}`;
        expect(await h.say(from, `/settle @${t.to.handles[0]!.username} ${decimal}`, id)).toContain('paid');
      }
      expect(await h.say(people[0]!, '/balances', id)).toContain('Everyone is square');
    }
  });
});

describe('a split whose shares cannot be stored', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({
      extend: (services) => {
        services.store = { ...services.store, saveShares: () => Promise.reject(new Error('disk full')) };
      },
    });
  });
  afterAll(async () => h?.close());

  it('GIVEN storing the shares fails THEN the expense is taken back, not left counted as the payer’s alone', async () => {
    await h.say(ann, '/start', 'broken');
    await h.say(bob, '/start', 'broken');
    expect(await h.say(ann, '/spend 40 split', 'broken')).toContain('Sorry, something went wrong on my side');
    expect(await h.say(ann, '/history', 'broken')).toContain('No records yet');
    // The whole update is one transaction: even the account its first record made is not kept.
    expect(await h.say(ann, '/accounts', 'broken')).not.toContain('40.00');
  });
});
