import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChartSpec } from '../presentation/chart-types.js';
import { createHarness, type Harness, type TestUser } from '../../test/harness.js';
import type { Reply } from '../reply.js';
import { labelColor } from '../../workers/charts/palette.js';

/** Issue 13: every figure a user sees is right (items 1–7, 11, 12 in chat, and the rough edges). */
let h: Harness;
const specs: ChartSpec[] = [];
let n = 0;
/** A new person with a private book of their own, so tests never see each other's records. */
const someone = (): TestUser => ({ id: `fig-${++n}`, name: `Person ${n}` });
const textOf = (rs: Reply[]) => rs.map((r) => [r.text, r.pre].filter(Boolean).join('\n')).join('\n');
const lastSpec = <K extends ChartSpec['kind']>(kind: K) => specs.filter((s) => s.kind === kind).at(-1) as Extract<ChartSpec, { kind: K }>;

beforeAll(async () => {
  h = await createHarness({
    now: '2026-11-24T12:00:00Z',
    extend: (s) => {
      // The spec each chart would draw; no image, so replies also carry the text fallback.
      s.renderChart = async (spec) => {
        specs.push(spec);
        return undefined;
      };
    },
  });
});
afterAll(() => h?.close());

describe('item 1: an ambiguous amount is asked about, not guessed', () => {
  it('GIVEN 4.505 coffee in EUR THEN a question with both readings as buttons, nothing recorded until one is pressed', async () => {
    const ann = someone();
    const [ask] = await h.replies(ann, '4.505 coffee');
    expect(ask!.text).toContain('4,505.00 EUR');
    expect(ask!.text).toContain('4.51 EUR');
    expect(ask!.text).toContain('4505.00 or 4.51');
    const buttons = ask!.buttons!.flat();
    expect(buttons.map((b) => b.label)).toEqual(['4,505.00 EUR', '4.51 EUR']);
    expect(await h.say(ann, '/history')).toBe('No records yet.');
    const chosen = await h.press(ann, buttons[1]!.action);
    expect(textOf(chosen.replies)).toContain('#1 −4.51 EUR');
    expect(await h.say(ann, '/history')).toContain('4.51');
    // A second press of the same question records nothing more.
    await h.press(ann, buttons[0]!.action);
    expect(await h.say(ann, '/accounts')).toContain('−4.51 EUR');
  });

  it('GIVEN /spend 1.500 #taxi and the thousands reading THEN 1,500.00 is recorded with its label', async () => {
    const ann = someone();
    const [ask] = await h.replies(ann, '/spend 1.500 #taxi');
    const first = ask!.buttons!.flat()[0]!;
    expect(first.label).toBe('1,500.00 EUR');
    expect(textOf((await h.press(ann, first.action)).replies)).toMatch(/#1 −1,500\.00 EUR · #taxi/);
  });

  it('GIVEN /budget #food 1.500 THEN the refusal names both plain spellings and nothing is set', async () => {
    const ann = someone();
    expect(await h.say(ann, '/budget #food 1.500')).toContain('write it plainly: 1500.00 or 1.50');
    expect(await h.say(ann, '/budgets')).toContain('No budgets yet');
  });

  it('GIVEN /template add with an ambiguous amount THEN it is refused; a template saved before keeps the thousands reading', async () => {
    const ann = someone();
    expect(await h.say(ann, '/template add monthly:1 1.500 #rent')).toContain('write it plainly');
    const id = /Template (\d+) added/.exec(await h.say(ann, '/template add monthly:1 1500 #rent'))![1];
    await h.database.db.execute(sql`update templates set record = '1.500 #rent' where id = ${Number(id)}`);
    expect(await h.say(ann, `/template run ${id}`)).toContain('−1,500.00 EUR');
  });

  it('GIVEN someone else presses the button THEN nothing is recorded for them', async () => {
    const ann = someone();
    const bob = someone();
    const [ask] = await h.replies(ann, '4.505 tea', 'g-amb');
    await h.press(bob, ask!.buttons!.flat()[0]!.action, 'g-amb');
    expect(await h.say(ann, '/history', 'g-amb')).toBe('No records yet.');
  });
});

describe('item 2: chart totals are the text totals', () => {
  it('GIVEN a record with two labels THEN the pie total is the /stats expenses and the chart says shares overlap', async () => {
    const ann = someone();
    await h.say(ann, '1234.50 #travel #holiday');
    await h.say(ann, '892.10 #rent');
    const text = await h.say(ann, '/stats');
    expect(text).toMatch(/Expenses\s+2,126\.60/);
    const pie = lastSpec('pie');
    expect(pie.totalMinor).toBe(212_660);
    expect(pie.slices.reduce((s, x) => s + x.minor, 0)).toBe(336_110);
    expect(pie.subtitle).toContain('several labels');
    await h.say(ann, '/chart pie');
    expect(lastSpec('pie').totalMinor).toBe(212_660);
  });
});

describe('item 3: /timezone moves every template', () => {
  it('GIVEN monthly:1 at:09:00 made in UTC WHEN the zone becomes Europe/Berlin THEN the next run is 09:00 Berlin', async () => {
    const ann = someone();
    await h.say(ann, '/template add monthly:1 at:09:00 500 #rent');
    await h.say(ann, '/timezone Europe/Berlin');
    const out = await h.say(ann, '/templates');
    expect(out).toContain('2026-12-01 09:00');
  });
});

describe('item 4: budgets after /currency', () => {
  it('GIVEN spending in two currencies with a rate WHEN the book currency changes THEN the budget still counts both', async () => {
    const ann = someone();
    await h.say(ann, '50 lunch');
    await h.say(ann, '/account add Dollars USD');
    await h.say(ann, '/rate USD 0.90');
    await h.say(ann, '/budget total 100');
    await h.say(ann, '60 @Dollars dinner');
    expect(await h.say(ann, '/budgets')).toMatch(/104%\s+104\.00 \/ 100\.00 EUR/);
    await h.say(ann, '/currency usd');
    expect(await h.say(ann, '/budgets')).toMatch(/104%\s+104\.00 \/ 100\.00 EUR/);
  });

  it('GIVEN spending in a currency without a rate THEN the budget line says what was left out', async () => {
    const ann = someone();
    await h.say(ann, '50 lunch');
    await h.say(ann, '/account add Yen JPY');
    await h.say(ann, '/budget total 100');
    await h.say(ann, '1000 @Yen sushi');
    expect(await h.say(ann, '/budgets')).toMatch(/50%.*not counted: JPY/);
  });
});

describe('item 5 and 6: budgets belong to their periods', () => {
  it('GIVEN /stats last-month and year THEN the budgets of that month, and none for a year', async () => {
    const ann = someone();
    h.clock.set('2026-10-05T12:00:00Z');
    await h.say(ann, '/budget #food 100');
    await h.say(ann, '30 #food');
    h.clock.set('2026-11-24T12:00:00Z');
    await h.say(ann, '80 #food');
    expect(await h.say(ann, '/stats')).toMatch(/#food\s+\S+\s+80%\s+80\.00 \/ 100\.00 EUR/);
    expect(await h.say(ann, '/stats last-month')).toMatch(/#food\s+\S+\s+30%\s+30\.00 \/ 100\.00 EUR/);
    expect(await h.say(ann, '/stats year')).not.toContain('Budgets');
  });

  it('GIVEN a budget made in December WHEN a November record is backdated THEN no alert for November', async () => {
    const ann = someone();
    h.clock.set('2026-12-05T12:00:00Z');
    try {
      await h.say(ann, '/budget #groceries 100');
      const late = await h.replies(ann, '312.40 #groceries 2026-11-15');
      expect(late).toHaveLength(1);
      const now = await h.replies(ann, '150 #groceries');
      expect(textOf(now)).toContain('🚨');
    } finally {
      h.clock.set('2026-11-24T12:00:00Z');
    }
  });
});

describe('item 7: the balance chart never mixes currencies on one axis', () => {
  it('GIVEN a USD account with a rate and a JPY one without THEN USD is converted and JPY left out with a note', async () => {
    const ann = someone();
    await h.say(ann, '20 lunch');
    await h.say(ann, '/account add Dollars USD 100');
    await h.say(ann, '/account add Yen JPY 5000');
    await h.say(ann, '/rate USD 0.90');
    const out = await h.say(ann, '/chart balance');
    const spec = lastSpec('balance');
    expect(new Set(spec.series.map((s) => s.currency))).toEqual(new Set(['EUR']));
    expect(spec.series.find((s) => s.account === 'Dollars')!.points.at(-1)!.minor).toBe(9000);
    expect(spec.series.map((s) => s.account)).not.toContain('Yen');
    expect(spec.subtitle).toContain('USD converted');
    expect(out).toContain('Not in the chart (no exchange rate): JPY');
  });
});

describe('item 11: balances stay in the safe range', () => {
  it('GIVEN records that would overflow a BHD balance THEN the one too many is refused and the book stays readable', async () => {
    const ann = someone();
    await h.say(ann, '/account add Dinars BHD');
    for (let i = 0; i < 9; i++) expect(await h.say(ann, '/spend 999999999999.999 @Dinars')).toContain(`#${i + 1}`);
    const refused = await h.say(ann, '/spend 999999999999.999 @Dinars');
    expect(refused).toContain('Nothing was recorded');
    expect(await h.say(ann, '/accounts')).toContain('−8,999,999,999,999.991 BHD');
    expect(await h.say(ann, '/history 20')).toContain('#9');
    expect(await h.say(ann, '/stats')).not.toContain('went wrong');
  });
});

describe('item 12: dates outside 1900–2199', () => {
  it.each([
    '4.50 coffee 0000-01-01',
    '4.50 coffee 31.12.2200',
    '/stats 0001-01-01..9999-12-31',
    '/history 0001-01-01..9999-12-31',
    '/chart bars 0001',
    '/export 2026-01-01..9999-12-31',
  ])('GIVEN %s THEN a clear refusal naming the range', async (line) => {
    const ann = someone();
    const out = await h.say(ann, line);
    expect(out).toContain('1900-01-01 to 2199-12-31');
    expect(await h.say(ann, '/history')).toBe('No records yet.');
  });
});

describe('rough edges', () => {
  it('GIVEN an expense THEN every minus sign in replies is the same', async () => {
    const ann = someone();
    const out = await h.say(ann, '4.50 coffee');
    expect(out).toContain('#1 −4.50 EUR');
    expect(out).toContain('Main: −4.50 EUR');
    expect(await h.say(ann, '/accounts')).not.toMatch(/-4\.50/);
  });

  it('GIVEN one record THEN /history says "Last record"', async () => {
    const ann = someone();
    await h.say(ann, '4.50 coffee');
    expect(await h.say(ann, '/history')).toMatch(/^Last record\n/);
  });

  it('GIVEN /balance THEN the nearest command is suggested', async () => {
    expect(await h.say(someone(), '/balance')).toContain('Did you mean /balances?');
  });

  it('GIVEN /restore #N THEN a deleted record comes back', async () => {
    const ann = someone();
    await h.say(ann, '4.50 coffee');
    await h.say(ann, '/delete #1');
    expect(await h.say(ann, '/restore #1')).toContain('Restored #1');
    expect(await h.say(ann, '/accounts')).toContain('−4.50 EUR');
  });

  it('GIVEN two labels with the same home colour THEN each keeps one colour in every chart of the book', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `tag${i}`);
    const first = names[0]!;
    const twin = names.find((x) => x !== first && labelColor(x) === labelColor(first))!;
    const ann = someone();
    await h.say(ann, `/spend 10 #${first} 2026-10-05`);
    await h.say(ann, `/spend 5 #${first}`);
    await h.say(ann, `/spend 50 #${twin}`);
    await h.say(ann, '/chart pie 2026-10');
    const october = lastSpec('pie').colors!;
    await h.say(ann, '/chart pie');
    const november = lastSpec('pie').colors!;
    expect(november[first]).toBe(october[first]);
    expect(november[twin]).not.toBe(november[first]);
    expect(november[first]).toBe(labelColor(first));
  });

  it('GIVEN the members chart of a book where one person spent THEN their spending by label, with a sentence saying why', async () => {
    const ann = someone();
    await h.say(ann, '12 #food');
    await h.say(ann, '8 #fun');
    const out = await h.say(ann, '/chart members');
    expect(out).toContain(`Only ${ann.name} spent in this period (20.00 EUR)`);
    expect(lastSpec('pie').totalMinor).toBe(2000);
  });

  it('GIVEN -5 refund THEN the reply explains how to write an expense or a refund', async () => {
    const out = await h.say(someone(), '-5 refund');
    expect(out).toContain('+5 refund');
  });
});
