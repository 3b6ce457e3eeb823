/**
 * Discord Gateway v10 over WebSocket (JSON encoding; optional `compress=zlib-stream`).
 *
 * What @discordjs/ws 1.x (discord.js 14.28) does, and so what this serves: it asks REST for
 * GET /gateway/bot, connects to `<url>?v=10&encoding=json` (adding `&compress=zlib-stream` only
 * when the optional `zlib-sync` package is installed), waits for HELLO, sends IDENTIFY (op 2)
 * or, when it holds a session, RESUME (op 6) to `resume_gateway_url`, then heartbeats (op 1)
 * every `heartbeat_interval` and expects HEARTBEAT_ACK (op 11). The double never times
 * heartbeats out and runs no timers, so it cannot keep a test process alive.
 *
 * Sessions outlive their socket until the client closes with 1000/1001 (discord.js does so on
 * `destroy()`); events dispatched while a session is disconnected are replayed on RESUME,
 * followed by RESUMED, as Discord does.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { apiChannel, apiGuild, apiMember, apiUser, type GuildRecord } from './fixtures.js';
import type { DiscordState } from './state.js';

/** Gateway opcodes. */
export const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  RequestSoundboardSounds: 31,
} as const;

/** Gateway intents the double looks at. */
export const Intent = { Guilds: 1 << 0, GuildMembers: 1 << 1 } as const;

interface LoggedEvent {
  op: 0;
  s: number;
  t: string;
  d: unknown;
}

/** One gateway session (survives reconnects until invalidated). */
export interface GatewaySession {
  id: string;
  seq: number;
  intents: number;
  shard: [number, number];
  /** Recent dispatches, replayed on RESUME. */
  log: LoggedEvent[];
  connection: Connection | null;
}

interface Connection {
  socket: WebSocket;
  session: GatewaySession | null;
  deflate: zlib.Deflate | null;
  chain: Promise<void>;
}

/** Counters a test can assert on (e.g. that a reconnect resumed instead of re-identifying). */
export interface GatewayStats {
  connections: number;
  identifies: number;
  resumes: number;
  heartbeats: number;
}

const LOG_LIMIT = 2000;

