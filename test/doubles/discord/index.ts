/**
 * A local test double of Discord's REST API and Gateway for end-to-end tests that drive the
 * real discord.js 14 client.
 *
 * ```ts
 * const discord = await startDiscordDouble();
 * const guild = discord.addGuild({ name: 'Flat', channels: [{ name: 'money' }] });
 * const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.restApi } });
 * await client.login(discord.token); // GET /gateway/bot hands out the double's WebSocket URL
 * const interaction = discord.sendCommand({ guildId: guild.id, channelId: guild.channels[0]!.id,
 *   user: { id: '42', username: 'ann' }, name: 'spend', options: { record: '4.50 coffee' } });
 * const reply = await discord.waitForResponse(interaction.id);
 * ```
 *
 * Only `rest.api` needs pointing at the double: discord.js takes the gateway URL from
 * GET /gateway/bot and the resume URL from READY, both of which the double serves.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { APIApplicationCommand, APIMessage } from 'discord.js';
import { apiChannel, apiMember, snowflakeFactory, type DoubleUser, type RecordedFile } from './fixtures.js';
import { DiscordGateway, Intent, guildCreatePayload, type GatewayStats } from './gateway.js';
import {
  autocompleteInteraction,
  commandInteraction,
  componentInteraction,
  type AutocompleteSpec,
  type ButtonSpec,
  type CommandSpec,
  type SelectSpec,
} from './interactions.js';
import { createRestApp } from './rest.js';
import {
  DiscordState,
  waitFor,
  type DoubleResponse,
  type InjectedFault,
  type RequestLogEntry,
} from './state.js';

export type { DoubleUser, RecordedFile } from './fixtures.js';
export type { DoubleResponse, InjectedFault, RequestLogEntry } from './state.js';
export type { AttachmentSpec, AutocompleteSpec, ButtonSpec, CommandSpec, SelectSpec } from './interactions.js';
export type { GatewayStats } from './gateway.js';

/** Options of {@link startDiscordDouble}. */
export interface DiscordDoubleOptions {
  /** Bot token the double accepts (REST `Authorization: Bot <token>`, gateway IDENTIFY). */
  token?: string;
  /** Application id; also the bot user's id, as for every modern Discord app. */
  applicationId?: string;
  /** Bot user name (default `COIN`). */
  botUsername?: string;
  /** HELLO `heartbeat_interval` in ms (default 41250, Discord's). */
  heartbeatIntervalMs?: number;
  /**
   * Reject interaction callbacks later than this many ms with 10062 "Unknown interaction"
   * (Discord: 3000). Unset: no deadline.
   */
  interactionTimeoutMs?: number;
}

/** A guild as created by {@link DiscordDouble.addGuild}. */
export interface GuildSpec {
  id: string;
  name: string;
  channels: { id: string; name: string }[];
  /** Role ids: `everyone` (= guild id), the bot's managed role, Manage Server, Administrator. */
  roles: { everyone: string; bot: string; manager: string; admin: string };
}

/**
 * An INTERACTION_CREATE payload as dispatched (Discord's interaction object). `token` is what
 * discord.js uses for the callback and webhook routes.
 */
export interface DoubleInteraction {
  id: string;
  application_id: string;
  type: number;
  token: string;
  channel_id: string;
  guild_id?: string;
  data: Record<string, any>;
  member?: Record<string, any>;
  user?: Record<string, any>;
  message?: APIMessage;
  [field: string]: any;
}

/** The running double and its test API. */
export interface DiscordDouble {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Value for discord.js `new Client({ rest: { api } })` (`<url>/api`). */
  readonly restApi: string;
  /** The WebSocket URL GET /gateway/bot returns. */
  readonly gatewayUrl: string;
  readonly token: string;
  readonly applicationId: string;
  /** The bot's user (id = applicationId). */
  readonly botUser: DoubleUser;
  /** Every REST request received, oldest first (path without `/api/v10`). */
  readonly requests: RequestLogEntry[];
  /** Gateway counters: connections, identifies, resumes, heartbeats. */
  readonly gatewayStats: GatewayStats;

