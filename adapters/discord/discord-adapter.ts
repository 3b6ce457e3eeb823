import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  ApplicationCommandOptionType,
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type Interaction,
  type RepliableInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { Dispatcher, Incoming } from '../../bot/dispatcher.js';
import { languageOf, t } from '../../bot/i18n/index.js';
import type { CommandContext, Registry } from '../../bot/registry.js';
import type { Reply } from '../../bot/reply.js';
import type { Metrics } from '../../app/metrics.js';
import { TtlCache } from '../../bot/ttl-cache.js';
import type { ChatRef, IdentityRef } from '../../domain/ports.js';
import { MAX_STATEMENT_BYTES } from '../../domain/statements/flow.js';
import { suggest } from './autocomplete.js';
import { planCommands, type CommandPlan, type CommandScope } from './command-builder.js';
import { argsFromOptions, leafFor, type OptionValue } from './options-to-args.js';
import { flagsOf, renderMessage } from './render.js';
import type { ChatJournal, PendingReply } from '../../bot/chat-journal.js';
import { createReplySender, type ReplySender } from '../../bot/reply-sender.js';
import { classifyDiscordFailure, interactionReplies, type InteractionVia } from './interaction-replies.js';

export interface DiscordDeps {
  token: string;
  applicationId: string;
  /** REST base (`DISCORD_API_ROOT`), e.g. a local test double; unset: Discord's. */
  apiRoot?: string | undefined;
  /** Register commands to this guild only (instant, for development); unset: globally. */
  guildId?: string | undefined;
  dispatcher: Dispatcher;
  registry: Registry;
  logger: Logger;
  /** Counts interactions and their latency (`platform="discord"`). */
  metrics?: Metrics | undefined;
  /**
   * Answer window guard: a command still running after this many ms is deferred ("thinking…")
   * and its answer edited in later. Discord allows 3 s from the user's action; default 1500.
   */
  deferAfterMs?: number;
  /**
   * Largest attachment (`/import`, `/receipt read`) downloaded, in bytes; default 20 MiB (a bank
   * statement's limit). A larger one is not fetched: the command gets its declared size alone.
   */
  maxAttachmentBytes?: number;
  /**
   * The reply outbox (issue 12): each interaction's effect and its replies commit together; the
   * answer goes out directly and, when it fails or the process dies first, from the outbox
   * (`interaction-replies.ts`). Unset: replies are answered directly only.
   */
  journal?: ChatJournal | undefined;
}

/** A running Discord bot: the discord.js client and its lifecycle. */
export interface DiscordBot {
  client: Client;
  /** Logs in, waits for READY and registers the commands. */
  start(): Promise<void>;
  /** Stops taking interactions, finishes the ones in hand, then closes the gateway. */
  stop(): Promise<void>;
  /** Registers the registry's commands (guild-scoped when `guildId` is set, else global). */
  publishCommands(): Promise<void>;
  /** Delivers outbox replies whose direct answer failed (and a dead process's); with `journal`. */
  sender?: ReplySender | undefined;
}

/** Personal books live at `dm:<user id>`: stable even if Discord gave the DM channel a new id. */
const DM_PREFIX = 'dm:';

type AnyInteraction = ChatInputCommandInteraction | AutocompleteInteraction | ButtonInteraction;

function chatRef(i: AnyInteraction): ChatRef {
  if (i.inGuild()) {
    const channel = i.channel && 'name' in i.channel && i.channel.name ? `#${i.channel.name}` : '';
    const guild = i.guild?.name ?? '';
    return { platform: 'discord', chatId: i.channelId, kind: 'group', title: [guild, channel].filter(Boolean).join(' ') || 'Discord server' };
  }
  return { platform: 'discord', chatId: `${DM_PREFIX}${i.user.id}`, kind: 'private', title: i.user.globalName ?? i.user.username };
}

function identity(i: AnyInteraction): IdentityRef {
  const member = i.member && 'displayName' in i.member ? i.member.displayName : undefined;
  const nick = i.member && !('displayName' in i.member) ? i.member.nick : undefined;
  return {
    platform: 'discord',
    externalId: i.user.id,
    name: member ?? nick ?? i.user.globalName ?? i.user.username,
    username: i.user.username,
    locale: i.locale,
  };
}

/** Members with Manage Server (or Administrator, which implies it) are book admins. */
const isAdmin = (i: AnyInteraction): boolean => i.inGuild() && (i.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false);

