import { TtlCache } from './ttl-cache.js';
import { randomBytes } from 'node:crypto';
import type { Actor } from '../domain/access/actor.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { ChatRef, IdentityRef } from '../domain/ports.js';
import { parseQuickEntry } from '../domain/parsing/record-line.js';
import { languageOf, t } from './i18n/index.js';
import { messageFor } from './messages.js';
import type { CommandContext, CommandDef, Registry } from './registry.js';
import type { Reply } from './reply.js';
import type { Services } from './services.js';
import { nearestCommand } from './nearest-command.js';
import { looksLikeAmountStart } from '../domain/money/amount.js';
import { tokenize } from '../domain/parsing/tokenize.js';
import type { Language } from '../domain/types.js';
import { cleanIncoming, cleanText } from './sanitize.js';

/** A chat message as every adapter hands it over. */
export interface Incoming {
  chat: ChatRef;
  from: IdentityRef;
  /** Telegram chat administrator / Discord Manage Server. */
  platformAdmin: boolean;
  text: string;
  /** Platform-unique delivery id (`tg:update:123`); a second delivery is dropped. */
  updateKey?: string | undefined;
  /**
   * The delivery's id where another layer drops second deliveries (the chat inbox marks its
   * updates done): not marked here, but the chat's limit charges it once however often its
   * transaction is applied again (a database restart, a batch falling back to one at a time).
   */
  deliveryKey?: string | undefined;
  /**
   * When the person sent it (the platform's timestamp, ms). The chat's limit measures the pace
   * of sending: a backlog applied at once after an outage was not a flood when it was sent.
   */
  sentAt?: number | undefined;
  /** The message replies to the bot or mentions it (quick entry in groups). */
  addressedToBot?: boolean;
  /**
   * A file attached (`/import`, `/receipt read`). `bytes`: its declared size, when the adapter did
   * not fetch a file over its limit (`content` is then empty).
   */
  attachment?: { name: string; content: Buffer; bytes?: number | undefined } | undefined;
  /**
   * A photo or image file (a receipt to read, issue 18): read in a private chat, or in a group
   * when the caption mentions COIN or the message answers the bot.
   */
  photo?: { name: string; content: Buffer; bytes?: number | undefined } | undefined;
}

/** A caption that calls COIN in a group (`coin`, `COIN, lunch`, `@coin_bot`). */
export const mentionsCoin = (text: string): boolean => /(?<![\p{L}\p{N}_])@?coin/iu.test(text);

/** A button press. */
export interface IncomingAction extends Omit<Incoming, 'text' | 'addressedToBot' | 'attachment' | 'photo'> {
  action: string;
}

export interface ActionResult {
  replies: Reply[];
  /** The replies take the place of the message the button was on. */
  replaces: boolean;
}

