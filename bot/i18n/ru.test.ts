import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type TestUser } from '../../test/harness.js';
import { en, type MessageKey } from './en.js';
import { t } from './index.js';
import { ru } from './ru.js';
import { RU_COMMAND_DESCRIPTIONS, RU_OPTION_DESCRIPTIONS } from './ru-commands.js';
import { RECORD_LINE_DESCRIPTION } from '../../adapters/discord/command-builder.js';
import { createRegistry } from '../commands/index.js';

/** Plural categories i18next looks for, per language (from CLDR via Intl). */
const categories = (lang: string) => new Intl.PluralRules(lang).resolvedOptions().pluralCategories as string[];
/** Only the categories our languages use: `error.amount_zero` is a key, not a plural form. */
const PLURAL_SUFFIX = new RegExp(`_(${[...new Set([...categories('en'), ...categories('ru')])].join('|')})$`);

/** Groups a resource's keys by base key: `x_one`, `x_few` → `x: [one, few]`; plain `x` → `x: ['']`. */
function byBase(resource: Record<string, string | undefined>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of Object.keys(resource)) {
    const m = PLURAL_SUFFIX.exec(key);
    const base = m ? key.slice(0, m.index) : key;
    out.set(base, [...(out.get(base) ?? []), m ? m[1]! : '']);
  }
  return out;
}

/** `{{name}}` variables of a text, also those inside `$t(role.{{role}})`. */
const varsOf = (text: string): string[] => [...new Set([...text.matchAll(/{{\s*([\w.]+)\s*}}/g)].map((m) => m[1]!))].sort();

const enRes = en as Record<string, string>;
const ruRes = ru as Record<string, string | undefined>;

