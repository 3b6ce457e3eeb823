/**
 * Builds INTERACTION_CREATE payloads the way Discord's client would produce them for a user:
 * options shaped and typed from the registered command definition, `resolved` data for
 * users, channels, roles and attachments, member permissions, locales and contexts. Things a
 * real user could not do (invoke an unregistered command, skip a required option, press a
 * button that is not on the message) throw, so a wrong test fails loudly instead of silently
 * testing nothing.
 */
import type { APIApplicationCommandOption } from 'discord.js';
import {
  ATTACHMENT_SIZE_LIMIT,
  BOT_DM_APP_PERMISSIONS,
  ChannelKind,
  MessageFlag,
  Permission,
  apiChannel,
  apiMember,
  apiUser,
  interactionToken,
  type DoubleUser,
  type GuildRecord,
  type MemberRecord,
} from './fixtures.js';
import type { DiscordState, StoredCommand } from './state.js';
import { OptionType } from './validation.js';

/** Where and by whom an interaction happens. */
export interface InteractionPlace {
  /** Guild of the channel; omit for the user's DM with the bot. */
  guildId?: string;
  /** Channel id. In a guild it must exist; without a guild it becomes the user's DM channel. */
  channelId: string;
  /** Who acts. Unknown users in a guild are added as plain members. */
  user: DoubleUser;
  /** Interaction id (a snowflake); generated when omitted. */
  id?: string;
  /** Overrides `user.locale` for this interaction. */
  locale?: string;
}

/** A file the user attaches to an ATTACHMENT option. */
export interface AttachmentSpec {
  name: string;
  bytes: Buffer | string;
  contentType?: string;
}

/** A slash command invocation. */
export interface CommandSpec extends InteractionPlace {
  /** Command name without the slash. */
  name: string;
  /** `"add"` for a subcommand, `"group add"` for a subcommand in a group. */
  subcommand?: string;
  /** Option values by name; types come from the registered definition when there is one. */
  options?: Record<string, string | number | boolean>;
  /** Files for ATTACHMENT options, by option name. */
  attachments?: Record<string, AttachmentSpec>;
}

/** An autocomplete request: the user is typing into option `focused`. */
export interface AutocompleteSpec extends CommandSpec {
  /** Name of the option being typed; its partial text is `options[focused]` (default ''). */
  focused: string;
}

/** A press of a button on a message the bot sent. */
export interface ButtonSpec extends InteractionPlace {
  customId: string;
  messageId: string;
}

/** A choice in a select menu on a message the bot sent. */
export interface SelectSpec extends ButtonSpec {
  values: string[];
}

const INTERACTION = { ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4 } as const;

function fail(message: string): never {
  throw new Error(`discord double: ${message}`);
}

/** The fields every interaction has, for a guild channel or a DM. */
function basePayload(state: DiscordState, place: InteractionPlace, type: number): Record<string, any> {
  const user = state.upsertUser(place.user);
  const common = {
    id: place.id ?? state.nextId(),
    application_id: state.applicationId,
    type,
    token: interactionToken(),
    version: 1,
    locale: place.locale ?? user.locale ?? 'en-US',
    entitlements: [],
    attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
  };
  if (place.guildId !== undefined) {
    const guild = state.requireGuild(place.guildId);
    const channel = state.channels.get(place.channelId);
    if (!channel || channel.guildId !== guild.id) {
      fail(`channel ${place.channelId} is not in guild ${guild.id}; add it with addGuild({ channels }) or addChannel`);
    }
    const member = guild.members.get(user.id) ?? state.addMember(guild.id, user);
    member.user = user;
    const permissions = state.memberPermissions(guild, member).toString();
    const bot = guild.members.get(state.botUser.id)!;
    return {
      ...common,
      guild_id: guild.id,
      guild: { id: guild.id, locale: guild.locale, features: [] },
      guild_locale: guild.locale,
      channel_id: channel.id,
      channel: { ...apiChannel(channel), permissions },
      member: { ...apiMember(member), permissions },
      app_permissions: state.memberPermissions(guild, bot).toString(),
      authorizing_integration_owners: { '0': guild.id },
      context: 0,
    };
  }
  const existing = state.channels.get(place.channelId);
  if (existing && existing.type !== ChannelKind.DM) {
    fail(`channel ${place.channelId} belongs to guild ${existing.guildId}; pass guildId`);
  }
  if (existing && existing.recipient?.id !== user.id) {
    fail(`channel ${place.channelId} is the DM of user ${existing.recipient?.id}, not of ${user.id}`);
  }
  const dm = state.ensureDm(user, place.channelId);
  return {
    ...common,
    channel_id: dm.id,
    channel: apiChannel(dm),
    user: apiUser(user),
    app_permissions: BOT_DM_APP_PERMISSIONS.toString(),
    // Discord's documented value for a guild-installed app used in its bot DM.
    authorizing_integration_owners: { '0': '0' },
    context: 1,
  };
}