/** The gateway endpoint; attach it to the HTTP server's `upgrade` event. */
export class DiscordGateway {
  readonly sessions = new Map<string, GatewaySession>();
  readonly stats: GatewayStats = { connections: 0, identifies: 0, resumes: 0, heartbeats: 0 };
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly state: DiscordState,
    private readonly options: { heartbeatIntervalMs: number; url: () => string },
  ) {
    this.wss.on('connection', (socket: WebSocket, request: IncomingMessage) => this.onConnection(socket, request));
  }

  /** Takes over an HTTP upgrade request. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
  }

  /** Number of sockets currently open. */
  openConnections(): number {
    return [...this.connections].filter((c) => c.socket.readyState === WebSocket.OPEN).length;
  }

  /** True when some session would receive a dispatch (connected, or resumable and buffering). */
  hasSession(): boolean {
    return this.sessions.size > 0;
  }

  /**
   * Dispatches an event to every session on whose shard `guildId` lives (DMs: shard 0) and
   * whose intents include `intent` (when given). Returns how many sessions got it.
   */
  dispatch(t: string, d: unknown, route: { guildId?: string; intent?: number } = {}): number {
    let reached = 0;
    for (const session of this.sessions.values()) {
      if (!this.onShard(session, route.guildId)) continue;
      if (route.intent !== undefined && (session.intents & route.intent) === 0) continue;
      this.sendDispatch(session, t, d);
      reached += 1;
    }
    return reached;
  }

  /** Sends op 7 RECONNECT: discord.js closes with 4200 and resumes. */
  requestReconnect(): void {
    for (const connection of this.connections) this.send(connection, { op: Op.Reconnect, d: null, s: null, t: null });
  }

  /** Closes every socket with `code` (4000 makes discord.js resume; 4004 is fatal). */
  dropConnections(code = 4000, reason = 'dropped by the double'): void {
    for (const connection of this.connections) connection.socket.close(code, reason);
  }

  /** Sends op 9 INVALID_SESSION; when not resumable the sessions are forgotten. */
  invalidateSessions(resumable = false): void {
    for (const connection of this.connections) {
      this.send(connection, { op: Op.InvalidSession, d: resumable, s: null, t: null });
    }
    if (!resumable) this.sessions.clear();
  }

  /** Closes all sockets and the WebSocket server. */
  async close(): Promise<void> {
    for (const connection of this.connections) {
      connection.socket.terminate();
      connection.deflate?.close();
    }
    this.connections.clear();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onShard(session: GatewaySession, guildId: string | undefined): boolean {
    const [id, count] = session.shard;
    if (count <= 1) return true;
    const shardOf = guildId === undefined ? 0 : Number((BigInt(guildId) >> 22n) % BigInt(count));
    return shardOf === id;
  }

  private onConnection(socket: WebSocket, request: IncomingMessage): void {
    this.stats.connections += 1;
    const query = new URL(request.url ?? '/', 'http://gateway.invalid').searchParams;
    const connection: Connection = { socket, session: null, deflate: null, chain: Promise.resolve() };
    this.connections.add(connection);
    socket.on('close', (code) => this.onClose(connection, code));
    socket.on('error', () => undefined);
    const version = query.get('v');
    if (version !== '10' && version !== '9') {
      socket.close(4012, 'Invalid API version');
      return;
    }
    const encoding = query.get('encoding') ?? 'json';
    if (encoding !== 'json') {
      // The double speaks JSON only; ETF clients are told their payloads cannot be decoded.
      socket.close(4002, 'Decode error: only encoding=json is supported by the double');
      return;
    }
    const compress = query.get('compress');
    if (compress === 'zlib-stream') {
      connection.deflate = zlib.createDeflate({ chunkSize: 65_535 });
    } else if (compress) {
      socket.close(4002, `Unsupported compression ${compress}`);
      return;
    }
    socket.on('message', (data, isBinary) => this.onMessage(connection, data, isBinary));
    this.send(connection, {
      op: Op.Hello,
      d: { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: ['["discord-double",{"micros":0}]'] },
      s: null,
      t: null,
    });
  }

  private onClose(connection: Connection, code: number): void {
    this.connections.delete(connection);
    connection.deflate?.close();
    const session = connection.session;
    if (!session || session.connection !== connection) return;
    session.connection = null;
    // A normal close ends the session on Discord's side; anything else leaves it resumable.
    if (code === 1000 || code === 1001) this.sessions.delete(session.id);
  }

  private onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    let payload: { op?: unknown; d?: any };
    try {
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      payload = JSON.parse(text);
      void isBinary;
    } catch {
      connection.socket.close(4002, 'Error while decoding payload.');
      return;
    }
    const op = payload.op;
    switch (op) {
      case Op.Heartbeat:
        this.stats.heartbeats += 1;
        this.send(connection, { op: Op.HeartbeatAck, d: null, s: null, t: null });
        return;
      case Op.Identify:
        this.identify(connection, payload.d);
        return;
      case Op.Resume:
        this.resume(connection, payload.d);
        return;
      default:
        break;
    }
    if (!connection.session) {
      connection.socket.close(4003, 'Not authenticated.');
      return;
    }
    switch (op) {
      case Op.PresenceUpdate:
      case Op.VoiceStateUpdate:
      case Op.RequestSoundboardSounds:
        return;
      case Op.RequestGuildMembers:
        this.requestGuildMembers(connection.session, payload.d);
        return;
      default:
        connection.socket.close(4001, 'Unknown opcode.');
    }
  }

  private tokenMatches(token: unknown): boolean {
    return typeof token === 'string' && token.replace(/^Bot\s+/i, '') === this.state.token;
  }

  private identify(connection: Connection, d: any): void {
    if (connection.session) {
      connection.socket.close(4005, 'Already authenticated.');
      return;
    }
    if (!d || !this.tokenMatches(d.token)) {
      connection.socket.close(4004, 'Authentication failed.');
      return;
    }
    if (typeof d.intents !== 'number' || d.intents < 0) {
      connection.socket.close(4013, 'Invalid intent(s).');
      return;
    }
    const shard: [number, number] = Array.isArray(d.shard) ? [Number(d.shard[0]), Number(d.shard[1])] : [0, 1];
    if (!(shard[1] >= 1) || !(shard[0] >= 0) || shard[0] >= shard[1]) {
      connection.socket.close(4010, 'Invalid shard.');
      return;
    }
    this.stats.identifies += 1;
    const session: GatewaySession = {
      id: randomBytes(16).toString('hex'),
      seq: 0,
      intents: d.intents,
      shard,
      log: [],
      connection,
    };
    connection.session = session;
    this.sessions.set(session.id, session);
    const guilds = [...this.state.guilds.values()].filter((g) => this.onShard(session, g.id));
    this.sendDispatch(session, 'READY', {
      v: 10,
      user_settings: {},
      user: { ...apiUser(this.state.botUser), verified: true, mfa_enabled: false, email: null },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      guild_join_requests: [],
      relationships: [],
      private_channels: [],
      presences: [],
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.options.url(),
      shard,
      application: { id: this.state.applicationId, flags: 0 },
      auth: {},
      geo_ordered_rtc_regions: [],
      _trace: ['["discord-double",{"micros":0}]'],
    });
    // Without the Guilds intent Discord sends no GUILD_CREATE and discord.js does not wait.
    if ((session.intents & Intent.Guilds) !== 0) {
      for (const guild of guilds) this.sendDispatch(session, 'GUILD_CREATE', guildCreatePayload(this.state, guild));
    }
  }

  private resume(connection: Connection, d: any): void {
    const session = d && typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    if (!session || !this.tokenMatches(d.token) || connection.session) {
      this.send(connection, { op: Op.InvalidSession, d: false, s: null, t: null });
      return;
    }
    this.stats.resumes += 1;
    const previous = session.connection;
    if (previous && previous !== connection) {
      previous.session = null;
      previous.socket.close(4000, 'Session resumed elsewhere');
    }
    session.connection = connection;
    connection.session = session;
    const after = typeof d.seq === 'number' ? d.seq : 0;
    for (const event of session.log) if (event.s > after) this.send(connection, event);
    this.sendDispatch(session, 'RESUMED', { _trace: ['["discord-double",{"micros":0}]'] });
  }

  private requestGuildMembers(session: GatewaySession, d: any): void {
    const guild = d?.guild_id ? this.state.guilds.get(String(d.guild_id)) : undefined;
    if (!guild) return;
    const wanted: string[] | null = Array.isArray(d.user_ids) ? d.user_ids.map(String) : d.user_ids ? [String(d.user_ids)] : null;
    const query = typeof d.query === 'string' ? d.query.toLowerCase() : '';
    const limit = typeof d.limit === 'number' && d.limit > 0 ? d.limit : Infinity;
    const members = [...guild.members.values()]
      .filter((m) => (wanted ? wanted.includes(m.user.id) : m.user.username.toLowerCase().startsWith(query)))
      .slice(0, limit);
    const found = new Set(members.map((m) => m.user.id));
    this.sendDispatch(session, 'GUILD_MEMBERS_CHUNK', {
      guild_id: guild.id,
      members: members.map(apiMember),
      chunk_index: 0,
      chunk_count: 1,
      not_found: wanted ? wanted.filter((id) => !found.has(id)) : [],
      ...(d.nonce !== undefined ? { nonce: d.nonce } : {}),
    });
  }

  private sendDispatch(session: GatewaySession, t: string, d: unknown): void {
    session.seq += 1;
    const event: LoggedEvent = { op: 0, s: session.seq, t, d };
    session.log.push(event);
    if (session.log.length > LOG_LIMIT) session.log.splice(0, session.log.length - LOG_LIMIT);
    if (session.connection) this.send(session.connection, event);
  }

  private send(connection: Connection, payload: unknown): void {
    const json = JSON.stringify(payload);
    const { socket, deflate } = connection;
    if (!deflate) {
      if (socket.readyState === WebSocket.OPEN) socket.send(json);
      return;
    }
    // zlib-stream: one deflate context per connection, each message ends with a sync flush
    // (00 00 ff ff) so the client knows where it ends. Chained to keep messages in order.
    connection.chain = connection.chain.then(
      () =>
        new Promise<void>((resolve) => {
          const chunks: Buffer[] = [];
          const onData = (chunk: Buffer) => chunks.push(chunk);
          deflate.on('data', onData);
          deflate.write(json);
          deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            deflate.off('data', onData);
            if (socket.readyState === WebSocket.OPEN) socket.send(Buffer.concat(chunks));
            resolve();
          });
        }),
    );
  }
}

/** GUILD_CREATE for a guild: the REST guild plus members, channels and gateway-only fields. */
export function guildCreatePayload(state: DiscordState, guild: GuildRecord): Record<string, unknown> {
  return {
    ...apiGuild(guild),
    joined_at: guild.joinedAt,
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    voice_states: [],
    members: [...guild.members.values()].map(apiMember),
    channels: guild.channelIds.flatMap((id) => {
      const record = state.channels.get(id);
      if (!record) return [];
      // GUILD_CREATE channels carry no guild_id; discord.js fills it in from the guild.
      const { guild_id: _omit, ...channel } = apiChannel(record) as unknown as Record<string, unknown>;
      return [channel];
    }),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    embedded_activities: [],
  };
}
