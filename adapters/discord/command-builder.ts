import {
  ApplicationCommandOptionType,
  ApplicationIntegrationType,
  InteractionContextType,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandSubcommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { describeCommand, describeOption } from '../../bot/i18n/index.js';
import type { CommandDef, OptionSpec, Registry } from '../../bot/registry.js';

/** Discord's limits for chat-input commands (developer docs, "Application Commands"). */
export const DISCORD_LIMITS = {
  /** Chat-input commands per scope (global, or one guild). */
  commands: 100,
  options: 25,
  choices: 25,
  name: 32,
  description: 100,
  choiceName: 100,
  choiceValue: 100,
  /** Name, description, option names, descriptions and choices of one command together. */
  totalChars: 4000,
} as const;

/** Discord's name rule; chat-input names must also be lower case. */
const NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** The free-text option added to commands that speak the record grammar (`/spend`, `/income`). */
export const RECORD_LINE_OPTION = 'record';
export const RECORD_LINE_DESCRIPTION = 'Or the whole record in one line: 4.50 #food @Card coffee';

/** Where commands are registered: global commands also reach DMs, guild ones appear at once. */
export type CommandScope = 'global' | 'guild';

/** A registry option with the name Discord knows it by. */
export interface PlannedOption {
  spec: OptionSpec;
  discordName: string;
}

/**
 * One Discord leaf: a command without subcommands or one subcommand. It knows how to rebuild
 * the command's text arguments from the typed options Discord delivers.
 */
export interface Leaf {
  /** Discord subcommand name; '' for a command without subcommands. */
  discordName: string;
  /** The registry subcommand word that starts the arguments (`add`); '' for none. */
  word: string;
  /** Options in the registry's declared order, which is the order of the text grammar. */
  options: PlannedOption[];
  /** Name of the free-text record option when the leaf speaks the record grammar. */
  recordLine?: string;
}

/** A registry command as Discord sees it: the JSON to register and how to read invocations back. */
export interface CommandPlan {
  def: CommandDef;
  json: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Leaves by Discord subcommand name ('' for a command without subcommands). */
  leaves: Map<string, Leaf>;
}

const clip = (s: string, max: number): string => ([...s].length <= max ? s : [...s].slice(0, max - 1).join('') + '…');

/** A registry name as a valid Discord name: lower case, invalid characters as `_`, ≤ 32. */
export function discordName(name: string): string {
  const cleaned = [...name.toLowerCase().replace(/[^-_\p{L}\p{N}]/gu, '_')].slice(0, DISCORD_LIMITS.name).join('');
  return cleaned || 'option';
}

const describe = (text: string, fallback: string): string => clip(text.trim() || fallback, DISCORD_LIMITS.description);

/** Discord shows `ru` to users whose client speaks Russian (`path`: `name` or `name sub`). */
const localized = (path: string, english: string): { description_localizations?: { ru: string } } => ruOnly(describeCommand('ru', path, english), english, path);

/** The same for an option, looked up by its English description. */
const localizedOption = (english: string, name: string): { description_localizations?: { ru: string } } => ruOnly(describeOption('ru', english), english, name);

const ruOnly = (ru: string, english: string, fallback: string): { description_localizations?: { ru: string } } =>
  ru === english ? {} : { description_localizations: { ru: describe(ru, fallback) } };

const OPTION_TYPE = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  number: ApplicationCommandOptionType.Number,
  attachment: ApplicationCommandOptionType.Attachment,
} as const;

/** Record grammar: an amount and a `#label` option (`/spend`, `/income`, a template's record). */
const speaksRecordGrammar = (options: readonly OptionSpec[]): boolean =>
  options.some((o) => o.name === 'amount') && options.some((o) => o.prefix === '#');

function optionJson(spec: OptionSpec, name: string, required: boolean): APIApplicationCommandBasicOption {
  const type = OPTION_TYPE[spec.type];
  const base = { name, description: describe(spec.description, spec.name), ...localizedOption(spec.description, spec.name), required };
  if (type === ApplicationCommandOptionType.Attachment) return { ...base, type };
  const choices = spec.choices?.slice(0, DISCORD_LIMITS.choices);
  if (choices?.length) {
    if (type === ApplicationCommandOptionType.String) {
      return { ...base, type, choices: choices.map((c) => ({ name: clip(c, DISCORD_LIMITS.choiceName), value: clip(c, DISCORD_LIMITS.choiceValue) })) };
    }
    const numeric = choices.filter((c) => Number.isFinite(Number(c)));
    return { ...base, type, choices: numeric.map((c) => ({ name: clip(c, DISCORD_LIMITS.choiceName), value: Number(c) })) } as APIApplicationCommandBasicOption;
  }
  return { ...base, type, ...(spec.autocomplete ? { autocomplete: true } : {}) } as APIApplicationCommandBasicOption;
}