  /**
   * Creates a guild the bot is in (default one channel `general`). Roles: @everyone, the bot's
   * managed role, `Manager` (Manage Server) and `Admin` (Administrator). If a client is already
   * connected it receives GUILD_CREATE, as when a bot joins a server.
   */
  addGuild(spec: { id?: string; name: string; locale?: string; ownerId?: string; channels?: { id?: string; name: string }[] }): GuildSpec;
  /** Adds a text channel to a guild (CHANNEL_CREATE to connected clients). */
  addChannel(guildId: string, spec: { id?: string; name: string }): { id: string; name: string };
  /**
   * Adds a member (or replaces their roles). `manageGuild` gives the Manage Server role, so
   * interactions carry `member.permissions` with bit 1<<5; `administrator` gives Administrator.
   */
  addMember(
    guildId: string,
    user: DoubleUser,
    opts?: { manageGuild?: boolean; administrator?: boolean },
  ): void;

  /**
   * Dispatches a slash command (APPLICATION_COMMAND) as `user` in `channelId`: in a guild when
   * `guildId` is given, else in the user's DM with the bot (the channel becomes that DM).
   * Once any command is registered the invocation must match a registered one visible there
   * (guild + global in guilds, global only in DMs), with its subcommand path, required options,
   * choices and limits; option types come from that definition (else from the JS values).
   * Throws when no client session exists. Returns the dispatched interaction.
   */
  sendCommand(spec: CommandSpec): DoubleInteraction;
  /** Dispatches APPLICATION_COMMAND_AUTOCOMPLETE with `options[focused]` as the typed text. */
  sendAutocomplete(spec: AutocompleteSpec): DoubleInteraction;
  /** Presses a button on a message the bot sent (MESSAGE_COMPONENT, component_type 2). */
  pressButton(spec: ButtonSpec): DoubleInteraction;
  /** Picks values in a string select menu on a message the bot sent (component_type 3). */
  selectMenu(spec: SelectSpec): DoubleInteraction;
  /** Dispatches the same INTERACTION_CREATE again (same id and token), as a duplicate delivery. */
  redeliver(interaction: { id: string }): void;

  /** What the bot answered to an interaction: callback, edits, follow-ups, deletes, in order. */
  responses(interactionId: string): DoubleResponse[];
  /**
   * Resolves with the first response to `interactionId` (already received or future) that
   * matches `predicate` (default: any). Rejects after `timeoutMs` (default 5000) listing what
   * arrived and any failed REST requests.
   */
  waitForResponse(
    interactionId: string,
    predicate?: (response: DoubleResponse) => boolean,
    timeoutMs?: number,
  ): Promise<DoubleResponse>;
  /** Messages posted with POST /channels/:id/messages to a channel (not interaction replies). */
  channelMessages(channelId: string): DoubleResponse[];
  /** Like {@link waitForResponse} for {@link channelMessages}. */
  waitForChannelMessage(
    channelId: string,
    predicate?: (response: DoubleResponse) => boolean,
    timeoutMs?: number,
  ): Promise<DoubleResponse>;
  /** Waits for a message posted into `userId`'s DM channel (created by the bot if need be). */
  waitForDirectMessage(
    userId: string,
    predicate?: (response: DoubleResponse) => boolean,
    timeoutMs?: number,
  ): Promise<DoubleResponse>;
  /** The DM channel id between the bot and `userId`, if one exists. */
  dmChannelId(userId: string): string | undefined;
  /** Current state of a message the bot wrote (edits applied), unless deleted. */
  message(messageId: string): APIMessage | undefined;
  /** What a channel shows now: the bot's live messages, oldest first (ephemeral included). */
  messagesIn(channelId: string): APIMessage[];
  /** Bytes of a file the double stores (message attachments), by attachment id. */
  attachment(attachmentId: string): RecordedFile | undefined;

  /** Registered commands: a guild's when `guildId` is given, else the global ones. */
  registeredCommands(guildId?: string): APIApplicationCommand[];

