import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../bot/reply.js';
import type { ChartSpec } from '../bot/presentation/chart-types.js';
import { createApiKit, type ApiKit } from './api-kit.js';
import type { TestUser } from './harness.js';

/**
 * Issue 13, "Proof": properties over random books. Runs are few and books small so the whole file
 * stays within seconds; fast-check prints the seed and the shrunk case of any failure.
 */
let k: ApiKit;
const specs: ChartSpec[] = [];
let n = 0;
const someone = (): TestUser => ({ id: `prop-${++n}`, name: `P${n}` });
const textOf = (rs: Reply[]) => rs.map((r) => [r.text, r.pre].filter(Boolean).join('\n')).join('\n');

beforeAll(async () => {
  k = await createApiKit({
    renderChart: async (spec) => {
      specs.push(spec);
      return undefined;
    },
  });
  k.h.services.renderChart = async (spec) => {
    specs.push(spec);
    return undefined;
  };
});
afterAll(async () => k?.close());

/** `1234.56` from cents, written the way the export and the API write amounts. */
const decimal = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
/** `12,345.67` → 1234567 (English replies). */
const cents = (text: string) => Number(text.replace(/[,.]/g, ''));

const entry = fc.record({
  income: fc.boolean(),
  cents: fc.integer({ min: 1, max: 5_000_000 }),
  labels: fc.subarray(['food', 'rent', 'fun'], { minLength: 0, maxLength: 3 }),
  day: fc.integer({ min: 1, max: 30 }),
});

describe('chart totals = text totals = sum of events', () => {
  it('GIVEN any book of expenses and incomes with overlapping labels THEN /stats, the pie total and the bars agree with the records', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
        const u = someone();
        for (const e of entries) {
          const line = `${decimal(e.cents)} ${e.labels.map((l) => `#${l}`).join(' ')} 2026-11-${String(e.day).padStart(2, '0')}`;
          await k.h.say(u, e.income ? `/income ${line}` : `/spend ${line}`);
        }
        const spent = entries.filter((e) => !e.income).reduce((s, e) => s + e.cents, 0);
        const earned = entries.filter((e) => e.income).reduce((s, e) => s + e.cents, 0);
        const stats = textOf(await k.h.replies(u, '/stats 2026-11'));
        const shown = (word: string) => cents(new RegExp(`${word}\\s+([\\d,]+\\.\\d\\d)`).exec(stats)?.[1] ?? '0');
        expect(shown('Expenses')).toBe(spent);
        expect(shown('Income')).toBe(earned);
        if (spent > 0) expect((specs.at(-1) as Extract<ChartSpec, { kind: 'pie' }>).totalMinor).toBe(spent);
        await k.h.say(u, '/chart bars 2026-11');
        const bars = specs.at(-1) as Extract<ChartSpec, { kind: 'bars' }>;
        expect(bars.months.reduce((s, m) => s + m.expenseMinor, 0)).toBe(spent);
        expect(bars.months.reduce((s, m) => s + m.incomeMinor, 0)).toBe(earned);
      }),
      { numRuns: 12 },
    );
  });
});

describe('export → import round-trips', () => {
  it('GIVEN any book with deletions THEN its export imports into itself as nothing and into a new book as the same export', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 3 }), async (entries, deletions) => {
        const u = someone();
        const book = `rt-${n}`;
        for (const e of entries) {
          const line = `${decimal(e.cents)} ${e.labels.map((l) => `#${l}`).join(' ')} 2026-11-${String(e.day).padStart(2, '0')} note ${e.day}`;
          await k.h.say(u, e.income ? `/income ${line}` : `/spend ${line}`, book);
        }
        const file = (await k.h.replies(u, '/export all', book)).find((r) => r.file)!.file!.content;
        for (const d of deletions) await k.h.say(u, `/delete #${(d % entries.length) + 1}`, book);
        const before = await k.h.say(u, '/history 100', book);
        const token = await k.tokenFor(u);
        const same = await k.req('POST', `/books/${await k.bookId(book)}/import`, { token, body: file.toString('utf8') });
        expect(same.body).toMatchObject({ created: 0 });
        expect(await k.h.say(u, '/history 100', book)).toBe(before);
        await k.h.say(u, '/start', `${book}-copy`);
        const copy = await k.req('POST', `/books/${await k.bookId(`${book}-copy`)}/import`, { token, body: file.toString('utf8') });
        expect(copy.body).toMatchObject({ created: entries.length });
        const again = (await k.h.replies(u, '/export all', `${book}-copy`)).find((r) => r.file)!.file!.content;
        expect(again.toString('utf8')).toBe(file.toString('utf8'));
      }),
      { numRuns: 8 },
    );
  });
});

describe('balances never leave the safe range', () => {
  it('GIVEN any run of huge records THEN each is either recorded with a safe balance or refused with nothing changed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            // Mostly one direction and mostly near the largest amount, so runs reach the bound.
            income: fc.constantFrom(false, false, false, true),
            major: fc.oneof(fc.constant(999_999_999_999n), fc.bigInt({ min: 1n, max: 999_999_999_999n })),
            fils: fc.integer({ min: 0, max: 999 }),
          }),
          { minLength: 8, maxLength: 14 },
        ),
        async (ops) => {
          const u = someone();
          await k.h.say(u, '/account add Dinars BHD');
          for (const op of ops) {
            const before = await k.h.say(u, '/accounts');
            const amount = `${op.major}.${String(op.fils).padStart(3, '0')}`;
            const out = await k.h.say(u, `${op.income ? '/income' : '/spend'} ${amount} @Dinars`);
            const after = await k.h.say(u, '/accounts');
            expect(out).not.toContain('went wrong');
            if (out.includes('Nothing was recorded')) expect(after).toBe(before);
            const balance = /Dinars\s+(≈?−?[\d,]+\.\d{3}) BHD/.exec(after)![1]!;
            expect(balance.startsWith('≈')).toBe(false);
            expect(Math.abs(Number(balance.replace(/[,−]/g, '')))).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER / 1000);
          }
        },
      ),
      { numRuns: 6 },
    );
  });
});

describe('any date string gets a reply or a 4xx, never a 500', () => {
  const dateLike = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
    fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99999 })).map(([d, m, y]) => `${d}.${m}.${y}`),
  );

  it('GIVEN random date words in chat and in the API THEN every answer is a reply or a 4xx', async () => {
    const u = someone();
    await k.h.say(u, '4.50 coffee');
    const token = await k.tokenFor(u);
    const book = await k.bookId(`p-${u.id}`);
    await fc.assert(
      fc.asyncProperty(dateLike, dateLike, async (a, b) => {
        for (const line of [`4.50 coffee ${a}`, `/stats ${a}`, `/history ${a}`, `/stats ${a}..${b}`, `/export ${a}..${b}`, `/chart bars ${a}`]) {
          const out = await k.h.say(u, line);
          expect([line, out.includes('went wrong')]).toEqual([line, false]);
        }
        const q = (s: string) => encodeURIComponent(s);
        for (const path of [`events?from=${q(a)}`, `events?from=${q(a)}&to=${q(b)}`, `stats?period=${q(`${a}..${b}`)}`, `export.csv?period=${q(a)}`]) {
          const r = await k.req('GET', `/books/${book}/${path}`, { token });
          expect([path, r.status < 500]).toEqual([path, true]);
        }
        const r = await k.req('POST', `/books/${book}/events`, { token, json: { amount: '1', date: a } });
        expect([a, r.status < 500]).toEqual([a, true]);
      }),
      { numRuns: 40 },
    );
  });
});