/**
 * Plans one leaf: unique Discord names for the options, the record-line option when the
 * grammar fits, and Discord's order (required before optional) for the JSON while the leaf
 * keeps the declared order for rebuilding text.
 */
function planLeaf(specs: readonly OptionSpec[], word: string, leafName: string): { leaf: Leaf; json: APIApplicationCommandBasicOption[] } {
  const used = new Set<string>();
  const unique = (n: string): string => {
    let name = n;
    for (let i = 2; used.has(name); i++) name = discordName(`${n.slice(0, 29)}_${i}`);
    used.add(name);
    return name;
  };
  const options: PlannedOption[] = specs.map((spec) => ({ spec, discordName: unique(discordName(spec.name)) }));
  const record = speaksRecordGrammar(specs) && !used.has(RECORD_LINE_OPTION) ? unique(RECORD_LINE_OPTION) : undefined;
  // With a free-text line the amount may come inside it, so Discord must not insist on it.
  const required = (o: PlannedOption): boolean => !!o.spec.required && !(record && o.spec.name === 'amount');
  const json = options.map((o) => optionJson(o.spec, o.discordName, required(o)));
  if (record)
    json.push({ type: ApplicationCommandOptionType.String, name: record, description: RECORD_LINE_DESCRIPTION, ...localizedOption(RECORD_LINE_DESCRIPTION, record), required: false });
  const ordered = [...json.filter((o) => o.required), ...json.filter((o) => !o.required)].slice(0, DISCORD_LIMITS.options);
  const kept = new Set(ordered.map((o) => o.name));
  return {
    leaf: { discordName: leafName, word, options: options.filter((o) => kept.has(o.discordName)), ...(record && kept.has(record) ? { recordLine: record } : {}) },
    json: ordered,
  };
}

/** The name of the Discord subcommand that runs a grouped command's own handler (`/budget` → `/budget show`). */
const BARE_NAMES = ['show', 'list', 'view', 'run'];

/**
 * Turns one registry command into a Discord chat-input command. Grouped commands become
 * subcommands; a command that also runs without a subcommand gets one more subcommand
 * (`show`, or the first free of `list`, `view`, `run`) for that.
 */
export function planCommand(def: CommandDef, scope: CommandScope): CommandPlan {
  const leaves = new Map<string, Leaf>();
  let options: RESTPostAPIChatInputApplicationCommandsJSONBody['options'];
  if (def.subcommands?.length) {
    const subs: APIApplicationCommandSubcommandOption[] = [];
    const taken = new Set<string>();
    const add = (name: string, word: string, path: string, description: string, specs: readonly OptionSpec[]) => {
      if (subs.length >= DISCORD_LIMITS.options || taken.has(name)) return;
      taken.add(name);
      const { leaf, json } = planLeaf(specs, word, name);
      leaves.set(name, leaf);
      subs.push({
        type: ApplicationCommandOptionType.Subcommand,
        name,
        description: describe(description, name),
        ...localized(path, description),
        ...(json.length ? { options: json } : {}),
      });
    };
    for (const s of def.subcommands) add(discordName(s.name), s.name, `${def.name} ${s.name}`, s.description, s.options ?? []);
    if (def.run) {
      const bare = BARE_NAMES.find((n) => !taken.has(n));
      if (bare) add(bare, '', def.name, def.description, def.options ?? []);
    }
    options = subs;
  } else {
    const { leaf, json } = planLeaf(def.options ?? [], '', '');
    leaves.set('', leaf);
    options = json.length ? json : undefined;
  }
  const json: RESTPostAPIChatInputApplicationCommandsJSONBody = {
    name: discordName(def.name),
    description: describe(def.description, def.name),
    ...localized(def.name, def.description),
    ...(options ? { options } : {}),
    ...(scope === 'global'
      ? {
          integration_types: [ApplicationIntegrationType.GuildInstall],
          // Private-only commands (API tokens show secrets) are offered only in the DM with the bot.
          contexts: def.privateOnly ? [InteractionContextType.BotDM] : [InteractionContextType.Guild, InteractionContextType.BotDM],
        }
      : {}),
  };
  return { def, json, leaves };
}

/**
 * Plans every registry command, in registry order, within Discord's 100 commands per scope.
 * Aliases (`/s`, `/i`) are not registered: Discord's command picker completes names already,
 * and duplicates would crowd it.
 */
export function planCommands(registry: Registry, scope: CommandScope): { plans: CommandPlan[]; dropped: string[] } {
  const all = registry.commands.map((def) => planCommand(def, scope));
  return { plans: all.slice(0, DISCORD_LIMITS.commands), dropped: all.slice(DISCORD_LIMITS.commands).map((p) => p.def.name) };
}

type JsonOption = { name?: unknown; description?: unknown; description_localizations?: unknown; type?: unknown; required?: unknown; autocomplete?: unknown; choices?: unknown; options?: unknown };