  /** Makes the next matching REST request(s) fail (e.g. a 429 or a 500). */
  failNext(fault: InjectedFault): void;
  /**
   * Holds the next matching REST request unanswered until `release()` (or `close`): as if it were
   * lost on the way (no effect), or with `afterEffect` applied and only its answer held (Discord
   * took it; the caller never hears). `reached` resolves when the request arrives: a test kills
   * the process it came from there.
   */
  holdNext(spec: { method?: string; path: string | RegExp; afterEffect?: boolean }): { reached: Promise<void>; release(): void };
  /** The user has closed DMs: posting into their DM answers 403 / 50007. */
  closeDirectMessages(userId: string): void;
  /** Sends op 7 RECONNECT; discord.js reconnects and RESUMEs. */
  requestReconnect(): void;
  /** Closes the client sockets with `code` (default 4000, after which discord.js resumes). */
  dropConnections(code?: number): void;
  /**
   * Sends op 9 INVALID_SESSION. Not resumable (default): discord.js re-identifies, which its
   * identify throttle may delay by up to ~6.5 s.
   */
  invalidateSessions(resumable?: boolean): void;
  /** Number of open gateway sockets. */
  openGatewayConnections(): number;

  /** Stops the servers, closing sockets and keep-alive connections. Idempotent. */
  close(): Promise<void>;
}

function tokenFor(applicationId: string): string {
  // Real tokens start with the base64 bot id, so code that derives the id from it keeps working.
  const head = Buffer.from(applicationId).toString('base64').replace(/=+$/, '');
  return `${head}.DoUbLe.discord-double-test-token`;
}