/** Splits `/name@bot args` into the command word and the rest. */
export function splitCommand(text: string): { name: string; args: string } | undefined {
  const m = /^\/([A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return undefined;
  return { name: m[1]!.toLowerCase(), args: (m[2] ?? '').trim() };
}

const asList = (r: Reply | Reply[]): Reply[] => (Array.isArray(r) ? r : [r]);

/**
 * `-5 refund`: a minus before an amount gets its own hint (an expense is written without it, money
 * back is an income) instead of the generic one. Undefined for anything else.
 */
function minusHint(lang: Language, text: string): string | undefined {
  const m = /^\s*[-−–]\s*([\s\S]+)$/u.exec(text);
  if (!m || !looksLikeAmountStart(tokenize(m[1]!))) return undefined;
  const rest = m[1]!.trim();
  return t(lang, 'error.amount_minus', { text: text.trim(), expense: rest, income: rest });
}

/** Thrown instead of a reply by a dispatcher bound to a transaction (`within`): the caller rolls back. */
export class UnexpectedFailure extends Error {
  override readonly name = 'UnexpectedFailure';
  constructor(
    readonly lang: CommandContext['lang'],
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * Turns messages and button presses into registry calls, and every failure into a friendly reply.
 * With `services.transact` each input runs in one database transaction: its redelivery mark, its
 * writes and its outcome commit together (issue 12), and an unexpected failure rolls all back.
 * `within(store)` gives a dispatcher for a transaction someone else holds (the chat inbox).
 */
/** The limit's verdict on an update, kept so that applying it again does not pay twice. */
type Verdicts = TtlCache<{ replies: Reply[] | undefined }>;

export function createDispatcher(registry: Registry, services: Services, opts: { bound?: boolean; verdicts?: Verdicts } = {}) {
  const { clock } = services;
  /**
   * An update applied again (its transaction rolled back: a database restart, a batch that fell
   * back to one update at a time) meets the limit it met the first time. Charging it again made a
   * burst answer "slow down" on a retry and drop records it had accepted (chaos, PostgreSQL restart).
   */
  const verdicts: Verdicts = opts.verdicts ?? new TtlCache(10 * 60_000, 20_000);

  /**
   * Per-chat command limit (`services.commandLimiter`). Chat messages get one "slow down" per
   * flood and then silence; interactions (slash commands, buttons) must always be answered.
   */
  async function throttled(chat: ChatRef, locale: string | null | undefined, alwaysAnswer: boolean, updateKey?: string, sentAt?: number): Promise<Reply[] | undefined> {
    const seen = updateKey ? verdicts.get(updateKey) : undefined;
    if (seen) return seen.replies;
    const replies = await limitVerdict(chat, locale, alwaysAnswer, sentAt);
    if (updateKey) verdicts.set(updateKey, { replies });
    return replies;
  }

  async function limitVerdict(chat: ChatRef, locale: string | null | undefined, alwaysAnswer: boolean, sentAt?: number): Promise<Reply[] | undefined> {
    const d = await services.commandLimiter?.take(`${chat.platform}:${chat.chatId}`, 1, sentAt);
    if (!d || d.allowed) return undefined;
    if (!d.firstRefusal && !alwaysAnswer) return [];
    const e = new DomainError('rate_limited', { seconds: Math.max(1, Math.ceil(d.retryAfterMs / 1000)) });
    return [{ text: messageFor(e, languageOf(locale)), ephemeral: true }];
  }

  /** Resolves who acts where; undefined when `updateKey` was applied before (a redelivery). */
  async function enter(m: Omit<Incoming, 'text'>, store = services.store): Promise<CommandContext | undefined> {
    const e = await store.enter(m.chat, m.from, m.platformAdmin, { ...services.defaults, language: languageOf(m.from.locale) }, m.updateKey);
    if (!e) return undefined;
    const actor: Actor = { store, clock, book: e.book, userId: e.user.id, role: e.member.role, snapshot: e.snapshot };
    const scoped = store === services.store ? services : { ...services, store };
    return { actor, chat: m.chat, from: m.from, lang: e.book.language, services: scoped, attachment: m.attachment };
  }

  /** The context for autocomplete and other reads outside a command (no update key). */
  const context = async (m: Omit<Incoming, 'text'>): Promise<CommandContext> => (await enter({ ...m, updateKey: undefined }))!;

  function failure(e: unknown, lang: CommandContext['lang'], where: Record<string, unknown>): Reply[] {
    if (isDomainError(e)) return [{ text: messageFor(e, lang), ephemeral: true }];
    const ref = randomBytes(4).toString('hex');
    services.logger.error({ err: e instanceof UnexpectedFailure ? e.cause : e, ref, ...where }, 'command failed');
    return [{ text: t(lang, 'error.unexpected', { ref }), ephemeral: true }];
  }

  async function runCommand(ctx: CommandContext, def: CommandDef, args: string): Promise<Reply[]> {
    try {
      return await runCommandInner(ctx, def, args);
    } catch (e) {
      // Handlers say `usage`; the usage text lives with the definition.
      if (isDomainError(e) && e.code === 'usage' && !e.context.usage) {
        const sub = def.subcommands?.find((s) => s.name === args.split(/\s+/)[0]?.toLowerCase());
        throw new DomainError('usage', { usage: sub?.usage ?? def.usage });
      }
      throw e;
    }
  }

  async function runCommandInner(ctx: CommandContext, def: CommandDef, args: string): Promise<Reply[]> {
    if (def.privateOnly && ctx.chat.kind !== 'private') return [{ text: t(ctx.lang, 'error.private_only'), ephemeral: true }];
    if (def.subcommands?.length) {
      const [word = '', ...rest] = args.split(/\s+/);
      const sub = def.subcommands.find((s) => s.name === word.toLowerCase());
      if (sub) return asList(await sub.run(ctx, rest.join(' ').trim()));
      if (!def.run)
        return [{ text: t(ctx.lang, 'error.usage', { usage: def.subcommands.map((s) => s.usage).join('\n') }), ephemeral: true }];
    }
    return asList(await def.run!(ctx, args));
  }

  async function command(ctx: CommandContext, name: string, args: string): Promise<Reply[]> {
    const def = registry.find(name);
    if (!def) {
      const suggestion = nearestCommand(registry, name);
      const text = suggestion
        ? t(ctx.lang, 'error.unknown_command_suggest', { command: name, suggestion })
        : t(ctx.lang, 'error.unknown_command', { command: name });
      return [{ text, ephemeral: true }];
    }
    return runCommand(ctx, def, args);
  }

  /**
   * The edge every input passes: the per-chat limit, then who acts where (a redelivery gets
   * no reply), then the handler, with every failure turned into a reply.
   */
  async function guarded(
    m: Omit<Incoming, 'text'>,
    alwaysAnswer: boolean,
    where: Record<string, string>,
    body: (ctx: CommandContext) => Promise<Reply[]>,
  ): Promise<Reply[]> {
    const limited = await throttled(m.chat, m.from.locale, alwaysAnswer, m.updateKey ?? m.deliveryKey, m.sentAt);
    if (limited) return limited;
    let lang = languageOf(m.from.locale);
    // Domain errors are answers (what was written before them stays, as without a transaction);
    // anything else escapes the unit of work so that it rolls back.
    const unit = async (store: Services['store']): Promise<Reply[]> => {
      const ctx = await enter(m, store);
      if (!ctx) return [];
      lang = ctx.lang;
      try {
        return await body(ctx);
      } catch (e) {
        if (isDomainError(e)) return failure(e, lang, where);
        throw new UnexpectedFailure(lang, e);
      }
    };
    try {
      if (opts.bound || !services.transact) return await unit(services.store);
      return await services.transact(unit);
    } catch (e) {
      // Bound to someone else's transaction: they roll back and answer (see `failureReplies`).
      if (opts.bound) throw e instanceof UnexpectedFailure ? e : isDomainError(e) ? e : new UnexpectedFailure(lang, e);
      return failure(e, lang, { chat: m.chat.chatId, ...where });
    }
  }

  return {
    registry,

    /** Answers one message; `[]` when there is nothing to say (group chatter, a redelivery). */
    async handleMessage(raw: Incoming): Promise<Reply[]> {
      const m = cleanIncoming(raw);
      const cmd = splitCommand(m.text);
      const receipt = registry.receiptHandler();
      if (m.photo && !cmd && receipt) {
        if (m.chat.kind === 'group' && !m.addressedToBot && !mentionsCoin(m.text)) return [];
        const photo = m.photo;
        return guarded(m, false, { command: 'receipt' }, (ctx) => receipt(ctx, photo));
      }
      const quick = cmd ? undefined : parseQuickEntry(m.text);
      if (!cmd) {
        // In groups only numbers and replies to the bot are records; everything else is chatter.
        // A bare "+1" in a group is agreement, not an income (unless it answers the bot).
        const agreement = /^\+\d+$/.test(m.text.trim());
        if (m.chat.kind === 'group' && !(quick && (m.addressedToBot || (!agreement && /^[+\d€$£¥₽]/.test(m.text.trim()))))) return [];
      }
      return guarded(m, false, { command: cmd?.name ?? 'quick' }, async (ctx) => {
        if (cmd) return command(ctx, cmd.name, cmd.args);
        const record = registry.quickEntry();
        if (!quick || !record) return [{ text: minusHint(ctx.lang, m.text) ?? t(ctx.lang, 'record.quick_hint') }];
        return record(ctx, quick);
      });
    },

    /** Runs a command by name with arguments already split (Discord slash commands). */
    handleCommand(m: Omit<Incoming, 'text'>, name: string, args: string): Promise<Reply[]> {
      return guarded(cleanIncoming(m), true, { command: name }, (ctx) => command(ctx, name, cleanText(args)));
    },

    async handleAction(raw: IncomingAction): Promise<ActionResult> {
      const a = cleanIncoming({ ...raw, action: cleanText(raw.action) });
      const [name = '', arg = ''] = a.action.split(':', 2);
      let replaces = false;
      const replies = await guarded(a, true, { action: name }, async (ctx) => {
        const def = registry.action(name);
        if (!def) return [{ text: t(ctx.lang, 'error.unknown_command', { command: name }), ephemeral: true }];
        const out = asList(await def.run(ctx, arg));
        replaces = def.replaces ?? false;
        return out;
      });
      return { replies, replaces };
    },

    context,

    /** This dispatcher on a store bound to a transaction the caller holds; unexpected failures throw. */
    within(store: Services['store']) {
      return createDispatcher(registry, { ...services, store }, { bound: true, verdicts });
    },

    /** The replies for a failure thrown by a bound dispatcher (logged with a reference). */
    failureReplies(e: unknown, locale: string | null | undefined, where: Record<string, unknown>): Reply[] {
      const lang = e instanceof UnexpectedFailure ? e.lang : languageOf(locale);
      return failure(e, lang, where);
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
