/**
 * Discord's REST API as a hono app. Paths are accepted with or without the `/api` and
 * `/v<N>` prefixes (@discordjs/rest sends `<rest.api>/v10/...`). Bot routes need
 * `Authorization: Bot <token>`; interaction callbacks and webhook routes need none, as on
 * Discord. Errors use Discord's JSON shape (`{ message, code, errors? }`) and codes, so
 * discord.js raises the same `DiscordAPIError`s it would in production.
 */
import { Hono, type Context } from 'hono';
import type { APIApplicationCommand, APIMessage } from 'discord.js';
import { ChannelKind, MessageFlag, apiChannel, apiGuild, apiMember, apiUser, isSnowflake, type RecordedFile } from './fixtures.js';
import type { DiscordState, DoubleResponse, InteractionRecord, MessageRecord, StoredCommand } from './state.js';
import {
  checkAutocompleteChoices,
  checkCommandList,
  checkMessagePayload,
  commandIssues,
  invalidFormBody,
  type DiscordErrorBody,
} from './validation.js';

type Vars = {
  Variables: {
    body: any;
    /** Uploads indexed by their `files[n]` index (may have holes). */
    uploads: RecordedFile[];
  };
};

type Ctx = Context<Vars>;

/** Options of the REST app. */
export interface RestOptions {
  /** Gateway URL handed out by GET /gateway(/bot) and as `resume_gateway_url`. */
  gatewayUrl: () => string;
  /**
   * When set, an interaction not acknowledged within this many ms answers 10062 "Unknown
   * interaction" (Discord's window is 3 s). Unset: no deadline, so slow CI does not flake.
   */
  interactionTimeoutMs?: number;
}

const PUBLIC_PREFIXES = ['/interactions/', '/webhooks/', '/cdn/'];

/** Strips `/api` and `/v<N>` so routes are written once. */
export function normalizePath(pathname: string): string {
  const stripped = pathname.replace(/^\/api(?=\/|$)/, '').replace(/^\/v\d+(?=\/|$)/, '');
  return stripped === '' ? '/' : stripped;
}

function error(c: Ctx, err: DiscordErrorBody): Response {
  return c.json(
    { message: err.message, code: err.code, ...(err.errors ? { errors: err.errors } : {}) },
    err.status as 400,
  );
}

const E = {
  unauthorized: { status: 401, code: 0, message: '401: Unauthorized' },
  notFound: { status: 404, code: 0, message: '404: Not Found' },
  missingAccess: { status: 403, code: 50001, message: 'Missing Access' },
  unknownChannel: { status: 404, code: 10003, message: 'Unknown Channel' },
  unknownGuild: { status: 404, code: 10004, message: 'Unknown Guild' },
  unknownMember: { status: 404, code: 10007, message: 'Unknown Member' },
  unknownMessage: { status: 404, code: 10008, message: 'Unknown Message' },
  unknownUser: { status: 404, code: 10013, message: 'Unknown User' },
  unknownWebhook: { status: 404, code: 10015, message: 'Unknown Webhook' },
  unknownInteraction: { status: 404, code: 10062, message: 'Unknown interaction' },
  unknownCommand: { status: 404, code: 10063, message: 'Unknown application command' },
  alreadyAcknowledged: { status: 400, code: 40060, message: 'Interaction has already been acknowledged.' },
  cannotDm: { status: 403, code: 50007, message: 'Cannot send messages to this user' },
  invalidJson: { status: 400, code: 50109, message: 'The request body contains invalid JSON.' },
} satisfies Record<string, DiscordErrorBody>;

/** Interaction callback types Discord accepts per interaction type. */
const ALLOWED_CALLBACKS: Record<number, number[]> = {
  1: [1],
  2: [4, 5, 9, 12],
  3: [4, 5, 6, 7, 9, 12],
  4: [8],
  5: [4, 5, 6, 7],
};

function isEphemeral(message: APIMessage | undefined): boolean {
  return ((message?.flags ?? 0) & MessageFlag.Ephemeral) !== 0;
}

function isEmptyMessage(message: APIMessage): boolean {
  const m = message as any;
  return (
    !(typeof m.content === 'string' && m.content.trim().length > 0) &&
    !(m.embeds?.length > 0) &&
    !(m.components?.length > 0) &&
    !(m.attachments?.length > 0) &&
    !m.poll &&
    !(m.sticker_items?.length > 0)
  );
}