/** The registered command a user would see here, enforcing scope, contexts and permissions. */
function findCommand(state: DiscordState, spec: CommandSpec, payload: Record<string, any>): StoredCommand | undefined {
  const scoped = spec.guildId !== undefined ? state.guildCommands.get(spec.guildId) ?? [] : [];
  const visible = [...scoped, ...state.globalCommands];
  const command = visible.find((c) => c.name === spec.name && (c.type ?? 1) === 1);
  if (!command) {
    if (!state.hasRegisteredCommands()) return undefined;
    const where = spec.guildId !== undefined ? `in guild ${spec.guildId}` : 'in DMs (only global commands show there)';
    const names = visible.map((c) => `/${c.name}`).join(', ') || 'none';
    fail(`/${spec.name} is not registered ${where}; a user there sees: ${names}`);
  }
  const context = spec.guildId !== undefined ? 0 : 1;
  if (Array.isArray(command.contexts) && !command.contexts.includes(context)) {
    fail(`/${spec.name} is registered with contexts [${command.contexts.join(', ')}], not ${context}`);
  }
  if (context === 1 && command.dm_permission === false) fail(`/${spec.name} has dm_permission false`);
  if (context === 0 && command.default_member_permissions) {
    const need = BigInt(command.default_member_permissions);
    const have = BigInt(payload.member.permissions as string);
    // "0" hides the command from everyone but administrators (and the owner, who has all bits).
    const isAdmin = (have & Permission.Administrator) !== 0n;
    if (!isAdmin && (need === 0n || (have & need) !== need)) {
      fail(`user ${spec.user.id} lacks default_member_permissions ${need} for /${spec.name}`);
    }
  }
  return command;
}

type OptionDef = APIApplicationCommandOption & Record<string, any>;

function inferType(value: string | number | boolean): number {
  if (typeof value === 'boolean') return OptionType.Boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? OptionType.Integer : OptionType.Number;
  return OptionType.String;
}

function coerce(def: OptionDef | undefined, type: number, name: string, raw: string | number | boolean) {
  switch (type) {
    case OptionType.Integer:
    case OptionType.Number: {
      const value = typeof raw === 'number' ? raw : Number(raw);
      if (typeof raw === 'boolean' || !Number.isFinite(value) || (typeof raw === 'string' && raw.trim() === '')) {
        fail(`option ${name} takes a number, got ${JSON.stringify(raw)}`);
      }
      if (type === OptionType.Integer && !Number.isInteger(value)) fail(`option ${name} takes an integer, got ${raw}`);
      if (def?.min_value !== undefined && value < def.min_value) fail(`option ${name} must be ≥ ${def.min_value}`);
      if (def?.max_value !== undefined && value > def.max_value) fail(`option ${name} must be ≤ ${def.max_value}`);
      return value;
    }
    case OptionType.Boolean:
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return fail(`option ${name} takes a boolean, got ${JSON.stringify(raw)}`);
    case OptionType.String: {
      const value = String(raw);
      const len = [...value].length;
      if (def?.min_length !== undefined && len < def.min_length) fail(`option ${name} needs ≥ ${def.min_length} characters`);
      if (def?.max_length !== undefined && len > def.max_length) fail(`option ${name} takes ≤ ${def.max_length} characters`);
      return value;
    }
    default:
      return String(raw);
  }
}

