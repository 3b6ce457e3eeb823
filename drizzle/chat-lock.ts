/**
 * Order across replicas (SPEC §6): while one process handles an update of a chat, no other
 * process handles another update of that chat. A transaction-scoped PostgreSQL advisory lock per
 * chat is taken before the update is handled and released when its transaction ends: after
 * the handling committed, or when the process dies (PostgreSQL drops the connection's locks).
 *
 * The locks live on a pool of their own: a handler holding a lock still needs connections of
 * the main pool to do its work, and must never wait for a connection held by a lock waiter.
 */
export type ChatLock = <T>(chatKey: string, run: () => Promise<T>) => Promise<T>;

export interface ChatLocks {
  lock: ChatLock;
  close(): Promise<void>;
}

/** The first key of the two-key advisory lock space: COIN's per-chat locks (migrations use the one-key space). */
const CHAT_LOCK_CLASS = 1667;

export async function openChatLocks(url: string, opts: { max?: number } = {}): Promise<ChatLocks> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(url, { max: opts.max ?? 10, onnotice: () => {}, connection: { application_name: 'coin-chat-lock' } });
  return {
    lock: async <T>(chatKey: string, run: () => Promise<T>): Promise<T> => {
      let out: T | undefined;
      await sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(${CHAT_LOCK_CLASS}::int, hashtext(${chatKey}))`;
        out = await run();
      });
      return out as T;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
