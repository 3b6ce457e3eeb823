/**
 * The double's in-memory world: guilds, channels, members, registered commands, interactions,
 * messages the bot wrote, and the log of everything the bot sent. REST routes and the gateway
 * read and change it; the test API in index.ts exposes views of it.
 */
import { EventEmitter } from 'node:events';
import type { APIApplicationCommand, APIAttachment, APIMessage } from 'discord.js';
import {
  ALL_PERMISSIONS,
  BOT_ROLE_PERMISSIONS,
  ChannelKind,
  EVERYONE_PERMISSIONS,
  MessageFlag,
  Permission,
  apiAttachment,
  apiMessage,
  apiRole,
  snowflakeFactory,
  type ChannelRecord,
  type DoubleUser,
  type GuildRecord,
  type MemberRecord,
  type RecordedFile,
} from './fixtures.js';

/** Everything the bot wrote in answer to an interaction or into a channel, in arrival order. */
export interface DoubleResponse {
  /**
   * `callback`: POST /interactions/:id/:token/callback; `edit`: PATCH of @original or of a
   * follow-up; `followup`: POST /webhooks/:app/:token; `delete`: DELETE of an interaction
   * message; `channel-message`: POST /channels/:id/messages (outbound, not tied to an
   * interaction).
   */
  kind: 'callback' | 'edit' | 'followup' | 'delete' | 'channel-message';
  /** Interaction callback type (4, 5, 6, 7, 8, 9) for `callback`; absent otherwise. */
  type?: number;
  /**
   * The parsed JSON payload. For `callback` it is the callback's `data` field (`{}` when the
   * callback has none, e.g. type 6); for the others it is the whole body (JSON body or
   * multipart `payload_json`); `{}` for `delete`.
   */
  data: any;
  /** Uploaded files (`files[n]` multipart parts), bytes as received. */
  files: RecordedFile[];
  /** Interaction this belongs to (absent for `channel-message`). */
  interactionId?: string;
  /** Channel the message is in. */
  channelId: string;
  /** Message created, edited or deleted (absent for callbacks 6, 8, 9). */
  messageId?: string;
  /** True when the resulting message is ephemeral (flags bit 64). */
  ephemeral: boolean;
  at: Date;
}

/** A registered application command, as GET/PUT commands return it. */
export type StoredCommand = APIApplicationCommand;

/** Internal state of one interaction the double dispatched. */
export interface InteractionRecord {
  payload: any;
  token: string;
  createdAt: number;
  /** Callback type once acknowledged. */
  callbackType?: number;
  /** The message `@original` refers to, once there is one. */
  originalMessageId?: string;
  responses: DoubleResponse[];
}

/** Internal state of one message the bot wrote (or one a component lives on). */
export interface MessageRecord {
  message: APIMessage;
  interactionId?: string;
  deleted: boolean;
}

/** One REST request the double received. */
export interface RequestLogEntry {
  method: string;
  /** Path without the `/api` and `/v10` prefixes, e.g. `/channels/1/messages`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body or multipart `payload_json`; undefined without a body. */
  body: any;
  /** Names of uploaded files (multipart). */
  files: string[];
  status: number;
  at: Date;
}

/** A scripted failure for the next matching REST request(s). */
export interface InjectedFault {
  method?: string;
  /** Exact normalised path, or a pattern tested against it. */
  path: string | RegExp;
  status: number;
  /** Discord JSON error code (default 0). */
  code?: number;
  message?: string;
  /** Seconds, for 429 answers (`retry_after` and the Retry-After header). */
  retryAfter?: number;
  /** How many requests fail (default 1). */
  times?: number;
}

/** A request the double holds unanswered until released (`DiscordDouble.holdNext`). */
export interface HeldRequest {
  method?: string | undefined;
  path: string | RegExp;
  /** Apply the request first and hold only its answer (Discord took it; the caller never hears). */
  afterEffect?: boolean | undefined;
  reached(): void;
  released: Promise<void>;
  release(): void;
}

/** Construction options of the state. */
export interface StateOptions {
  token: string;
  applicationId: string;
  botUser: DoubleUser;
  /** Base URL of the HTTP server (set once it listens); attachment URLs point here. */
  baseUrl: () => string;
}

