/**
 * Shapes of Discord API objects (users, members, roles, channels, guilds, messages) as the
 * double serves them, plus snowflake ids and permission bits. Types come from
 * discord-api-types (re-exported by discord.js) and are imported as types only, so the double
 * never loads the client library it is testing.
 */
import { randomBytes } from 'node:crypto';
import type {
  APIAttachment,
  APIChannel,
  APIGuild,
  APIGuildMember,
  APIMessage,
  APIRole,
  APIUser,
} from 'discord.js';

/** Discord's epoch (2015-01-01T00:00:00Z) in ms; snowflakes count from it. */
export const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Returns a generator of unique, increasing snowflake strings carrying the current time, so
 * discord.js's `createdTimestamp` of anything the double creates is plausible.
 */
export function snowflakeFactory(): () => string {
  let lastMs = 0n;
  let increment = 0n;
  return () => {
    let ms = BigInt(Date.now()) - DISCORD_EPOCH;
    if (ms <= lastMs) {
      ms = lastMs;
      increment += 1n;
      // 12 bits of increment per ms; borrow the next ms rather than wrap and collide.
      if (increment > 0xfffn) {
        ms += 1n;
        increment = 0n;
      }
    } else {
      increment = 0n;
    }
    lastMs = ms;
    return ((ms << 22n) | (1n << 17n) | increment).toString();
  };
}

/** True when `value` looks like a snowflake (digits only, 17–20 long in practice). */
export function isSnowflake(value: string): boolean {
  return /^\d{1,20}$/.test(value);
}

