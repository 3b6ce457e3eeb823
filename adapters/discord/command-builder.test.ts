import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../bot/commands/index.js';
import { Registry, type CommandDef, type OptionSpec } from '../../bot/registry.js';
import { checkCommandList } from '../../test/doubles/discord/validation.js';
import { commandListProblems, commandProblems, discordName, planCommand, planCommands, RECORD_LINE_OPTION } from './command-builder.js';

const run = async () => ({ text: 'ok' });
const opt = (name: string, extra: Partial<OptionSpec> = {}): OptionSpec => ({ name, description: `The ${name}`, type: 'string', ...extra });

describe('Discord command registration from the registry', () => {
  // The registry grows while COIN is built; every command anyone adds must stay registrable.
  for (const scope of ['global', 'guild'] as const) {
    it(`GIVEN every registry command THEN the ${scope} registration is valid under Discord's limits`, () => {
      const registry = createRegistry();
      const { plans, dropped } = planCommands(registry, scope);
      const list = plans.map((p) => p.json);
      expect(dropped).toEqual([]);
      expect(commandListProblems(list)).toEqual([]);
      // A second, independent validator: the Discord double's (what Discord answers with 50035).
      expect(checkCommandList(list)).toBeNull();
      expect(list.map((c) => c.name)).toEqual(registry.commands.map((c) => c.name));
    });
  }

  it('GIVEN every grouped command THEN each registry subcommand is a Discord subcommand and every option is offered', () => {
    for (const def of createRegistry().commands) {
      const plan = planCommand(def, 'global');
      if (def.subcommands?.length) {
        const subs = (plan.json.options ?? []).map((o) => o.name);
        for (const s of def.subcommands) expect(subs, `/${def.name}`).toContain(discordName(s.name));
      }
      for (const leaf of plan.leaves.values()) {
        const declared = leaf.word ? def.subcommands!.find((s) => s.name === leaf.word)!.options ?? [] : def.options ?? [];
        expect(leaf.options.map((o) => o.spec), `/${def.name} ${leaf.word}`).toEqual(declared);
      }
    }
  });

  it('GIVEN a required option declared after an optional one THEN Discord gets required first', () => {
    const def: CommandDef = { name: 'x', description: 'X', usage: '/x', options: [opt('a'), opt('b', { required: true })], run };
    const json = planCommand(def, 'guild').json;
    expect(json.options?.map((o) => o.name)).toEqual(['b', 'a']);
    expect(commandProblems(json)).toEqual([]);
    // …while the text grammar keeps the declared order.
    expect(planCommand(def, 'guild').leaves.get('')!.options.map((o) => o.discordName)).toEqual(['a', 'b']);
  });

  it('GIVEN the record grammar THEN a free-text record option is added and the amount becomes optional', () => {
    const spend = planCommand(createRegistry().find('spend')!, 'global');
    const amount = spend.json.options?.find((o) => o.name === 'amount');
    expect(amount?.required).toBe(false);
    expect(spend.leaves.get('')!.recordLine).toBe(RECORD_LINE_OPTION);
    const transfer = planCommand(createRegistry().find('transfer')!, 'global');
    expect(transfer.leaves.get('')!.recordLine).toBeUndefined();
  });

  it('GIVEN names Discord refuses THEN they are made valid; long descriptions are clipped; over 25 options are cut', () => {
    const many = Array.from({ length: 30 }, (_, i) => opt(`o${i}`));
    const def: CommandDef = {
      name: 'odd',
      description: 'd'.repeat(150),
      usage: '/odd',
      options: [opt('New Name!', { required: true }), opt('new_name_'), ...many],
      run,
    };
    const plan = planCommand(def, 'global');
    expect(plan.json.options?.[0]?.name).toBe('new_name_');
    expect(plan.json.options?.[1]?.name).toBe('new_name__2');
    expect([...plan.json.description].length).toBe(100);
    expect(plan.json.options).toHaveLength(25);
    expect(commandProblems(plan.json)).toEqual([]);
  });

  it('GIVEN a command with its own handler and subcommands THEN the bare form becomes a `show` subcommand', () => {
    const def: CommandDef = {
      name: 'budget',
      description: 'Budgets',
      usage: '/budget',
      options: [opt('period')],
      subcommands: [{ name: 'add', description: 'Add', usage: '/budget add', options: [opt('label', { required: true })], run }],
      run,
    };
    const plan = planCommand(def, 'global');
    expect(plan.json.options?.map((o) => [o.name, o.type])).toEqual([
      ['add', 1],
      ['show', 1],
    ]);
    expect(plan.leaves.get('show')).toMatchObject({ word: '' });
    expect(commandProblems(plan.json)).toEqual([]);
  });

  it('GIVEN private-only commands THEN global registration offers them only in the DM with the bot', () => {
    const def: CommandDef = { name: 'token', description: 'T', usage: '/token', privateOnly: true, run };
    expect(planCommand(def, 'global').json.contexts).toEqual([1]);
    expect(planCommand(def, 'guild').json.contexts).toBeUndefined();
  });

  it('GIVEN choices and autocomplete THEN they map to Discord choices and the autocomplete flag', () => {
    const def: CommandDef = {
      name: 'c',
      description: 'C',
      usage: '/c',
      options: [opt('lang', { choices: ['en', 'ru'], required: true }), opt('who', { autocomplete: 'member' }), { name: 'file', description: 'F', type: 'attachment' }],
      run,
    };
    const [lang, who, file] = planCommand(def, 'global').json.options as { choices?: unknown; autocomplete?: boolean; type: number }[];
    expect(lang!.choices).toEqual([
      { name: 'en', value: 'en' },
      { name: 'ru', value: 'ru' },
    ]);
    expect(who!.autocomplete).toBe(true);
    expect(file!.type).toBe(11);
  });

  it('GIVEN more than 100 commands THEN the rest are reported as dropped', () => {
    const r = new Registry();
    for (let i = 0; i < 102; i++) r.add({ name: `c${i}`, description: 'C', usage: '/c', run });
    const { plans, dropped } = planCommands(r, 'global');
    expect(plans).toHaveLength(100);
    expect(dropped).toEqual(['c100', 'c101']);
  });

  it('GIVEN an invalid definition THEN commandProblems names what Discord would reject', () => {
    expect(
      commandProblems({
        name: 'Bad Name',
        description: '',
        options: [
          { type: 3, name: 'a', description: 'A' },
          { type: 3, name: 'b', description: 'B', required: true },
        ],
      }),
    ).toEqual(['/Bad Name: invalid name "Bad Name"', '/Bad Name: description must be 1-100 characters', '/Bad Name b: required option after an optional one']);
  });

  it('GIVEN the registry THEN commands and subcommands carry Russian descriptions for Russian Discord clients', () => {
    const plans = new Map(planCommands(createRegistry(), 'global').plans.map((p) => [p.json.name, p.json]));
    expect(plans.get('spend')?.description_localizations).toEqual({ ru: 'Записать расход' });
    const template = plans.get('template')!;
    const add = template.options!.find((o) => o.name === 'add') as { description_localizations?: Record<string, string> };
    expect(add.description_localizations).toEqual({ ru: 'Добавить повторяющуюся запись' });
    // A bare form (`/budget show`) is described like the command itself.
    const show = plans.get('budget')?.options?.find((o) => o.name === 'show') as { description_localizations?: Record<string, string> } | undefined;
    if (show) expect(show.description_localizations).toEqual(plans.get('budget')!.description_localizations);
    // Options too, the free-text record line included.
    const spendOptions = plans.get('spend')!.options as { name: string; description_localizations?: Record<string, string> }[];
    expect(spendOptions.find((o) => o.name === 'amount')?.description_localizations).toEqual({ ru: 'Сумма, например 12.50 или 12 usd' });
    expect(spendOptions.find((o) => o.name === RECORD_LINE_OPTION)?.description_localizations?.ru).toMatch(/^Или вся запись одной строкой/);
  });

  it('GIVEN a localized description over 100 characters THEN commandProblems names it', () => {
    expect(commandProblems({ name: 'x', description: 'X', description_localizations: { ru: 'я'.repeat(101) } })).toEqual([
      '/x: ru description must be 1-100 characters',
    ]);
  });
});