/** Builds the REST app over the shared state. */
export function createRestApp(state: DiscordState, options: RestOptions): Hono<Vars> {
  const app = new Hono<Vars>({ getPath: (req) => normalizePath(new URL(req.url).pathname) });

  app.use('*', async (c, next) => {
    const method = c.req.method;
    const path = c.req.path;
    const url = new URL(c.req.url);
    let body: any;
    const uploads: RecordedFile[] = [];
    let early: Response | undefined;
    try {
      if (method !== 'GET' && method !== 'HEAD') {
        const type = c.req.header('content-type') ?? '';
        if (type.startsWith('multipart/form-data')) {
          const form = await c.req.raw.formData();
          const extra: Record<string, string> = {};
          for (const [key, value] of form.entries()) {
            if (typeof value === 'string') {
              if (key === 'payload_json') body = JSON.parse(value);
              else extra[key] = value;
              continue;
            }
            const index = /^files\[(\d+)\]$/.exec(key);
            uploads[index ? Number(index[1]) : uploads.length] = {
              name: value.name,
              bytes: Buffer.from(await value.arrayBuffer()),
              contentType: value.type || 'application/octet-stream',
            };
          }
          if (Object.keys(extra).length > 0) body = { ...extra, ...body };
        } else {
          const text = await c.req.text();
          if (text.length > 0) body = JSON.parse(text);
        }
      }
    } catch {
      early = error(c, E.invalidJson);
    }
    c.set('body', body);
    c.set('uploads', uploads);
    if (!early) {
      const isPublic = path === '/gateway' || PUBLIC_PREFIXES.some((p) => path.startsWith(p));
      if (!isPublic && c.req.header('authorization') !== `Bot ${state.token}`) early = error(c, E.unauthorized);
    }
    if (!early) {
      const fault = state.takeFault(method, path);
      if (fault) {
        const payload: Record<string, unknown> = {
          message: fault.message ?? (fault.status === 429 ? 'You are being rate limited.' : `${fault.status}: injected`),
          code: fault.code ?? 0,
        };
        if (fault.status === 429) {
          payload.retry_after = fault.retryAfter ?? 0.05;
          payload.global = false;
          c.header('retry-after', String(Math.ceil(fault.retryAfter ?? 0.05)));
          c.header('x-ratelimit-scope', 'user');
          // The bucket's own headers, as Discord sends them with a 429.
          c.header('x-ratelimit-limit', '5');
          c.header('x-ratelimit-remaining', '0');
          c.header('x-ratelimit-reset-after', String(fault.retryAfter ?? 0.05));
        }
        early = c.json(payload, fault.status as 400);
      }
    }
    // A held request: lost on the way (no effect) or answered late (effect first), as the test says.
    const hold = early ? undefined : state.takeHold(method, path);
    if (hold) {
      hold.reached();
      if (!hold.afterEffect) {
        await hold.released;
        early = c.json({ message: 'held by the test, then dropped', code: 0 }, 503);
      }
    }
    const log = (status: number) =>
      state.requests.push({
        method,
        path,
        query: Object.fromEntries(url.searchParams),
        body,
        files: uploads.filter(Boolean).map((f) => f.name),
        status,
        at: new Date(),
      });
    if (early) {
      log(early.status);
      return early;
    }
    await next();
    if (hold?.afterEffect) await hold.released;
    log(c.res.status);
  });

  const uploadsOf = (c: Ctx) => c.get('uploads');
  const filesOf = (c: Ctx) => c.get('uploads').filter(Boolean);
  const bodyOf = (c: Ctx): Record<string, any> => {
    const body = c.get('body');
    return body && typeof body === 'object' && !Array.isArray(body) ? body : {};
  };

  // --- gateway, users, applications ------------------------------------------------------

  app.get('/gateway', (c) => c.json({ url: options.gatewayUrl() }));
  app.get('/gateway/bot', (c) =>
    c.json({
      url: options.gatewayUrl(),
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 14_400_000, max_concurrency: 1 },
    }),
  );

  const botSelf = () => ({
    ...apiUser(state.botUser),
    verified: true,
    mfa_enabled: false,
    email: null,
    locale: 'en-US',
  });
  app.get('/users/@me', (c) => c.json(botSelf()));
  app.post('/users/@me/channels', (c) => {
    const recipient = bodyOf(c).recipient_id;
    if (typeof recipient !== 'string' || !isSnowflake(recipient)) {
      return error(
        c,
        invalidFormBody([{ path: ['recipient_id'], code: 'NUMBER_TYPE_COERCE', message: `Value "${recipient}" is not snowflake.` }])!,
      );
    }
    const user = state.users.get(recipient) ?? state.upsertUser({ id: recipient, username: `user${recipient.slice(-4)}` });
    return c.json(apiChannel(state.ensureDm(user)));
  });
  app.get('/users/:id', (c) => {
    const user = state.users.get(c.req.param('id'));
    return user ? c.json(apiUser(user)) : error(c, E.unknownUser);
  });

  const application = () => ({
    id: state.applicationId,
    name: state.botUser.username,
    icon: null,
    description: '',
    summary: '',
    type: null,
    bot: apiUser(state.botUser),
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    team: null,
    owner: apiUser({ id: '1', username: 'owner' }),
    approximate_guild_count: state.guilds.size,
    integration_types_config: { '0': {} },
    hook: true,
  });
  app.get('/applications/@me', (c) => c.json(application()));
  app.get('/oauth2/applications/@me', (c) => c.json(application()));

  // --- application commands ------------------------------------------------------------

  const toStored = (body: Record<string, any>, guildId: string | undefined, keep?: StoredCommand): StoredCommand => {
    const command = {
      id: keep?.id ?? state.nextId(),
      application_id: state.applicationId,
      version: state.nextId(),
      default_member_permissions: body.default_member_permissions ?? null,
      type: body.type ?? 1,
      name: body.name,
      name_localizations: body.name_localizations ?? null,
      description: body.description ?? '',
      description_localizations: body.description_localizations ?? null,
      ...(guildId ? { guild_id: guildId } : { dm_permission: body.dm_permission ?? true }),
      ...(Array.isArray(body.options) && body.options.length > 0 ? { options: body.options } : {}),
      contexts: body.contexts ?? null,
      integration_types: body.integration_types ?? [0],
      nsfw: body.nsfw ?? false,
    };
    return command as unknown as APIApplicationCommand;
  };

  /** Resolves the command list of a route's scope, or an error response. */
  const scope = (c: Ctx): StoredCommand[] | Response => {
    if (c.req.param('app') !== state.applicationId) return error(c, E.missingAccess);
    const guildId = c.req.param('guild');
    if (guildId !== undefined && !state.guilds.has(guildId)) return error(c, E.unknownGuild);
    return state.commandsFor(guildId);
  };

  for (const base of ['/applications/:app/commands', '/applications/:app/guilds/:guild/commands']) {
    app.get(base, (c) => {
      const list = scope(c);
      return list instanceof Response ? list : c.json(list);
    });
    app.put(base, (c) => {
      const list = scope(c);
      if (list instanceof Response) return list;
      const body = c.get('body');
      const invalid = checkCommandList(body);
      if (invalid) return error(c, invalid);
      const guildId = c.req.param('guild');
      // Discord keeps a command's id when a bulk overwrite re-sends the same name and type.
      const next = (body as Record<string, any>[]).map((command) =>
        toStored(command, guildId, list.find((old) => old.name === command.name && old.type === (command.type ?? 1))),
      );
      list.splice(0, list.length, ...next);
      return c.json(next);
    });
    app.post(base, (c) => {
      const list = scope(c);
      if (list instanceof Response) return list;
      const body = bodyOf(c);
      const invalid = invalidFormBody(commandIssues(body));
      if (invalid) return error(c, invalid);
      const index = list.findIndex((old) => old.name === body.name && old.type === (body.type ?? 1));
      const stored = toStored(body, c.req.param('guild'), list[index]);
      if (index >= 0) list[index] = stored;
      else list.push(stored);
      return c.json(stored, index >= 0 ? 200 : 201);
    });
    app.get(`${base}/:command`, (c) => {
      const list = scope(c);
      if (list instanceof Response) return list;
      const found = list.find((cmd) => cmd.id === c.req.param('command'));
      return found ? c.json(found) : error(c, E.unknownCommand);
    });
    app.patch(`${base}/:command`, (c) => {
      const list = scope(c);
      if (list instanceof Response) return list;
      const index = list.findIndex((cmd) => cmd.id === c.req.param('command'));
      if (index < 0) return error(c, E.unknownCommand);
      const merged = { ...list[index], ...bodyOf(c) };
      const invalid = invalidFormBody(commandIssues(merged));
      if (invalid) return error(c, invalid);
      list[index] = toStored(merged, c.req.param('guild'), list[index]);
      return c.json(list[index]);
    });
    app.delete(`${base}/:command`, (c) => {
      const list = scope(c);
      if (list instanceof Response) return list;
      const index = list.findIndex((cmd) => cmd.id === c.req.param('command'));
      if (index < 0) return error(c, E.unknownCommand);
      list.splice(index, 1);
      return c.body(null, 204);
    });
  }

  // --- guilds and channels -------------------------------------------------------------

  app.get('/guilds/:guild', (c) => {
    const guild = state.guilds.get(c.req.param('guild'));
    if (!guild) return error(c, E.unknownGuild);
    const counts =
      c.req.query('with_counts') === 'true'
        ? { approximate_member_count: guild.members.size, approximate_presence_count: guild.members.size }
        : {};
    return c.json({ ...apiGuild(guild), ...counts });
  });
  app.get('/guilds/:guild/channels', (c) => {
    const guild = state.guilds.get(c.req.param('guild'));
    if (!guild) return error(c, E.unknownGuild);
    return c.json(guild.channelIds.map((id) => apiChannel(state.channels.get(id)!)));
  });
  app.get('/guilds/:guild/roles', (c) => {
    const guild = state.guilds.get(c.req.param('guild'));
    return guild ? c.json(guild.roles) : error(c, E.unknownGuild);
  });
  app.get('/guilds/:guild/members', (c) => {
    const guild = state.guilds.get(c.req.param('guild'));
    if (!guild) return error(c, E.unknownGuild);
    const limit = Number(c.req.query('limit') ?? 1);
    return c.json([...guild.members.values()].slice(0, Math.max(1, Math.min(1000, limit))).map(apiMember));
  });
  app.get('/guilds/:guild/members/:user', (c) => {
    const guild = state.guilds.get(c.req.param('guild'));
    if (!guild) return error(c, E.unknownGuild);
    const member = guild.members.get(c.req.param('user'));
    return member ? c.json(apiMember(member)) : error(c, E.unknownMember);
  });

  app.get('/channels/:channel', (c) => {
    const channel = state.channels.get(c.req.param('channel'));
    return channel ? c.json(apiChannel(channel)) : error(c, E.unknownChannel);
  });
  app.post('/channels/:channel/typing', (c) =>
    state.channels.has(c.req.param('channel')) ? c.body(null, 204) : error(c, E.unknownChannel),
  );
  app.post('/channels/:channel/messages', (c) => {
    const channel = state.channels.get(c.req.param('channel'));
    if (!channel) return error(c, E.unknownChannel);
    if (channel.type === ChannelKind.DM && channel.recipient && state.closedDms.has(channel.recipient.id)) {
      return error(c, E.cannotDm);
    }
    const body = bodyOf(c);
    const invalid = checkMessagePayload(body, filesOf(c), { requireNonEmpty: true });
    if (invalid) return error(c, invalid);
    const { flags: _flags, ...rest } = body;
    // Only cosmetic flags can be set on a plain channel message; ephemeral needs an interaction.
    const flags = typeof body.flags === 'number' ? body.flags & (MessageFlag.SuppressNotifications | MessageFlag.IsComponentsV2 | 4) : 0;
    const record = state.createMessage({ channelId: channel.id, payload: { ...rest, flags }, files: uploadsOf(c) });
    state.record({
      kind: 'channel-message',
      data: body,
      files: filesOf(c),
      channelId: channel.id,
      messageId: record.message.id,
      ephemeral: false,
      at: new Date(),
    });
    return c.json(record.message);
  });
  app.get('/channels/:channel/messages', (c) => {
    if (!state.channels.has(c.req.param('channel'))) return error(c, E.unknownChannel);
    const limit = Math.max(1, Math.min(100, Number(c.req.query('limit') ?? 50)));
    const list = [...state.messages.values()]
      .filter((m) => m.message.channel_id === c.req.param('channel') && !m.deleted && !isEphemeral(m.message))
      .map((m) => m.message)
      .reverse()
      .slice(0, limit);
    return c.json(list);
  });
  const channelMessage = (c: Ctx): MessageRecord | Response => {
    if (!state.channels.has(c.req.param('channel')!)) return error(c, E.unknownChannel);
    const record = state.messages.get(c.req.param('message')!);
    if (!record || record.deleted || record.message.channel_id !== c.req.param('channel') || isEphemeral(record.message)) {
      return error(c, E.unknownMessage);
    }
    return record;
  };
  app.get('/channels/:channel/messages/:message', (c) => {
    const record = channelMessage(c);
    return record instanceof Response ? record : c.json(record.message);
  });
  app.patch('/channels/:channel/messages/:message', (c) => {
    const record = channelMessage(c);
    if (record instanceof Response) return record;
    const invalid = editMessage(record, bodyOf(c), uploadsOf(c));
    return invalid ? error(c, invalid) : c.json(record.message);
  });
  app.delete('/channels/:channel/messages/:message', (c) => {
    const record = channelMessage(c);
    if (record instanceof Response) return record;
    record.deleted = true;
    return c.body(null, 204);
  });

  /** Validates and applies an edit; returns the error to answer with, if any. */
  function editMessage(record: MessageRecord, body: Record<string, any>, uploads: RecordedFile[]): DiscordErrorBody | null {
    const files = uploads.filter(Boolean);
    const invalid = checkMessagePayload(body, files, { requireNonEmpty: false });
    if (invalid) return invalid;
    const trial: MessageRecord = { ...record, message: structuredClone(record.message) };
    state.applyPayload(trial, body, [], { creating: false });
    if (files.length === 0 && isEmptyMessage(trial.message)) {
      return { status: 400, code: 50006, message: 'Cannot send an empty message' };
    }
    state.applyPayload(record, body, uploads, { creating: false });
    return null;
  }

  // --- interactions ----------------------------------------------------------------------

  const interactionResponse = (
    rec: InteractionRecord,
    response: Omit<DoubleResponse, 'interactionId' | 'channelId' | 'at'>,
  ): void => {
    state.record({ ...response, interactionId: rec.payload.id, channelId: rec.payload.channel_id, at: new Date() });
  };

  app.post('/interactions/:id/:token/callback', (c) => {
    const rec = state.interactions.get(c.req.param('id'));
    if (!rec || rec.token !== c.req.param('token')) return error(c, E.unknownInteraction);
    if (rec.callbackType !== undefined) return error(c, E.alreadyAcknowledged);
    if (options.interactionTimeoutMs !== undefined && Date.now() - rec.createdAt > options.interactionTimeoutMs) {
      return error(c, E.unknownInteraction);
    }
    const body = bodyOf(c);
    const type = body.type;
    const data: Record<string, any> = body.data && typeof body.data === 'object' ? body.data : {};
    const interactionType = rec.payload.type as number;
    const allowed = ALLOWED_CALLBACKS[interactionType] ?? [];
    if (!allowed.includes(type) || (type === 7 || type === 6 ? !rec.payload.message : false)) {
      return error(
        c,
        invalidFormBody([
          {
            path: ['type'],
            code: 'INTERACTION_RESPONSE_TYPE_INVALID',
            message: `Callback type ${type} is not valid for interaction type ${interactionType}; valid: ${allowed.join(', ')}`,
          },
        ])!,
      );
    }
    const uploads = uploadsOf(c);
    const files = filesOf(c);
    let message: APIMessage | undefined;
    let loading = false;
    switch (type) {
      case 4: {
        const invalid = checkMessagePayload(data, files, { requireNonEmpty: true });
        if (invalid) return error(c, invalid);
        const record = state.createMessage({
          channelId: rec.payload.channel_id,
          payload: data,
          files: uploads,
          interactionId: rec.payload.id,
          type: interactionType === 2 ? 20 : 0,
          flags: (typeof data.flags === 'number' ? data.flags : 0) & ~MessageFlag.Loading,
          viaWebhook: true,
        });
        message = record.message;
        rec.originalMessageId = message.id;
        break;
      }
      case 5: {
        const ephemeral = (typeof data.flags === 'number' ? data.flags : 0) & MessageFlag.Ephemeral;
        const record = state.createMessage({
          channelId: rec.payload.channel_id,
          payload: {},
          files: [],
          interactionId: rec.payload.id,
          type: interactionType === 2 ? 20 : 0,
          flags: ephemeral | MessageFlag.Loading,
          viaWebhook: true,
        });
        message = record.message;
        loading = true;
        rec.originalMessageId = message.id;
        break;
      }
      case 6:
      case 7: {
        const target = state.messages.get(rec.payload.message.id);
        if (!target || target.deleted) return error(c, E.unknownMessage);
        if (type === 7) {
          const invalid = editMessage(target, data, uploads);
          if (invalid) return error(c, invalid);
        }
        message = target.message;
        rec.originalMessageId = target.message.id;
        break;
      }
      case 8: {
        const invalid = checkAutocompleteChoices(data);
        if (invalid) return error(c, invalid);
        break;
      }
      default:
        break;
    }
    rec.callbackType = type;
    interactionResponse(rec, {
      kind: 'callback',
      type,
      data,
      files,
      messageId: type === 6 ? undefined : message?.id,
      ephemeral: isEphemeral(message),
    });
    if (c.req.query('with_response') !== 'true') return c.body(null, 204);
    return c.json({
      interaction: {
        id: rec.payload.id,
        type: interactionType,
        ...(message && type !== 6
          ? {
              response_message_id: message.id,
              response_message_loading: loading,
              response_message_ephemeral: isEphemeral(message),
            }
          : {}),
      },
      resource: { type, ...(message && (type === 4 || type === 7) ? { message } : {}) },
    });
  });

  /** The interaction behind a webhook route, or an error response. */
  const webhook = (c: Ctx): InteractionRecord | Response => {
    if (c.req.param('app') !== state.applicationId) return error(c, E.unknownWebhook);
    const rec = state.interactionsByToken.get(c.req.param('token')!);
    // Until the interaction is acknowledged its webhook does not exist yet.
    if (!rec || rec.callbackType === undefined) return error(c, E.unknownWebhook);
    return rec;
  };
  const webhookMessage = (c: Ctx, rec: InteractionRecord): MessageRecord | Response => {
    const param = c.req.param('message')!;
    const id = param === '@original' ? rec.originalMessageId : param;
    const record = id ? state.messages.get(id) : undefined;
    const belongs = record && (record.interactionId === rec.payload.id || id === rec.originalMessageId);
    if (!record || !belongs || record.deleted) return error(c, E.unknownMessage);
    return record;
  };

  app.post('/webhooks/:app/:token', (c) => {
    const rec = webhook(c);
    if (rec instanceof Response) return rec;
    const body = bodyOf(c);
    const invalid = checkMessagePayload(body, filesOf(c), { requireNonEmpty: true });
    if (invalid) return error(c, invalid);
    const record = state.createMessage({
      channelId: rec.payload.channel_id,
      payload: body,
      files: uploadsOf(c),
      interactionId: rec.payload.id,
      flags: (typeof body.flags === 'number' ? body.flags : 0) & ~MessageFlag.Loading,
      viaWebhook: true,
    });
    interactionResponse(rec, {
      kind: 'followup',
      data: body,
      files: filesOf(c),
      messageId: record.message.id,
      ephemeral: isEphemeral(record.message),
    });
    return c.req.query('wait') === 'true' ? c.json(record.message) : c.body(null, 204);
  });
  app.get('/webhooks/:app/:token/messages/:message', (c) => {
    const rec = webhook(c);
    if (rec instanceof Response) return rec;
    const record = webhookMessage(c, rec);
    return record instanceof Response ? record : c.json(record.message);
  });
  app.patch('/webhooks/:app/:token/messages/:message', (c) => {
    const rec = webhook(c);
    if (rec instanceof Response) return rec;
    const record = webhookMessage(c, rec);
    if (record instanceof Response) return record;
    const body = bodyOf(c);
    const invalid = editMessage(record, body, uploadsOf(c));
    if (invalid) return error(c, invalid);
    interactionResponse(rec, {
      kind: 'edit',
      data: body,
      files: filesOf(c),
      messageId: record.message.id,
      ephemeral: isEphemeral(record.message),
    });
    return c.json(record.message);
  });
  app.delete('/webhooks/:app/:token/messages/:message', (c) => {
    const rec = webhook(c);
    if (rec instanceof Response) return rec;
    const record = webhookMessage(c, rec);
    if (record instanceof Response) return record;
    record.deleted = true;
    interactionResponse(rec, {
      kind: 'delete',
      data: {},
      files: [],
      messageId: record.message.id,
      ephemeral: isEphemeral(record.message),
    });
    return c.body(null, 204);
  });

  // --- files ---------------------------------------------------------------------------

  app.get('/cdn/attachments/:channel/:id/:name', (c) => {
    const file = state.attachments.get(c.req.param('id'));
    if (!file) return error(c, E.notFound);
    return c.body(new Uint8Array(file.bytes), 200, { 'content-type': file.contentType });
  });

  app.notFound((c) => error(c, E.notFound));
  app.onError((err, c) => c.json({ message: `500: double error: ${err.message}`, code: 0 }, 500));
  return app;
}
