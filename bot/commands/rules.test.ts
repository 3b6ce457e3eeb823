import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type TestUser } from '../../test/harness.js';

const ANN: TestUser = { id: '7101', name: 'Ann', username: 'ann' };
const BOB: TestUser = { id: '7102', name: 'Bob', username: 'bob' };
const RUS: TestUser = { id: '7103', name: 'Иван', locale: 'ru' };

describe.each(['postgres', 'pglite'] as const)('rules in chat on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ engine });
  });
  afterAll(async () => h?.close());

  it('GIVEN /rule add THEN /rules lists it and a quick entry without a label gets its label and account', async () => {
    await h.say(ANN, '/account add Main');
    await h.say(ANN, '/account add Card');
    expect(await h.say(ANN, '/rules')).toMatch(/No rules yet/);
    expect(await h.say(ANN, '/rule add lidl #groceries @card weekly shop')).toBe(
      'Added rule 1: “lidl” → #groceries @Card “weekly shop”. It labels new records without a label (by their note), templates and statement rows (by payee and memo).',
    );
    expect(await h.say(ANN, '/rule add uber* #taxi')).toMatch(/^Added rule 2: “uber\*” → #taxi\./);
    const list = await h.say(ANN, '/rules');
    expect(list).toMatch(/^Rules \(2\)\. When several match, the longest pattern wins, then the first added:/);
    expect(list).toMatch(/1 +lidl +#groceries +@Card +weekly shop/);
    expect(list).toMatch(/2 +uber\* +#taxi/);

    // No label typed: the rule labels it and picks its account; the typed note stays.
    expect(await h.say(ANN, '23.40 LIDL Berlin')).toMatch(/^#1 −23\.40 EUR · #groceries @Card · LIDL Berlin · labelled by rule 1\n/);
    expect(await h.say(ANN, '12 UberEats dinner')).toMatch(/^#2 −12\.00 EUR · #taxi @Main · UberEats dinner · labelled by rule 2\n/);
    // A label typed wins; an @account typed stays; a note no rule matches stays unlabelled.
    expect(await h.say(ANN, '5 #snacks lidl')).toMatch(/^#3 −5\.00 EUR · #snacks @Main · lidl\n/);
    expect(await h.say(ANN, '6 @Main lidl')).toMatch(/^#4 −6\.00 EUR · #groceries @Main · lidl · labelled by rule 1\n/);
    expect(await h.say(ANN, '7 bakery')).toMatch(/^#5 −7\.00 EUR · @Main · bakery\n/);
    expect(await h.say(ANN, '/spend 8 Lidl.de order')).toMatch(/#6 −8\.00 EUR · #groceries @Card · Lidl\.de order · labelled by rule 1/);
    expect(await h.say(ANN, '/history 1')).toMatch(/#groceries/);
  });

  it('GIVEN bad input THEN a clear message and nothing changes', async () => {
    const before = await h.say(ANN, '/rules');
    expect(await h.say(ANN, '/rule add /lidl|aldi/ #groceries')).toBe(
      '“/lidl|aldi/” cannot be a rule pattern: regular expressions are not supported — use words and * (for example amzn* or uber *eats). Nothing changed.',
    );
    expect(await h.say(ANN, '/rule add * #x')).toBe('“*” cannot be a rule pattern: it needs at least one letter or digit. Nothing changed.');
    expect(await h.say(ANN, '/rule add LIDL #food')).toBe('“LIDL” cannot be a rule pattern: rule 1 has this pattern already. Nothing changed.');
    expect(await h.say(ANN, '/rule add aldi #groceries @nowhere')).toMatch(/nowhere/);
    expect(await h.say(ANN, '/rule add aldi')).toMatch(/^Usage: \/rule add <pattern> #label/);
    expect(await h.say(ANN, '/rule add #groceries')).toMatch(/^Usage: \/rule add/);
    expect(await h.say(ANN, '/rule add aldi #a #b')).toMatch(/^Usage: \/rule add/);
    expect(await h.say(ANN, '/rule add aldi #bad!label')).toMatch(/cannot be a label/);
    expect(await h.say(ANN, '/rule delete 99')).toBe('There is no rule 99. /rules lists them.');
    expect(await h.say(ANN, '/rule delete one')).toMatch(/^Usage: \/rule delete <N>/);
    expect(await h.say(ANN, '/rules')).toBe(before);
  });

  it('GIVEN /rule delete N THEN the rule stops labelling, numbers are kept, records keep their labels', async () => {
    expect(await h.say(ANN, '/rule delete 2')).toBe('Deleted rule 2: “uber*” → #taxi; records it labelled keep their labels.');
    expect(await h.say(ANN, '9 uber home')).toMatch(/^#7 −9\.00 EUR · @Main · uber home\n/);
    expect(await h.say(ANN, '/rule add aldi #groceries')).toMatch(/^Added rule 3:/);
    expect(await h.say(ANN, '/history 10')).toMatch(/#taxi/);
  });

  it('GIVEN a shared book THEN admins manage rules and members may list them', async () => {
    const group = `rules-group-${engine}`;
    await h.say(ANN, '/start', group);
    await h.say(BOB, '/start', group);
    expect(await h.say(BOB, '/rule add rewe #groceries', group)).toBe('Your role (member) cannot do that here; it needs admin.');
    expect(await h.say(ANN, '/rule add rewe #groceries', group)).toMatch(/^Added rule 1:/);
    expect(await h.say(BOB, '/rules', group)).toMatch(/1 +rewe +#groceries/);
    expect(await h.say(BOB, '/rule delete 1', group)).toBe('Your role (member) cannot do that here; it needs admin.');
    // Bob records; Ann's rule labels his entry (rules belong to the book).
    expect(await h.say(BOB, '4 REWE', group)).toMatch(/#groceries .*labelled by rule 1/);
    // The personal book has its own rules.
    expect(await h.say(BOB, '/rules')).toMatch(/No rules yet/);
  });

  it('GIVEN records labelled the same way three times THEN /rule suggest proposes a rule and its button adds it', async () => {
    const group = `rules-suggest-${engine}`;
    await h.say(ANN, '/start', group);
    for (const line of ['3 #coffee Starbucks', '4 #coffee starbucks', '3.5 #coffee STARBUCKS', '9 #books Amazon', '8 #home Amazon'])
      await h.say(ANN, line, group);
    const replies = await h.replies(ANN, '/rule suggest', group);
    expect(replies[0]!.text).toBe('Rules I could add (1), from payees labelled the same way three times or more. Press a button, or copy a line:');
    expect(replies[0]!.pre).toBe('/rule add starbucks #coffee  (3 records)');
    const button = replies[0]!.buttons![0]![0]!;
    expect(button.label).toBe('Add: starbucks → #coffee');
    // Members may look but not add.
    await h.say(BOB, '/start', group);
    expect((await h.press(BOB, button.action, group)).replies[0]!.text).toBe('Your role (member) cannot do that here; it needs admin.');
    expect((await h.press(ANN, button.action, group)).replies[0]!.text).toMatch(/^Added rule 1: “starbucks” → #coffee\./);
    expect((await h.press(ANN, button.action, group)).replies[0]!.text).toMatch(/no longer proposed/);
    expect(await h.say(ANN, '/rule suggest', group)).toMatch(/Nothing to propose/);
    expect(await h.say(ANN, '2.80 starbucks', group)).toMatch(/#coffee .*labelled by rule 1/);
  });

  it('GIVEN a template without a label THEN its records take the rule label when it runs', async () => {
    const group = `rules-template-${engine}`;
    await h.say(ANN, '/start', group);
    const added = await h.say(ANN, '/template add monthly:1 9.99 Netflix', group);
    const id = /Template (\d+) added/.exec(added)![1];
    await h.say(ANN, '/rule add netflix #subscriptions', group);
    expect(await h.say(ANN, `/template run ${id}`, group)).toMatch(/−9\.99 EUR · #subscriptions @Main · Netflix · labelled by rule 1/);
  });

  it('GIVEN a Russian book THEN rule texts are in Russian', async () => {
    expect(await h.say(RUS, '/rule add пятёрочка #продукты')).toMatch(/^Добавлено правило 1: “пятёрочка” → #продукты\./);
    expect(await h.say(RUS, '150 Пятерочка у дома')).toMatch(/#продукты .*метка по правилу 1/);
    expect(await h.say(RUS, '/rule add /x/ #a')).toMatch(/регулярные выражения не поддерживаются/);
    expect(await h.say(RUS, '/rules')).toMatch(/^Правила \(1\)/);
  });
});