/** Opaque interaction token, URL-safe like Discord's. */
export function interactionToken(): string {
  return `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
}

/** Permission bits used by the double (Discord's values). */
export const Permission = {
  CreateInstantInvite: 1n << 0n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  ChangeNickname: 1n << 26n,
  UseApplicationCommands: 1n << 31n,
  SendMessagesInThreads: 1n << 38n,
} as const;

/** Every permission bit Discord defines today (what Administrator and guild owners get). */
export const ALL_PERMISSIONS = (1n << 51n) - 1n;

/** What `@everyone` may do in a fresh guild (a subset of Discord's defaults). */
export const EVERYONE_PERMISSIONS =
  Permission.CreateInstantInvite |
  Permission.AddReactions |
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.ReadMessageHistory |
  Permission.UseExternalEmojis |
  Permission.ChangeNickname |
  Permission.UseApplicationCommands |
  Permission.SendMessagesInThreads;

/** The bot's managed role: what an invite with the usual scopes grants. */
export const BOT_ROLE_PERMISSIONS = EVERYONE_PERMISSIONS;

/** `app_permissions` in the bot's own DMs, as Discord documents them. */
export const BOT_DM_APP_PERMISSIONS =
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.ReadMessageHistory |
  Permission.AttachFiles |
  Permission.EmbedLinks |
  Permission.MentionEveryone |
  Permission.UseExternalEmojis |
  Permission.AddReactions;

/** Channel types the double creates. */
export const ChannelKind = { GuildText: 0, DM: 1 } as const;

/** Largest upload per file, as `attachment_size_limit` (10 MiB, an unboosted guild). */
export const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

/** A user as tests describe one. */
export interface DoubleUser {
  /** Snowflake id (any digit string). */
  id: string;
  username: string;
  /** Display name; Discord sends `null` when unset. */
  global_name?: string | null;
  /** Client locale sent as the interaction's `locale` (default `en-US`). */
  locale?: string;
  bot?: boolean;
}

/** Serialises a user as Discord's user object. */
export function apiUser(user: DoubleUser): APIUser {
  return {
    id: user.id,
    username: user.username,
    global_name: user.global_name ?? null,
    discriminator: '0',
    avatar: null,
    ...(user.bot ? { bot: true } : {}),
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    primary_guild: null,
    collectibles: null,
  } as unknown as APIUser;
}

/** Internal record of one guild member. */
export interface MemberRecord {
  user: DoubleUser;
  roles: string[];
  joinedAt: string;
  nick: string | null;
}

/** Serialises a member (REST/gateway shape; interactions add `permissions`). */
export function apiMember(member: MemberRecord): APIGuildMember {
  return {
    user: apiUser(member.user),
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: [...member.roles],
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  } as unknown as APIGuildMember;
}

/** Serialises a role. */
export function apiRole(spec: {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  managed?: boolean;
  botId?: string;
}): APIRole {
  return {
    id: spec.id,
    name: spec.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: spec.position,
    permissions: spec.permissions.toString(),
    managed: spec.managed ?? false,
    mentionable: false,
    flags: 0,
    ...(spec.botId ? { tags: { bot_id: spec.botId } } : {}),
  } as unknown as APIRole;
}

/** Internal record of one channel (guild text channel or DM). */
export interface ChannelRecord {
  id: string;
  type: (typeof ChannelKind)[keyof typeof ChannelKind];
  name?: string;
  guildId?: string;
  position?: number;
  /** The other party of a DM. */
  recipient?: DoubleUser;
  lastMessageId: string | null;
}

/** Serialises a channel as REST and GUILD_CREATE return it. */
export function apiChannel(channel: ChannelRecord): APIChannel {
  if (channel.type === ChannelKind.DM) {
    return {
      id: channel.id,
      type: ChannelKind.DM,
      last_message_id: channel.lastMessageId,
      flags: 0,
      recipients: channel.recipient ? [apiUser(channel.recipient)] : [],
    } as unknown as APIChannel;
  }
  return {
    id: channel.id,
    type: ChannelKind.GuildText,
    guild_id: channel.guildId,
    name: channel.name ?? 'general',
    position: channel.position ?? 0,
    permission_overwrites: [],
    nsfw: false,
    topic: null,
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
    parent_id: null,
    last_pin_timestamp: null,
    default_thread_rate_limit_per_user: 0,
    flags: 0,
  } as unknown as APIChannel;
}

/** Internal record of one guild. */
export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  locale: string;
  roles: APIRole[];
  /** Role ids by purpose, so members can be given Manage Server or Administrator. */
  roleIds: { everyone: string; bot: string; manager: string; admin: string };
  channelIds: string[];
  members: Map<string, MemberRecord>;
  joinedAt: string;
}

/** Serialises a guild as GET /guilds/:id returns it (no members or channels). */
export function apiGuild(guild: GuildRecord): APIGuild {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    region: 'deprecated',
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: guild.roles,
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: guild.channelIds[0] ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    max_presences: null,
    max_members: 500_000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: guild.locale,
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
  } as unknown as APIGuild;
}

/** A file as the double received (or serves) it. */
export interface RecordedFile {
  name: string;
  bytes: Buffer;
  contentType: string;
}

/** Serialises an uploaded file as a message attachment whose `url` the double serves. */
export function apiAttachment(
  id: string,
  file: RecordedFile,
  url: string,
  extra: Partial<APIAttachment> = {},
): APIAttachment {
  return {
    id,
    filename: file.name,
    size: file.bytes.length,
    url,
    proxy_url: url,
    content_type: file.contentType,
    ...extra,
  };
}

/** Message flag bits the double interprets. */
export const MessageFlag = {
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  SuppressNotifications: 1 << 12,
  IsComponentsV2: 1 << 15,
} as const;

/** Builds a bot-authored message object around the given fields. */
export function apiMessage(fields: {
  id: string;
  channelId: string;
  guildId?: string;
  author: DoubleUser;
  type?: number;
  applicationId?: string;
  webhookId?: string;
  timestamp?: string;
}): APIMessage {
  return {
    id: fields.id,
    channel_id: fields.channelId,
    ...(fields.guildId ? { guild_id: fields.guildId } : {}),
    author: apiUser(fields.author),
    content: '',
    timestamp: fields.timestamp ?? new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: fields.type ?? 0,
    flags: 0,
    components: [],
    ...(fields.applicationId ? { application_id: fields.applicationId } : {}),
    ...(fields.webhookId ? { webhook_id: fields.webhookId } : {}),
  } as unknown as APIMessage;
}