/** The double's shared world. Not part of the test API; index.ts wraps it. */
export class DiscordState {
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: DoubleUser;
  readonly nextId = snowflakeFactory();
  readonly events = new EventEmitter();
  readonly users = new Map<string, DoubleUser>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  /** DM channel id per user id. */
  readonly dms = new Map<string, string>();
  readonly globalCommands: StoredCommand[] = [];
  readonly guildCommands = new Map<string, StoredCommand[]>();
  /** Ids for commands invoked without a registration, stable per name. */
  readonly adhocCommandIds = new Map<string, string>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  readonly messages = new Map<string, MessageRecord>();
  /** Files served under /cdn (message attachments, command attachment options). */
  readonly attachments = new Map<string, RecordedFile>();
  readonly channelPosts = new Map<string, DoubleResponse[]>();
  readonly requests: RequestLogEntry[] = [];
  readonly faults: InjectedFault[] = [];
  /** Requests to hold (each matches once). */
  readonly holds: HeldRequest[] = [];
  /** Users whose DMs are closed to the bot (POST to their DM answers 50007). */
  readonly closedDms = new Set<string>();
  private readonly baseUrl: () => string;

  constructor(options: StateOptions) {
    this.token = options.token;
    this.applicationId = options.applicationId;
    this.botUser = { ...options.botUser, bot: true };
    this.baseUrl = options.baseUrl;
    this.users.set(this.botUser.id, this.botUser);
    // Waiters come and go per test; a high cap keeps Node from warning about a leak.
    this.events.setMaxListeners(1000);
  }

  /** Remembers (or refreshes) a user; later mentions of the same id update name and locale. */
  upsertUser(user: DoubleUser): DoubleUser {
    const known = this.users.get(user.id);
    const merged = { ...known, ...user };
    this.users.set(user.id, merged);
    return merged;
  }

  /** Creates a guild with @everyone, the bot's managed role, Manager and Admin roles. */
  addGuild(spec: {
    id?: string;
    name: string;
    ownerId?: string;
    locale?: string;
    channels?: { id?: string; name: string }[];
  }): GuildRecord {
    const id = spec.id ?? this.nextId();
    if (this.guilds.has(id)) throw new Error(`discord double: guild ${id} already exists`);
    const roleIds = { everyone: id, bot: this.nextId(), manager: this.nextId(), admin: this.nextId() };
    const now = new Date().toISOString();
    const guild: GuildRecord = {
      id,
      name: spec.name,
      // Nobody the tests add owns the guild unless asked: owners bypass every permission check.
      ownerId: spec.ownerId ?? this.nextId(),
      locale: spec.locale ?? 'en-US',
      roleIds,
      roles: [
        apiRole({ id: roleIds.everyone, name: '@everyone', permissions: EVERYONE_PERMISSIONS, position: 0 }),
        apiRole({
          id: roleIds.bot,
          name: this.botUser.username,
          permissions: BOT_ROLE_PERMISSIONS,
          position: 3,
          managed: true,
          botId: this.botUser.id,
        }),
        apiRole({ id: roleIds.manager, name: 'Manager', permissions: Permission.ManageGuild, position: 1 }),
        apiRole({ id: roleIds.admin, name: 'Admin', permissions: Permission.Administrator, position: 2 }),
      ],
      channelIds: [],
      members: new Map(),
      joinedAt: now,
    };
    guild.members.set(this.botUser.id, {
      user: this.botUser,
      roles: [roleIds.bot],
      joinedAt: now,
      nick: null,
    });
    this.guilds.set(id, guild);
    const channels = spec.channels ?? [{ name: 'general' }];
    for (const channel of channels) this.addChannel(id, channel);
    return guild;
  }

  /** Adds a text channel to a guild. */
  addChannel(guildId: string, spec: { id?: string; name: string }): ChannelRecord {
    const guild = this.requireGuild(guildId);
    const id = spec.id ?? this.nextId();
    if (this.channels.has(id)) throw new Error(`discord double: channel ${id} already exists`);
    const channel: ChannelRecord = {
      id,
      type: ChannelKind.GuildText,
      name: spec.name,
      guildId,
      position: guild.channelIds.length,
      lastMessageId: null,
    };
    this.channels.set(id, channel);
    guild.channelIds.push(id);
    return channel;
  }

  /** Adds (or updates) a guild member; Manage Server and Administrator come from roles. */
  addMember(
    guildId: string,
    user: DoubleUser,
    opts: { manageGuild?: boolean; administrator?: boolean } = {},
  ): MemberRecord {
    const guild = this.requireGuild(guildId);
    const stored = this.upsertUser(user);
    const roles: string[] = [];
    if (opts.manageGuild) roles.push(guild.roleIds.manager);
    if (opts.administrator) roles.push(guild.roleIds.admin);
    const existing = guild.members.get(user.id);
    const member: MemberRecord = {
      user: stored,
      roles,
      joinedAt: existing?.joinedAt ?? new Date().toISOString(),
      nick: existing?.nick ?? null,
    };
    guild.members.set(user.id, member);
    return member;
  }