/** Characters Discord counts towards a command's 4000: names, descriptions, choice names and values. */
export function commandChars(json: RESTPostAPIChatInputApplicationCommandsJSONBody): number {
  const len = (v: unknown): number => (typeof v === 'string' || typeof v === 'number' ? [...String(v)].length : 0);
  const walk = (opts: unknown): number =>
    Array.isArray(opts)
      ? (opts as JsonOption[]).reduce(
          (n, o) =>
            n +
            len(o.name) +
            len(o.description) +
            (Array.isArray(o.choices) ? (o.choices as { name: unknown; value: unknown }[]).reduce((m, c) => m + len(c.name) + len(c.value), 0) : 0) +
            walk(o.options),
          0,
        )
      : 0;
  return len(json.name) + len(json.description) + walk(json.options);
}

/**
 * What Discord would reject in a command definition, as readable lines (empty when valid):
 * names, description lengths, option counts, required-before-optional, choices, autocomplete,
 * nesting, unique names and the 4000-character total.
 */
export function commandProblems(json: RESTPostAPIChatInputApplicationCommandsJSONBody): string[] {
  const problems: string[] = [];
  const name = (where: string, n: unknown) => {
    if (typeof n !== 'string' || !NAME.test(n) || n !== n.toLowerCase()) problems.push(`${where}: invalid name ${JSON.stringify(n)}`);
  };
  const description = (where: string, d: unknown, localizations?: unknown) => {
    const l = typeof d === 'string' ? [...d].length : 0;
    if (l < 1 || l > DISCORD_LIMITS.description) problems.push(`${where}: description must be 1-100 characters`);
    for (const [locale, text] of Object.entries((localizations ?? {}) as Record<string, unknown>)) {
      const n = typeof text === 'string' ? [...text].length : 0;
      if (n < 1 || n > DISCORD_LIMITS.description) problems.push(`${where}: ${locale} description must be 1-100 characters`);
    }
  };
  const options = (where: string, list: unknown, depth: number) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) return void problems.push(`${where}: options must be a list`);
    if (list.length > DISCORD_LIMITS.options) problems.push(`${where}: more than 25 options`);
    const names = new Set<string>();
    let optional = false;
    let subs = 0;
    for (const o of list as JsonOption[]) {
      const at = `${where} ${String(o.name)}`;
      name(at, o.name);
      description(at, o.description, o.description_localizations);
      if (names.has(String(o.name))) problems.push(`${at}: duplicate option name`);
      names.add(String(o.name));
      if (o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup) {
        subs++;
        if (depth > (o.type === ApplicationCommandOptionType.Subcommand ? 1 : 0)) problems.push(`${at}: nested too deep`);
        options(at, o.options, depth + 1);
        continue;
      }
      if (o.required === true && optional) problems.push(`${at}: required option after an optional one`);
      if (o.required !== true) optional = true;
      if (Array.isArray(o.choices)) {
        if (o.choices.length > DISCORD_LIMITS.choices) problems.push(`${at}: more than 25 choices`);
        if (o.autocomplete === true && o.choices.length) problems.push(`${at}: autocomplete with choices`);
        for (const c of o.choices as { name: unknown; value: unknown }[]) {
          const l = typeof c.name === 'string' ? [...c.name].length : 0;
          if (l < 1 || l > DISCORD_LIMITS.choiceName) problems.push(`${at}: choice name must be 1-100 characters`);
          if (typeof c.value === 'string' && [...c.value].length > DISCORD_LIMITS.choiceValue) problems.push(`${at}: choice value over 100 characters`);
        }
      }
      const completable = [ApplicationCommandOptionType.String, ApplicationCommandOptionType.Integer, ApplicationCommandOptionType.Number] as unknown[];
      if (o.autocomplete === true && !completable.includes(o.type)) problems.push(`${at}: autocomplete on a non-text option`);
    }
    if (subs && subs !== list.length) problems.push(`${where}: subcommands mixed with options`);
  };
  name(`/${json.name}`, json.name);
  description(`/${json.name}`, json.description, json.description_localizations);
  options(`/${json.name}`, json.options, 0);
  if (commandChars(json) > DISCORD_LIMITS.totalChars) problems.push(`/${json.name}: more than 4000 characters in total`);
  return problems;
}

/** Problems of a whole registration (each command, the 100 limit, unique names). */
export function commandListProblems(list: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[]): string[] {
  const problems = list.flatMap(commandProblems);
  if (list.length > DISCORD_LIMITS.commands) problems.push(`more than ${DISCORD_LIMITS.commands} commands`);
  const seen = new Set<string>();
  for (const c of list) {
    if (seen.has(c.name)) problems.push(`/${c.name}: registered twice`);
    seen.add(c.name);
  }
  return problems;
}
