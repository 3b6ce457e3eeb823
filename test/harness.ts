import pino from 'pino';
import { createRegistry } from '../bot/commands/index.js';
import { createDispatcher, type Dispatcher, type Incoming } from '../bot/dispatcher.js';
import type { Reply } from '../bot/reply.js';
import type { Services } from '../bot/services.js';
import { FixedClock } from '../domain/clock.js';
import type { Database } from '../drizzle/db.js';
import { createStore } from '../drizzle/store/index.js';
import { freshPglite, freshPostgres } from './databases.js';
import type { ChatJournal } from '../bot/chat-journal.js';
import { chatJournal } from '../drizzle/store/chat-journal.js';
import { fromWire, toWire, type WireReply } from '../workers/notifier.js';

/** A person in a test chat. */
export interface TestUser {
  id: string;
  name: string;
  admin?: boolean;
  locale?: string;
  /** Where they write from (default telegram); the chat is on the same platform. */
  platform?: 'telegram' | 'discord';
  username?: string;
}

/**
 * The whole bot below the adapters on a real database with a fixed clock: what chat tests use
 * to talk to COIN without a platform. `say` returns the reply texts (text + monospace block).
 */
export async function createHarness(opts: { engine?: 'postgres' | 'pglite'; now?: string; extend?: (s: Services) => void } = {}) {
  const database: Database = opts.engine === 'pglite' ? await freshPglite() : await freshPostgres();
  const clock = new FixedClock(opts.now ?? '2026-11-24T12:00:00Z');
  const journal: ChatJournal = chatJournal(database.db, { encode: toWire, decode: (v) => fromWire(v as WireReply) });
  const services: Services = {
    store: createStore(database.db),
    clock,
    defaults: { currency: 'EUR', timezone: 'UTC', language: 'en' },
    logger: pino({ level: 'silent' }),
    // As in production: each input is one transaction (its redelivery mark commits with it).
    transact: (work) => journal.transact(work),
  };
  const base = services.store;
  opts.extend?.(services);
  if (services.store !== base) {
    // A test that replaced store methods (a failing saveShares) keeps them inside transactions.
    const changed = Object.fromEntries(Object.entries(services.store).filter(([k, v]) => (base as unknown as Record<string, unknown>)[k] !== v));
    services.transact = (work) => journal.transact((store) => work({ ...store, ...changed }));
  }
  const registry = createRegistry();
  const dispatcher: Dispatcher = createDispatcher(registry, services);

  const incoming = (chat: string, user: TestUser, text: string, group: boolean): Incoming => ({
    chat: { platform: user.platform ?? 'telegram', chatId: chat, kind: group ? 'group' : 'private', title: chat },
    from: { platform: user.platform ?? 'telegram', externalId: user.id, name: user.name, locale: user.locale, username: user.username },
    platformAdmin: user.admin ?? false,
    text,
    addressedToBot: false,
  });

  const textOf = (r: Reply) => [r.text, r.pre].filter(Boolean).join('\n');

  return {
    database,
    journal,
    services,
    clock,
    registry,
    dispatcher,
    /** Sends `text` in a private chat of `user` (or in `group` when given) and returns the replies. */
    async replies(user: TestUser, text: string, group?: string): Promise<Reply[]> {
      return dispatcher.handleMessage(incoming(group ?? `p-${user.id}`, user, text, group !== undefined));
    },
    /** Like `replies`, joined into one string. */
    async say(user: TestUser, text: string, group?: string): Promise<string> {
      const rs = await dispatcher.handleMessage(incoming(group ?? `p-${user.id}`, user, text, group !== undefined));
      return rs.map(textOf).join('\n');
    },
    async press(user: TestUser, action: string, group?: string) {
      const chat = group ?? `p-${user.id}`;
      return dispatcher.handleAction({ ...incoming(chat, user, '', group !== undefined), action });
    },
    close: () => database.close(),
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