/** Builds leaf options plus `resolved` for them. */
function leafOptions(
  state: DiscordState,
  spec: CommandSpec,
  defs: OptionDef[] | undefined,
  guild: GuildRecord | undefined,
  payload: Record<string, any>,
  focused: string | undefined,
): { options: any[]; resolved: Record<string, Record<string, unknown>> } {
  const given = new Map<string, string | number | boolean | AttachmentSpec>(Object.entries(spec.options ?? {}));
  for (const [name, file] of Object.entries(spec.attachments ?? {})) given.set(name, file);
  if (focused !== undefined && !given.has(focused)) given.set(focused, '');
  const resolved: Record<string, Record<string, unknown>> = {};
  const put = (kind: string, id: string, value: unknown) => {
    resolved[kind] ??= {};
    resolved[kind]![id] = value;
  };
  let names = [...given.keys()];
  if (defs) {
    for (const name of names) {
      if (!defs.some((d) => d.name === name)) {
        fail(`/${spec.name} has no option "${name}"; it has: ${defs.map((d) => d.name).join(', ') || 'none'}`);
      }
    }
    if (focused === undefined) {
      for (const def of defs) {
        if (def.required && !given.has(def.name)) fail(`/${spec.name} needs option "${def.name}"`);
      }
    }
    names = defs.filter((d) => given.has(d.name)).map((d) => d.name);
  }
  const memberView = (member: MemberRecord) => {
    const { user: _user, ...rest } = apiMember(member) as any;
    return { ...rest, permissions: state.memberPermissions(guild!, member).toString() };
  };
  const options = names.map((name) => {
    const raw = given.get(name)!;
    const def = defs?.find((d) => d.name === name);
    if (typeof raw === 'object') {
      if (def && def.type !== OptionType.Attachment) fail(`option ${name} is not an attachment option`);
      const bytes = typeof raw.bytes === 'string' ? Buffer.from(raw.bytes) : raw.bytes;
      const attachment = state.storeAttachment(
        payload.channel_id,
        { name: raw.name, bytes, contentType: raw.contentType ?? 'application/octet-stream' },
        { ephemeral: true },
      );
      put('attachments', attachment.id, attachment);
      return { name, type: OptionType.Attachment, value: attachment.id };
    }
    const type = (def?.type as number | undefined) ?? inferType(raw);
    if (name === focused) return { name, type, value: String(raw), focused: true };
    const value = coerce(def, type, name, raw);
    const choices = def?.choices as { name: string; value: string | number }[] | undefined;
    if (choices?.length && !choices.some((c) => c.value === value)) {
      fail(`option ${name} must be one of ${choices.map((c) => JSON.stringify(c.value)).join(', ')}`);
    }
    if (type === OptionType.User || type === OptionType.Mentionable) {
      const id = String(value);
      const role = guild?.roles.find((r) => r.id === id);
      if (type === OptionType.Mentionable && role) {
        put('roles', id, role);
      } else {
        const user = state.users.get(id) ?? fail(`option ${name}: unknown user ${id}; add the user first`);
        put('users', id, apiUser(user));
        const member = guild?.members.get(id);
        if (member) put('members', id, memberView(member));
      }
    } else if (type === OptionType.Channel) {
      const channel = state.channels.get(String(value)) ?? fail(`option ${name}: unknown channel ${value}`);
      const { guild_id, ...rest } = apiChannel(channel) as any;
      put('channels', channel.id, { ...rest, ...(guild_id ? { guild_id } : {}), permissions: payload.member?.permissions ?? '0' });
    } else if (type === OptionType.Role) {
      const role = guild?.roles.find((r) => r.id === String(value)) ?? fail(`option ${name}: unknown role ${value}`);
      put('roles', role.id, role);
    } else if (type === OptionType.Attachment) {
      fail(`option ${name} is an attachment; pass it in spec.attachments`);
    }
    return { name, type, value };
  });
  return { options, resolved };
}

function buildCommandData(state: DiscordState, spec: CommandSpec, payload: Record<string, any>, focused?: string) {
  const command = findCommand(state, spec, payload);
  const guild = spec.guildId !== undefined ? state.guilds.get(spec.guildId) : undefined;
  const path = spec.subcommand?.trim() ? spec.subcommand.trim().split(/\s+/) : [];
  if (path.length > 2) fail(`subcommand "${spec.subcommand}" has more than two parts`);
  let defs = command?.options as OptionDef[] | undefined;
  const kinds: number[] = [];
  if (command) {
    const subs = (defs ?? []).filter((o) => o.type === OptionType.Subcommand || o.type === OptionType.SubcommandGroup);
    if (subs.length > 0 && path.length === 0) {
      fail(`/${spec.name} needs a subcommand: ${subs.map((s) => s.name).join(', ')}`);
    }
    if (subs.length === 0 && path.length > 0) fail(`/${spec.name} has no subcommands`);
    path.forEach((part, i) => {
      const def = defs?.find(
        (o) => o.name === part && (o.type === OptionType.Subcommand || o.type === OptionType.SubcommandGroup),
      );
      if (!def) fail(`/${spec.name} has no subcommand "${path.slice(0, i + 1).join(' ')}"`);
      if (def.type === OptionType.SubcommandGroup && i === path.length - 1) {
        fail(`"${part}" of /${spec.name} is a group; name a subcommand in it`);
      }
      kinds.push(def.type);
      defs = (def.options as OptionDef[] | undefined) ?? [];
    });
  } else {
    kinds.push(...(path.length === 2 ? [OptionType.SubcommandGroup, OptionType.Subcommand] : path.map(() => OptionType.Subcommand)));
  }
  if (focused !== undefined && defs && !defs.some((d) => d.name === focused)) {
    fail(`/${spec.name} has no option "${focused}" to autocomplete`);
  }
  if (focused !== undefined && defs) {
    const def = defs.find((d) => d.name === focused)!;
    if (!def.autocomplete) fail(`option "${focused}" of /${spec.name} is not registered with autocomplete`);
  }
  const leaf = leafOptions(state, spec, command ? defs ?? [] : undefined, guild, payload, focused);
  let options = leaf.options;
  for (let i = path.length - 1; i >= 0; i--) {
    options = [{ name: path[i], type: kinds[i], options }];
  }
  let id = command?.id;
  if (!id) {
    id = state.adhocCommandIds.get(spec.name) ?? state.nextId();
    state.adhocCommandIds.set(spec.name, id);
  }
  return {
    id,
    name: spec.name,
    type: 1,
    ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
    ...(options.length > 0 ? { options } : {}),
    ...(Object.keys(leaf.resolved).length > 0 ? { resolved: leaf.resolved } : {}),
  };
}