/** Starts the double on 127.0.0.1 with an ephemeral port. */
export async function startDiscordDouble(opts: DiscordDoubleOptions = {}): Promise<DiscordDouble> {
  const applicationId = opts.applicationId ?? snowflakeFactory()();
  const token = opts.token ?? tokenFor(applicationId);
  let base = '';
  const state = new DiscordState({
    token,
    applicationId,
    botUser: { id: applicationId, username: opts.botUsername ?? 'COIN', bot: true },
    baseUrl: () => base,
  });
  const gatewayUrl = () => base.replace(/^http/, 'ws');
  const gateway = new DiscordGateway(state, {
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250,
    url: gatewayUrl,
  });
  const app = createRestApp(state, { gatewayUrl, interactionTimeoutMs: opts.interactionTimeoutMs });
  const server: Server = createServer(getRequestListener(app.fetch, { overrideGlobalObjects: false }));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request, socket, head) => gateway.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const dispatchInteraction = (payload: Record<string, any>): DoubleInteraction => {
    if (!gateway.hasSession()) {
      throw new Error('discord double: no gateway session to deliver INTERACTION_CREATE to; log the client in first');
    }
    const record = { payload, token: payload.token as string, createdAt: Date.now(), responses: [] };
    state.interactions.set(payload.id, record);
    state.interactionsByToken.set(record.token, record);
    gateway.dispatch('INTERACTION_CREATE', structuredClone(payload), { guildId: payload.guild_id });
    return structuredClone(payload) as DoubleInteraction;
  };

  /** Explains a timeout: what arrived, failed REST calls, gateway state. */
  const diagnose = (what: string, got: DoubleResponse[]) => () => {
    const failed = state.requests
      .filter((r) => r.status >= 400)
      .slice(-5)
      .map((r) => `${r.method} ${r.path} → ${r.status}`);
    return [
      what,
      `; received ${got.length}: ${JSON.stringify(got.map((r) => ({ kind: r.kind, type: r.type, data: r.data })))}`,
      failed.length ? `; failed requests: ${failed.join(', ')}` : '',
      `; open gateway sockets: ${gateway.openConnections()}`,
    ].join('');
  };

  let closed: Promise<void> | undefined;
  const holds: { release(): void }[] = [];
  const double: DiscordDouble = {
    url: base,
    restApi: `${base}/api`,
    gatewayUrl: gatewayUrl(),
    token,
    applicationId,
    botUser: state.botUser,
    requests: state.requests,
    gatewayStats: gateway.stats,

    addGuild(spec) {
      const guild = state.addGuild(spec);
      if (gateway.hasSession()) {
        gateway.dispatch('GUILD_CREATE', guildCreatePayload(state, guild), { guildId: guild.id, intent: Intent.Guilds });
      }
      return {
        id: guild.id,
        name: guild.name,
        channels: guild.channelIds.map((id) => ({ id, name: state.channels.get(id)!.name! })),
        roles: { ...guild.roleIds },
      };
    },
    addChannel(guildId, spec) {
      const channel = state.addChannel(guildId, spec);
      gateway.dispatch('CHANNEL_CREATE', apiChannel(channel), { guildId, intent: Intent.Guilds });
      return { id: channel.id, name: channel.name! };
    },
    addMember(guildId, user, memberOpts) {
      const isNew = !state.requireGuild(guildId).members.has(user.id);
      const member = state.addMember(guildId, user, memberOpts);
      const event = isNew ? 'GUILD_MEMBER_ADD' : 'GUILD_MEMBER_UPDATE';
      gateway.dispatch(event, { ...apiMember(member), guild_id: guildId }, { guildId, intent: Intent.GuildMembers });
    },

    sendCommand: (spec) => dispatchInteraction(commandInteraction(state, spec)),
    sendAutocomplete: (spec) => dispatchInteraction(autocompleteInteraction(state, spec)),
    pressButton: (spec) => dispatchInteraction(componentInteraction(state, spec, { componentType: 2 })),
    selectMenu: (spec) => dispatchInteraction(componentInteraction(state, spec, { componentType: 3, values: spec.values })),
    redeliver(interaction) {
      const record = state.interactions.get(interaction.id);
      if (!record) throw new Error(`discord double: unknown interaction ${interaction.id}`);
      gateway.dispatch('INTERACTION_CREATE', structuredClone(record.payload), { guildId: record.payload.guild_id });
    },

    responses: (interactionId) => [...(state.interactions.get(interactionId)?.responses ?? [])],
    waitForResponse(interactionId, predicate = () => true, timeoutMs = 5000) {
      const current = () => state.interactions.get(interactionId)?.responses ?? [];
      return waitFor(state.events, 'response', current, predicate, timeoutMs, () =>
        diagnose(`a response to interaction ${interactionId}`, current())(),
      );
    },
    channelMessages: (channelId) => [...(state.channelPosts.get(channelId) ?? [])],
    waitForChannelMessage(channelId, predicate = () => true, timeoutMs = 5000) {
      const current = () => state.channelPosts.get(channelId) ?? [];
      return waitFor(state.events, 'response', current, predicate, timeoutMs, () =>
        diagnose(`a message in channel ${channelId}`, current())(),
      );
    },
    waitForDirectMessage(userId, predicate = () => true, timeoutMs = 5000) {
      const current = () => {
        const channelId = state.dms.get(userId);
        return channelId ? state.channelPosts.get(channelId) ?? [] : [];
      };
      return waitFor(state.events, 'response', current, predicate, timeoutMs, () =>
        diagnose(`a direct message to user ${userId}`, current())(),
      );
    },
    dmChannelId: (userId) => state.dms.get(userId),
    message(messageId) {
      const record = state.messages.get(messageId);
      return record && !record.deleted ? structuredClone(record.message) : undefined;
    },
    messagesIn: (channelId) =>
      [...state.messages.values()]
        .filter((m) => !m.deleted && m.message.channel_id === channelId)
        .map((m) => structuredClone(m.message)),
    attachment: (attachmentId) => state.attachments.get(attachmentId),

    registeredCommands: (guildId) =>
      structuredClone(guildId === undefined ? state.globalCommands : state.guildCommands.get(guildId) ?? []),

    failNext: (fault) => void state.faults.push({ ...fault }),
    holdNext(spec) {
      let reached!: () => void;
      let release!: () => void;
      const hold = {
        ...spec,
        reached: () => reached(),
        released: new Promise<void>((resolve) => (release = resolve)),
        release: () => release(),
      };
      const arrived = new Promise<void>((resolve) => (reached = resolve));
      state.holds.push(hold);
      holds.push(hold);
      return { reached: arrived, release: hold.release };
    },
    closeDirectMessages: (userId) => void state.closedDms.add(userId),
    requestReconnect: () => gateway.requestReconnect(),
    dropConnections: (code) => gateway.dropConnections(code),
    invalidateSessions: (resumable) => gateway.invalidateSessions(resumable),
    openGatewayConnections: () => gateway.openConnections(),

    close() {
      closed ??= (async () => {
        holds.forEach((h) => h.release());
        await gateway.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive sockets from undici would otherwise hold server.close() open.
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        await stopped;
        state.events.removeAllListeners();
      })();
      return closed;
    },
  };
  return double;
}
