import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';

/**
 * A redis-server of a test's own on a fixed loopback port, for outage tests: stop it, start it
 * again (empty: no persistence), flush it. Never the machine's shared Redis.
 */
export interface RedisServer {
  url: string;
  port: number;
  /** Starts it (again), empty; resolves when it answers PING. */
  start(): Promise<void>;
  /** Stops it (SIGKILL: an outage, not a shutdown) and waits for the process to end. */
  stop(): Promise<void>;
  /** FLUSHALL: everything in it gone, connections kept (a failover to an empty replica). */
  flush(): Promise<void>;
  running(): boolean;
}

export async function startRedisServer(port: number): Promise<RedisServer> {
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;

  async function ping(): Promise<boolean> {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    r.on('error', () => {});
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  }

  const server: RedisServer = {
    url,
    port,
    async start() {
      if (child) return;
      if (await ping()) throw new Error(`something already listens on ${port}`);
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      const c = child;
      // Never outlive the test process, whatever its hooks managed to do.
      const reap = () => c.kill('SIGKILL');
      process.once('exit', reap);
      c.once('exit', () => {
        process.off('exit', reap);
        if (child === c) child = undefined;
      });
      for (let i = 0; i < 100; i++) {
        if (await ping()) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`redis-server on ${port} did not start`);
    },
    async stop() {
      const c = child;
      if (!c) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGKILL');
      await exited;
      child = undefined;
    },
    async flush() {
      const r = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        await r.flushall();
      } finally {
        r.disconnect();
      }
    },
    running: () => child !== undefined,
  };
  await server.start();
  return server;
}
