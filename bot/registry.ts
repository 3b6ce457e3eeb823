import type { Actor } from '../domain/access/actor.js';
import type { ChatRef, IdentityRef } from '../domain/ports.js';
import type { Language, Role } from '../domain/types.js';
import type { Reply } from './reply.js';
import type { Services } from './services.js';

/** What a command sees: the acting member, where they wrote, and the app's services. */
export interface CommandContext {
  actor: Actor;
  chat: ChatRef;
  /** Who wrote, as their platform knows them. */
  from: IdentityRef;
  lang: Language;
  services: Services;
  /**
   * A file attached (`/import`, `/receipt read`). `bytes`: its declared size, when the adapter did
   * not fetch a file over its limit (`content` is then empty).
   */
  attachment?: { name: string; content: Buffer; bytes?: number | undefined } | undefined;
}

export type AutocompleteSource = 'account' | 'label' | 'template' | 'member';

/** A typed option, used by Discord (slash command options) and `/help`. */
export interface OptionSpec {
  name: string;
  description: string;
  type: 'string' | 'integer' | 'number' | 'attachment';
  required?: boolean;
  autocomplete?: AutocompleteSource;
  choices?: readonly string[];
  /** When rebuilding the text line from typed options, prefix the value (`#`, `@`). */
  prefix?: string;
  /** Quote the value when it contains spaces (names). */
  quote?: boolean;
}

export type Handler = (ctx: CommandContext, args: string) => Promise<Reply | Reply[]>;

export interface SubcommandDef {
  name: string;
  description: string;
  usage: string;
  options?: OptionSpec[];
  run: Handler;
}

/** One command, defined once and served by every adapter. */
export interface CommandDef {
  name: string;
  aliases?: string[];
  description: string;
  usage: string;
  /** Only in a private chat (token commands). */
  privateOnly?: boolean;
  options?: OptionSpec[];
  /** Grouped commands (`/account add`): the first word of the arguments picks one. */
  subcommands?: SubcommandDef[];
  run?: Handler;
  /**
   * May take longer than Discord's 3-second answer window (charts, stats, export, import):
   * the Discord adapter defers at once instead of waiting to see.
   */
  slow?: boolean;
}

/** A button action (`undo:12`): name before the colon, argument after. */
export interface ActionDef {
  name: string;
  run: (ctx: CommandContext, arg: string) => Promise<Reply | Reply[]>;
  /** Replace the message the button was on (true) or answer with a new one. */
  replaces?: boolean;
}

/** Answers a plain message that starts with an amount (quick entry), already read as a record line. */
export type QuickEntryHandler = (ctx: CommandContext, entry: { kind: 'expense' | 'income'; line: string }) => Promise<Reply[]>;

/** Answers a photo or image file sent to COIN (a receipt to read, issue 18). */
export type ReceiptHandler = (ctx: CommandContext, file: { name: string; content: Buffer; bytes?: number | undefined }) => Promise<Reply[]>;

/**
 * The one list of commands. Refuses duplicate names and aliases so two commands can never
 * answer to the same word.
 */
export class Registry {
  private readonly byName = new Map<string, CommandDef>();
  private readonly actions = new Map<string, ActionDef>();
  readonly commands: CommandDef[] = [];
  private quick: QuickEntryHandler | undefined;
  private receipt: ReceiptHandler | undefined;

  add(...defs: CommandDef[]): this {
    for (const def of defs) {
      for (const n of [def.name, ...(def.aliases ?? [])]) {
        if (!/^[a-z][a-z0-9_]{0,31}$/.test(n)) throw new Error(`invalid command name: ${n}`);
        if (this.byName.has(n)) throw new Error(`duplicate command: ${n}`);
        this.byName.set(n, def);
      }
      if (!def.run && !def.subcommands?.length) throw new Error(`command without handler: ${def.name}`);
      this.commands.push(def);
    }
    return this;
  }

  addAction(...defs: ActionDef[]): this {
    for (const def of defs) {
      if (this.actions.has(def.name)) throw new Error(`duplicate action: ${def.name}`);
      this.actions.set(def.name, def);
    }
    return this;
  }

  /** Sets what a plain message with an amount records; once. */
  setQuickEntry(handler: QuickEntryHandler): this {
    if (this.quick) throw new Error('duplicate quick entry handler');
    this.quick = handler;
    return this;
  }

  quickEntry(): QuickEntryHandler | undefined {
    return this.quick;
  }

  /** Sets what a receipt photo does; once. */
  setReceiptHandler(handler: ReceiptHandler): this {
    if (this.receipt) throw new Error('duplicate receipt handler');
    this.receipt = handler;
    return this;
  }

  receiptHandler(): ReceiptHandler | undefined {
    return this.receipt;
  }

  find(name: string): CommandDef | undefined {
    return this.byName.get(name.toLowerCase());
  }

  action(name: string): ActionDef | undefined {
    return this.actions.get(name);
  }
}

/** Roles are re-exported for command files. */
export type { Role };