/** An APPLICATION_COMMAND (type 2) interaction for a chat-input command. */
export function commandInteraction(state: DiscordState, spec: CommandSpec): Record<string, any> {
  const payload = basePayload(state, spec, INTERACTION.ApplicationCommand);
  payload.data = buildCommandData(state, spec, payload);
  return payload;
}

/** An APPLICATION_COMMAND_AUTOCOMPLETE (type 4) interaction. */
export function autocompleteInteraction(state: DiscordState, spec: AutocompleteSpec): Record<string, any> {
  const payload = basePayload(state, spec, INTERACTION.Autocomplete);
  payload.data = buildCommandData(state, spec, payload, spec.focused);
  return payload;
}

function* walkComponents(node: unknown): Generator<Record<string, any>> {
  if (Array.isArray(node)) {
    for (const item of node) yield* walkComponents(item);
  } else if (node && typeof node === 'object') {
    const obj = node as Record<string, any>;
    if (typeof obj.type === 'number') yield obj;
    if (obj.components) yield* walkComponents(obj.components);
    if (obj.accessory) yield* walkComponents(obj.accessory);
    if (obj.component) yield* walkComponents(obj.component);
  }
}

/** A MESSAGE_COMPONENT (type 3) interaction on a message the bot wrote. */
export function componentInteraction(
  state: DiscordState,
  spec: ButtonSpec,
  kind: { componentType: number; values?: string[] },
): Record<string, any> {
  const record = state.messages.get(spec.messageId);
  if (!record || record.deleted) fail(`message ${spec.messageId} does not exist (or was deleted)`);
  if (record.message.channel_id !== spec.channelId) {
    fail(`message ${spec.messageId} is in channel ${record.message.channel_id}, not ${spec.channelId}`);
  }
  const owner = (record.message as any).interaction_metadata?.user?.id;
  if ((record.message.flags ?? 0) & MessageFlag.Ephemeral && owner && owner !== spec.user.id) {
    fail(`message ${spec.messageId} is ephemeral and only user ${owner} can see it`);
  }
  const all = [...walkComponents(record.message.components)];
  const component = all.find((c) => c.custom_id === spec.customId);
  if (!component) {
    const ids = all.filter((c) => c.custom_id).map((c) => c.custom_id);
    fail(`message ${spec.messageId} has no component "${spec.customId}"; it has: ${ids.join(', ') || 'none'}`);
  }
  if (component.type !== kind.componentType) {
    fail(`component "${spec.customId}" has type ${component.type}, not ${kind.componentType}`);
  }
  if (component.disabled) fail(`component "${spec.customId}" is disabled`);
  if (kind.values) {
    const min = component.min_values ?? 1;
    const max = component.max_values ?? 1;
    if (kind.values.length < min || kind.values.length > max) {
      fail(`select "${spec.customId}" takes ${min}..${max} values, got ${kind.values.length}`);
    }
    if (component.type === 3) {
      const allowed = (component.options ?? []).map((o: { value: string }) => o.value);
      for (const v of kind.values) if (!allowed.includes(v)) fail(`select "${spec.customId}" has no option "${v}"`);
    }
  }
  const payload = basePayload(state, spec, INTERACTION.MessageComponent);
  payload.message = structuredClone(record.message);
  payload.data = {
    custom_id: spec.customId,
    component_type: kind.componentType,
    ...(kind.values ? { values: kind.values } : {}),
  };
  return payload;
}