describe('Russian texts', () => {
  const enKeys = byBase(enRes);
  const ruKeys = byBase(ruRes);

  it('GIVEN every English key THEN Russian has it, as itself or with every Russian plural form', () => {
    const missing: string[] = [];
    for (const [base, forms] of enKeys) {
      const ruForms = ruKeys.get(base);
      if (!ruForms) missing.push(base);
      else if (!ruForms.includes('')) {
        // Only plural forms: all of them must be there, or some counts would fall back to English.
        for (const c of categories('ru')) if (!ruForms.includes(c)) missing.push(`${base}_${c}`);
      }
      if (!forms.includes('')) for (const c of categories('en')) if (!forms.includes(c)) missing.push(`en:${base}_${c}`);
    }
    expect(missing).toEqual([]);
  });

  it('GIVEN every Russian key THEN English has it (no stale or misspelt keys)', () => {
    expect([...ruKeys.keys()].filter((base) => !enKeys.has(base))).toEqual([]);
  });

  it('GIVEN each key THEN every Russian variant uses exactly the English {{variables}}', () => {
    const mismatches: string[] = [];
    for (const [key, text] of Object.entries(ruRes)) {
      const base = key.replace(PLURAL_SUFFIX, '');
      const english = enRes[base] ?? enRes[`${base}_other`];
      if (english === undefined || text === undefined) continue;
      if (varsOf(text).join() !== varsOf(english).join()) mismatches.push(`${key}: ${varsOf(text)} vs ${varsOf(english)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('GIVEN counts 1, 3, 5, 11, 21 THEN Russian picks the right plural form', () => {
    const title = (count: number) => t('ru', 'history.title', { count });
    expect([1, 3, 5, 11, 21].map(title)).toEqual([
      'Последняя 1 запись',
      'Последние 3 записи',
      'Последние 5 записей',
      'Последние 11 записей',
      'Последняя 21 запись',
    ]);
    expect(t('ru', 'link.linked_book', { title: 'Семья', count: 2 })).toBe('Связано: этот чат теперь ведёт книгу «Семья» (в ней 2 чата).');
  });

  it('GIVEN every key rendered in Russian with sample values THEN no placeholder or nesting is left over', () => {
    const leftovers: string[] = [];
    for (const key of Object.keys(en) as MessageKey[]) {
      const vars: Record<string, string | number> = { count: 3, role: 'viewer', needed: 'admin' };
      for (const v of varsOf(enRes[key]!)) vars[v] ??= `<${v}>`;
      const text = t('ru', key, vars);
      if (/{{|\$t\(|undefined/.test(text) || text === key) leftovers.push(`${key}: ${text}`);
    }
    expect(leftovers).toEqual([]);
  });

  it('GIVEN a role error in Russian THEN the role names are Russian too', () => {
    expect(t('ru', 'error.forbidden', { role: 'viewer', needed: 'member' })).toBe(
      'Ваша роль (наблюдатель) здесь этого не позволяет; нужна роль «участник».',
    );
  });
});

describe('Russian command descriptions', () => {
  const paths = createRegistry().commands.flatMap((c) => [c.name, ...(c.subcommands ?? []).map((s) => `${c.name} ${s.name}`)]);

  it('GIVEN every command and subcommand THEN it has a Russian description that fits Discord (≤ 100 characters)', () => {
    const missing = paths.filter((p) => !RU_COMMAND_DESCRIPTIONS[p]);
    expect(missing).toEqual([]);
    const long = Object.entries(RU_COMMAND_DESCRIPTIONS).filter(([, d]) => [...d].length > 100);
    expect(long).toEqual([]);
  });

  it('GIVEN the Russian descriptions THEN each belongs to a command that exists (no stale names)', () => {
    expect(Object.keys(RU_COMMAND_DESCRIPTIONS).filter((p) => !paths.includes(p))).toEqual([]);
  });

  const options = [
    ...new Set([
      ...createRegistry().commands.flatMap((c) => [...(c.options ?? []), ...(c.subcommands ?? []).flatMap((s) => s.options ?? [])].map((o) => o.description)),
      RECORD_LINE_DESCRIPTION,
    ]),
  ];

  it('GIVEN every option (and the record-line option Discord adds) THEN it has a Russian description that fits Discord, and none is stale', () => {
    expect(options.filter((d) => !RU_OPTION_DESCRIPTIONS[d])).toEqual([]);
    expect(Object.values(RU_OPTION_DESCRIPTIONS).filter((d) => [...d].length > 100)).toEqual([]);
    expect(Object.keys(RU_OPTION_DESCRIPTIONS).filter((d) => !options.includes(d))).toEqual([]);
  });
});

describe('languages in chats', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it('GIVEN a user whose Telegram/Discord locale is Russian THEN their new book answers in Russian', async () => {
    const ivan: TestUser = { id: '70', name: 'Иван', locale: 'ru-RU' };
    expect(await h.say(ivan, '/start')).toContain('Привет, Иван! Я COIN');
    expect(await h.say(ivan, '/spend 0')).toBe('Сумма не может быть нулевой.');
    const olga: TestUser = { id: '71', name: 'Olga', locale: 'ru', platform: 'discord' };
    expect(await h.say(olga, '/balances')).toContain('Поделённых расходов пока нет');
  });

  it('GIVEN /language THEN the whole book switches, errors and roles included, and back', async () => {
    const ann: TestUser = { id: '72', name: 'Ann', locale: 'en-GB' };
    const bob: TestUser = { id: '73', name: 'Bob' };
    await h.say(ann, '/start', 'lang-group');
    await h.say(bob, '/start', 'lang-group');
    expect(await h.say(ann, '/language ru', 'lang-group')).toBe('Язык: русский.');
    expect(await h.say(bob, '/language en', 'lang-group')).toBe('Ваша роль (участник) здесь этого не позволяет; нужна роль «администратор».');
    expect(await h.say(ann, '/spend 90 #ужин split', 'lang-group')).toContain('Поделено, платил(а) Ann: Ann 45,00 EUR, Bob 45,00 EUR');
    expect(await h.say(bob, '/members', 'lang-group')).toMatch(/Ann\s+владелец/);
    expect(await h.say(ann, '/language en', 'lang-group')).toBe('Language: English.');
    expect(await h.say(bob, '/balances', 'lang-group')).toContain('Bob → Ann: 45.00 EUR');
  });

  it('GIVEN a Russian book THEN /help describes the commands in Russian, and months are named in Russian', async () => {
    const vera: TestUser = { id: '74', name: 'Вера', locale: 'ru' };
    const help = await h.say(vera, '/help');
    expect(help).toContain('/spend (/s) — Записать расход');
    expect(help).toContain('/stats — Итоги по меткам и участникам');
    const one = await h.say(vera, '/help template');
    expect(one).toContain('/template add');
    expect(one).toContain('Добавить повторяющуюся запись');
    // Amounts in Russian marks: a no-break space between thousands, a decimal comma.
    const rec = await h.say(vera, '1234.50 кофе #еда');
    expect(rec).toContain('−1\u00a0234,50 EUR');
    expect(rec).toContain('Main: −1\u00a0234,50 EUR');
    await h.say(vera, '12 кофе #еда');
    // The harness clock is 24 November 2026.
    const stats = await h.say(vera, '/stats');
    expect(stats).toContain('📊 p-74 · ноябрь 2026 · EUR');
    expect(stats).toContain('Относительно прошлого периода (октябрь 2026)');
    expect(stats).not.toMatch(/November|October/);
    expect(await h.say(vera, '/labels')).toContain('Метки, ноябрь 2026');
  });

  it('GIVEN an English book THEN /help stays English; on Discord it does not offer the typed aliases', async () => {
    const tom: TestUser = { id: '75', name: 'Tom', locale: 'en' };
    expect(await h.say(tom, '/help')).toContain('/spend (/s) — Record an expense');
    expect(await h.say(tom, '/stats')).toContain('November 2026');
    const dana: TestUser = { id: '76', name: 'Dana', platform: 'discord' };
    const help = await h.say(dana, '/help');
    expect(help).toContain('/spend — Record an expense');
    expect(help).not.toContain('(/s)');
  });
});

