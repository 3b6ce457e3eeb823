import { createServer, type Server, type Socket } from 'node:net';

/**
 * A Redis that is there and never answers (a network partition, a hung server): it accepts
 * connections on a loopback port and says nothing. It counts connections and the ones the
 * client gave up on (closed from its side), so a test can tell "answered before any Redis client
 * gave up waiting" — what a request path that never waits on Redis shows.
 */
export interface RedisBlackhole {
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections the client closed (its connect timeout ran out: it gave up and will retry). */
  readonly givenUp: number;
  /** Connections accepted before `at` (ms, `Date.now()`) and still held, their client still waiting. */
  heldSince(at: number): number;
  close(): Promise<void>;
}

export async function startRedisBlackhole(port: number): Promise<RedisBlackhole> {
  let accepted = 0;
  let givenUp = 0;
  const sockets = new Map<Socket, number>();
  let closing = false;
  const server: Server = createServer((s) => {
    accepted++;
    sockets.set(s, Date.now());
    s.on('data', () => {}); // read and never answer
    s.on('error', () => {});
    s.on('close', () => {
      sockets.delete(s);
      if (!closing) givenUp++;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    get accepted() {
      return accepted;
    },
    get givenUp() {
      return givenUp;
    },
    heldSince: (at) => [...sockets.values()].filter((t) => t < at).length,
    async close() {
      closing = true;
      for (const s of sockets.keys()) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