  /** Guild permissions of a member: owner and Administrator get everything. */
  memberPermissions(guild: GuildRecord, member: MemberRecord): bigint {
    if (member.user.id === guild.ownerId) return ALL_PERMISSIONS;
    let bits = 0n;
    for (const role of guild.roles) {
      if (role.id === guild.roleIds.everyone || member.roles.includes(role.id)) bits |= BigInt(role.permissions);
    }
    return (bits & Permission.Administrator) !== 0n ? ALL_PERMISSIONS : bits;
  }

  /** The DM channel between the bot and `user`, created on first use (optionally with an id). */
  ensureDm(user: DoubleUser, wantedId?: string): ChannelRecord {
    const stored = this.upsertUser(user);
    const existingId = this.dms.get(user.id);
    if (existingId) {
      if (wantedId && wantedId !== existingId) {
        throw new Error(
          `discord double: user ${user.id} already has DM channel ${existingId}; a user has one DM channel with the bot`,
        );
      }
      return this.channels.get(existingId)!;
    }
    const id = wantedId ?? this.nextId();
    const clash = this.channels.get(id);
    if (clash) {
      throw new Error(`discord double: channel ${id} already exists and is not ${user.id}'s DM with the bot`);
    }
    const channel: ChannelRecord = { id, type: ChannelKind.DM, recipient: stored, lastMessageId: null };
    this.channels.set(id, channel);
    this.dms.set(user.id, id);
    return channel;
  }