/** The leaf options of an invocation: below the subcommand (and group) if there is one. */
function leafOptions(data: readonly CommandInteractionOption[]): readonly CommandInteractionOption[] {
  const [first] = data;
  if (first && (first.type === ApplicationCommandOptionType.Subcommand || first.type === ApplicationCommandOptionType.SubcommandGroup)) {
    return leafOptions(first.options ?? []);
  }
  return data;
}

/**
 * COIN on Discord: slash commands, autocomplete and buttons go to the dispatcher; replies come
 * back as messages, embeds and attachments. Only the Guilds intent is used (no privileged ones).
 */
export function createDiscordBot(deps: DiscordDeps): DiscordBot {
  const journal = deps.journal;
  // With the outbox, a long rate limit on an answer is not slept on in memory (the lease would
  // run out): it fails, and the outbox delivers the answer when Discord allows.
  const patience = journal ? { rejectOnRateLimit: (d: { url: string; retryAfter: number; timeToReset: number }) => /\/(interactions|webhooks)\//.test(d.url) && Math.max(d.retryAfter, d.timeToReset) > 2000 } : {};
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { ...(deps.apiRoot ? { api: deps.apiRoot } : {}), ...patience } });
  const later = journal ? interactionReplies({ token: deps.token, apiRoot: deps.apiRoot }) : undefined;
  const sender = journal && later ? createReplySender({ journal, platform: 'discord', deliver: later.deliver, classify: classifyDiscordFailure, logger: deps.logger, lingerMs: 0, onDelivered: deps.metrics ? (ms) => deps.metrics!.replyWait.observe({ platform: 'discord' }, ms / 1000) : undefined }) : undefined;
  const scope: CommandScope = deps.guildId ? 'guild' : 'global';
  const { plans, dropped } = planCommands(deps.registry, scope);
  const byName = new Map<string, CommandPlan>(plans.map((p) => [p.json.name, p]));
  const deferAfter = deps.deferAfterMs ?? 1500;
  const maxBytes = deps.maxAttachmentBytes ?? MAX_STATEMENT_BYTES;
  // A redelivered interaction is caught here before any callback; the store's update key is the
  // durable guard (and covers a duplicate that arrives after this cache forgot).
  const seen = new TtlCache<true>(15 * 60_000, 50_000);
  const inFlight = new Set<Promise<void>>();
  const contexts = new TtlCache<CommandContext>(30_000, 10_000);
  let stopping = false;

  const base = (i: AnyInteraction): Omit<Incoming, 'text'> => ({
    chat: chatRef(i),
    from: identity(i),
    platformAdmin: isAdmin(i),
    updateKey: `dc:${i.id}`,
  });

  /**
   * Downloads an attachment option's file (`/import`, `/receipt read`); the URL is Discord's CDN (or
   * the double). One over the limit is not fetched: its size tells the command to refuse it.
   */
  async function download(option: CommandInteractionOption): Promise<Incoming['attachment']> {
    const a = option.attachment;
    if (!a) return undefined;
    if (a.size > maxBytes) return { name: a.name, content: Buffer.alloc(0), bytes: a.size };
    const res = await fetch(a.url);
    if (!res.ok) throw new Error(`attachment download failed: ${res.status}`);
    return { name: a.name, content: Buffer.from(await res.arrayBuffer()) };
  }

  /** What an input produced: the replies, whether the first replaces the button's message, their outbox rows. */
  interface Outcome {
    replies: Reply[];
    replaces: boolean;
    /** One per reply, in order, when the journal wrote them (empty: answered directly only). */
    rows: PendingReply[];
  }

  /** How each reply of an interaction reaches it later (`chat_outbox.via`). */
  const viaOf = (i: ChatInputCommandInteraction | ButtonInteraction, at: number, part: number, replaces: boolean): InteractionVia => ({
    interaction: i.id,
    token: i.token,
    application: i.applicationId,
    at,
    channel: i.channelId,
    part,
    ...(i.isButton() ? { message: i.message.id, replaces } : {}),
  });

  /**
   * Runs the input through the dispatcher. With the journal: in one transaction whose replies are
   * written to the outbox before it commits (with their `via`); an unexpected failure rolls it
   * back and is answered directly (nothing was committed that needs its answer kept).
   */
  async function run(
    i: ChatInputCommandInteraction | ButtonInteraction,
    at: number,
    body: (d: Dispatcher) => Promise<{ replies: Reply[]; replaces: boolean }>,
  ): Promise<Outcome> {
    if (!journal) return { ...(await body(deps.dispatcher)), rows: [] };
    const chatId = chatRef(i).chatId;
    try {
      const { value, replies } = await journal.answer(async (scope) => {
        const res = await body(deps.dispatcher.within(scope.store));
        res.replies.forEach((reply, part) => scope.reply({ platform: 'discord', chatId, reply, via: viaOf(i, at, part, res.replaces) }));
        return res;
      });
      return { ...value, rows: replies };
    } catch (err) {
      return { replies: deps.dispatcher.failureReplies(err, i.locale, { interaction: i.id }), replaces: false, rows: [] };
    }
  }

  /** Answers that did not arrive directly go to the outbox's sender (webhook, else channel). */
  function handOver(i: AnyInteraction, rows: PendingReply[], why: unknown): void {
    if (!rows.length) return;
    deps.logger.warn({ interaction: i.id, replies: rows.length, err: String(why) }, 'discord answer failed; the outbox delivers it');
    sender!.push(rows);
  }

  /**
   * Answers an interaction with the dispatcher's replies. Runs `work` while a timer waits;
   * if the work outlasts `deferAfter` (or the command is known to be slow), the interaction is
   * deferred first and the answer edited in. An ephemeral answer to a public "thinking…" is
   * delivered as an ephemeral follow-up after removing the placeholder. Replies the outbox holds
   * are marked sent as they arrive; from the first that fails on, the outbox delivers them.
   */
  async function respond(i: ChatInputCommandInteraction | ButtonInteraction, work: () => Promise<Outcome>, opts: { slow: boolean; update: boolean }): Promise<void> {
    let deferring: Promise<boolean> | undefined;
    const defer = () => {
      const ack = opts.update && i.isButton() ? i.deferUpdate() : i.deferReply();
      deferring = ack.then(
        () => true,
        (err: unknown) => (deps.logger.warn({ err: String(err), interaction: i.id }, 'discord defer failed'), false),
      );
    };
    const timer = opts.slow ? (defer(), undefined) : setTimeout(defer, deferAfter);
    let result: Outcome = { replies: [], replaces: false, rows: [] };
    let failure: unknown;
    try {
      result = await work();
    } catch (err) {
      failure = err;
    } finally {
      clearTimeout(timer);
    }
    const deferred = deferring ? await deferring : undefined;
    // Rethrown once the deferral settled, so the error boundary knows to edit the placeholder.
    if (failure !== undefined) throw failure;
    const { rows } = result;
    // Deferral failed: the interaction was answered elsewhere, expired, or Discord refused the
    // acknowledgement; only the outbox can still deliver (a follow-up, or the channel).
    if (deferred === false) return handOver(i, rows, 'defer failed');
    const [first, ...rest] = result.replies;
    if (!first) {
      // A redelivery: the first delivery answered. Remove a placeholder only if we made one.
      if (deferred && !(opts.update && i.isButton())) await i.deleteReply().catch(() => undefined);
      return;
    }
    let delivered = 0;
    try {
      const body = renderMessage(first);
      const flags = flagsOf(first);
      if (deferred) {
        if (opts.update && i.isButton()) {
          if (first.ephemeral || !result.replaces) await i.followUp({ ...body, ...(flags ? { flags } : {}) });
          else await i.editReply(body);
        } else if (first.ephemeral) {
          await i.deleteReply().catch(() => undefined);
          await i.followUp({ ...body, flags: MessageFlags.Ephemeral });
        } else await i.editReply(body);
      } else if (i.isButton() && result.replaces && !first.ephemeral) {
        await i.update(body);
      } else {
        await i.reply({ ...body, ...(flags ? { flags } : {}) });
      }
      delivered = 1;
      for (const r of rest) {
        const f = flagsOf(r);
        await i.followUp({ ...renderMessage(r), ...(f ? { flags: f } : {}) });
        delivered++;
      }
    } catch (err) {
      if (!rows.length) throw err;
      handOver(i, rows.slice(delivered), err);
    } finally {
      const sent = rows.slice(0, delivered).map((r) => r.id);
      if (sent.length) await journal!.markSent(sent).catch((err) => deps.logger.error({ err: String(err), interaction: i.id }, 'marking discord answers sent failed'));
    }
  }

  async function onCommand(i: ChatInputCommandInteraction, at: number): Promise<void> {
    const plan = byName.get(i.commandName);
    const leaf = plan && leafFor(plan, i.options.getSubcommand(false));
    const def = plan?.def;
    await respond(
      i,
      async () => {
        if (!plan || !leaf) {
          // A command Discord still shows but this registry no longer has: the dispatcher says so.
          return run(i, at, async (d) => ({ replies: await d.handleCommand(base(i), i.commandName, ''), replaces: false }));
        }
        const values = new Map<string, OptionValue>();
        let attachment: Incoming['attachment'];
        // Files are fetched before the transaction begins (no connection held across a download).
        for (const o of leafOptions(i.options.data)) {
          if (o.type === ApplicationCommandOptionType.Attachment) attachment ??= await download(o);
          else if (o.value !== undefined && o.value !== null) values.set(o.name, o.value);
        }
        const args = argsFromOptions(leaf, values);
        return run(i, at, async (d) => ({ replies: await d.handleCommand({ ...base(i), attachment }, plan.def.name, args), replaces: false }));
      },
      { slow: !!def?.slow, update: false },
    );
  }

  async function onButton(i: ButtonInteraction, at: number): Promise<void> {
    const action = deps.registry.action(i.customId.split(':', 1)[0] ?? '');
    await respond(i, () => run(i, at, (d) => d.handleAction({ ...base(i), action: i.customId })), { slow: false, update: !!action?.replaces });
  }

  async function onAutocomplete(i: AutocompleteInteraction): Promise<void> {
    const plan = byName.get(i.commandName);
    const leaf = plan && leafFor(plan, i.options.getSubcommand(false));
    const focused = i.options.getFocused(true);
    const source = leaf?.options.find((o) => o.discordName === focused.name)?.spec.autocomplete;
    if (!source) return void (await i.respond([]));
    const { updateKey: _reads, ...where } = base(i);
    // Autocomplete fires per keystroke; the book and role of a person typing do not change that fast.
    const key = `${where.chat.chatId}:${where.from.externalId}`;
    let ctx = contexts.get(key);
    if (!ctx) contexts.set(key, (ctx = await deps.dispatcher.context(where)));
    await i.respond(await suggest(ctx, source, String(focused.value ?? '')));
  }

  async function handle(i: Interaction): Promise<void> {
    if (!(i.isChatInputCommand() || i.isAutocomplete() || i.isButton())) return;
    if (seen.get(i.id)) return;
    seen.set(i.id, true);
    const stopTimer = deps.metrics?.latency.startTimer({ platform: 'discord' });
    const at = Date.now();
    try {
      if (i.isAutocomplete()) await onAutocomplete(i);
      else if (i.isChatInputCommand()) await onCommand(i, at);
      else await onButton(i, at);
      deps.metrics?.updates.inc({ platform: 'discord', outcome: 'ok' });
    } catch (err) {
      deps.metrics?.updates.inc({ platform: 'discord', outcome: 'error' });
      const ref = randomBytes(4).toString('hex');
      deps.logger.error({ err: String(err), ref, interaction: i.id, command: i.isButton() ? i.customId : i.commandName }, 'discord interaction failed');
      // The dispatcher already turns command failures into replies; this is Discord, the network
      // or a download. The person still gets an answer rather than "did not respond".
      if (i.isAutocomplete()) {
        if (!i.responded) await i.respond([]).catch(() => undefined);
        return;
      }
      const r = i as RepliableInteraction;
      const content = t(languageOf(i.locale), 'error.unexpected', { ref });
      if (!r.replied && !r.deferred) await r.reply({ content, flags: MessageFlags.Ephemeral }).catch(() => undefined);
      else if (r.deferred && !r.replied) await r.editReply({ content }).catch(() => undefined);
    } finally {
      stopTimer?.();
    }
  }

  client.on(Events.InteractionCreate, (i) => {
    if (stopping) return;
    const p = handle(i).finally(() => inFlight.delete(p));
    inFlight.add(p);
  });
  client.on(Events.Error, (err) => deps.logger.error({ err: String(err) }, 'discord client error'));

  async function publishCommands(): Promise<void> {
    if (dropped.length) deps.logger.warn({ dropped }, 'discord allows 100 commands; these are not registered');
    // Registration is plain REST: it works before (or without) a gateway session.
    client.rest.setToken(deps.token);
    const route = deps.guildId ? Routes.applicationGuildCommands(deps.applicationId, deps.guildId) : Routes.applicationCommands(deps.applicationId);
    await client.rest.put(route, { body: plans.map((p) => p.json) });
    deps.logger.info({ count: plans.length, scope, guild: deps.guildId }, 'discord commands registered');
  }

  return {
    client,
    publishCommands,
    sender,
    async start() {
      const ready = once(client, Events.ClientReady);
      await client.login(deps.token);
      await ready;
      await publishCommands();
    },
    async stop() {
      stopping = true;
      await Promise.allSettled([...inFlight]);
      // Answers still owed are sent (or left in the outbox for the next start).
      await sender?.drain(3000);
      await client.destroy();
    },
  };
}