  requireGuild(guildId: string): GuildRecord {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`discord double: unknown guild ${guildId}; call addGuild first`);
    return guild;
  }

  /** Commands registered for a scope: a guild's, or the global ones when `guildId` is absent. */
  commandsFor(guildId?: string): StoredCommand[] {
    if (guildId === undefined) return this.globalCommands;
    let list = this.guildCommands.get(guildId);
    if (!list) {
      list = [];
      this.guildCommands.set(guildId, list);
    }
    return list;
  }

  /** True once any command was registered in any scope. */
  hasRegisteredCommands(): boolean {
    if (this.globalCommands.length > 0) return true;
    for (const list of this.guildCommands.values()) if (list.length > 0) return true;
    return false;
  }

  /** URL under which the double serves a stored file. */
  attachmentUrl(channelId: string, attachmentId: string, name: string): string {
    return `${this.baseUrl()}/cdn/attachments/${channelId}/${attachmentId}/${encodeURIComponent(name)}`;
  }

  /** Stores a file and describes it as an attachment object. */
  storeAttachment(channelId: string, file: RecordedFile, extra: Partial<APIAttachment> = {}): APIAttachment {
    const id = this.nextId();
    this.attachments.set(id, file);
    return apiAttachment(id, file, this.attachmentUrl(channelId, id, file.name), extra);
  }

  /** Creates a bot-authored message in a channel from a message payload and uploaded files. */
  createMessage(opts: {
    channelId: string;
    payload: Record<string, any>;
    files: RecordedFile[];
    interactionId?: string;
    type?: number;
    flags?: number;
    viaWebhook?: boolean;
  }): MessageRecord {
    const channel = this.channels.get(opts.channelId);
    const message = apiMessage({
      id: this.nextId(),
      channelId: opts.channelId,
      guildId: channel?.guildId,
      author: this.botUser,
      type: opts.type,
      applicationId: opts.viaWebhook ? this.applicationId : undefined,
      webhookId: opts.viaWebhook ? this.applicationId : undefined,
    });
    const record: MessageRecord = { message, interactionId: opts.interactionId, deleted: false };
    this.applyPayload(record, opts.payload, opts.files, { creating: true });
    if (opts.flags !== undefined) (message as any).flags = opts.flags;
    const interaction = opts.interactionId ? this.interactions.get(opts.interactionId) : undefined;
    if (interaction) {
      const p = interaction.payload;
      const user = p.member?.user ?? p.user;
      (message as any).interaction_metadata = {
        id: p.id,
        type: p.type,
        user,
        authorizing_integration_owners: p.authorizing_integration_owners,
        ...(p.type === 3 ? { interacted_message_id: p.message?.id } : {}),
        ...(p.type === 2 ? { name: p.data?.name, command_type: p.data?.type } : {}),
      };
      if (p.type === 2) {
        (message as any).interaction = { id: p.id, type: p.type, name: p.data?.name, user };
      }
    }
    this.messages.set(message.id, record);
    if (channel) channel.lastMessageId = message.id;
    return record;
  }

  /**
   * Applies a create or edit payload: only fields present change. Attachments follow API v10:
   * a given `attachments` array lists what remains (existing ids kept, `id: n` refers to
   * `files[n]`); files it does not mention are appended, as discord.js always lists them.
   */
  applyPayload(
    record: MessageRecord,
    payload: Record<string, any>,
    files: RecordedFile[],
    how: { creating: boolean },
  ): void {
    const message = record.message as any;
    if ('content' in payload) message.content = payload.content ?? '';
    if ('embeds' in payload) message.embeds = payload.embeds ?? [];
    if ('components' in payload) message.components = payload.components ?? [];
    if ('poll' in payload && payload.poll) message.poll = payload.poll;
    if ('message_reference' in payload && payload.message_reference) {
      message.message_reference = { type: 0, channel_id: message.channel_id, ...payload.message_reference };
      message.type = 19;
    }
    if (typeof payload.flags === 'number') {
      // Ephemerality is fixed at creation; later edits may only toggle the cosmetic flags.
      const keep = how.creating ? payload.flags : (message.flags & MessageFlag.Ephemeral) | (payload.flags & ~MessageFlag.Ephemeral);
      message.flags = keep;
    }
    // The first edit of a deferred reply turns "thinking…" into the real message.
    if (!how.creating) message.flags &= ~MessageFlag.Loading;
    const existing: APIAttachment[] = how.creating ? [] : message.attachments ?? [];
    const used = new Set<number>();
    const next: APIAttachment[] = [];
    if (Array.isArray(payload.attachments)) {
      for (const entry of payload.attachments) {
        const id = String(entry?.id ?? '');
        const kept = existing.find((a) => a.id === id);
        if (kept) {
          next.push(kept);
          continue;
        }
        const index = Number(id);
        const file = Number.isInteger(index) ? files[index] : undefined;
        if (file && !used.has(index)) {
          used.add(index);
          const named = typeof entry.filename === 'string' ? { ...file, name: entry.filename } : file;
          next.push(
            this.storeAttachment(message.channel_id, named, entry.description ? { description: entry.description } : {}),
          );
        }
      }
    } else {
      next.push(...existing);
    }
    files.forEach((file, index) => {
      if (!used.has(index)) next.push(this.storeAttachment(message.channel_id, file));
    });
    message.attachments = next;
    if (!how.creating) message.edited_timestamp = new Date().toISOString();
  }

  /** Records a response and wakes waiters. */
  record(response: DoubleResponse): void {
    if (response.interactionId) {
      this.interactions.get(response.interactionId)?.responses.push(response);
    }
    if (response.kind === 'channel-message') {
      let list = this.channelPosts.get(response.channelId);
      if (!list) {
        list = [];
        this.channelPosts.set(response.channelId, list);
      }
      list.push(response);
    }
    this.events.emit('response', response);
  }

  /** Takes the first hold matching a request (once). */
  takeHold(method: string, path: string): HeldRequest | undefined {
    const index = this.holds.findIndex(
      (h) => (!h.method || h.method.toUpperCase() === method) && (typeof h.path === 'string' ? h.path === path : h.path.test(path)),
    );
    return index < 0 ? undefined : this.holds.splice(index, 1)[0];
  }

  /** Takes the first injected fault matching a request, decrementing its count. */
  takeFault(method: string, path: string): InjectedFault | undefined {
    const index = this.faults.findIndex(
      (f) =>
        (!f.method || f.method.toUpperCase() === method) &&
        (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) this.faults.splice(index, 1);
    else fault.times = left;
    return fault;
  }
}

/**
 * Resolves with the first item of `current()` (now or later, re-checked on every `event`) that
 * matches `predicate`; rejects after `timeoutMs` with `describe()` in the message so a failing
 * test shows what did arrive.
 */
export function waitFor<T>(
  emitter: EventEmitter,
  event: string,
  current: () => T[],
  predicate: (item: T) => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<T> {
  const found = current().find(predicate);
  if (found) return Promise.resolve(found);
  return new Promise<T>((resolve, reject) => {
    const onEvent = () => {
      const hit = current().find(predicate);
      if (hit) {
        cleanup();
        resolve(hit);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`discord double: timed out after ${timeoutMs} ms waiting for ${describe()}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      emitter.off(event, onEvent);
    };
    emitter.on(event, onEvent);
  });
}
