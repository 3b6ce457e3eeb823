/**
 * Several real COIN processes (the production entry point) in Telegram webhook mode on loopback
 * ports, one PostgreSQL database of their own, and a small round-robin load balancer in front:
 * what the multi-replica test and `npm run bench -- replicas` run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import { TEST_PG_URL } from '../databases.js';

/** The composition root every process starts from. */
export const ENTRY = 'app/cli.ts';

/** A database of its own on the test server; `drop` removes it. */
export async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `coin_replicas_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export interface Replica {
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** The last of what the process wrote (warnings, errors, start-up failures). */
  stderr(): string;
}

/** Starts one COIN process listening on `port` with `env` on top of a minimal environment. */
export function startReplica(port: number, env: Record<string, string>): Replica {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    cwd: path.resolve('.'),
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const keep = (d: Buffer) => (err = (err + d).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // 'close', not 'exit': the output is complete only once the pipes have closed.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { port, child, exited, stderr: () => err };
}

/** Waits until `GET /health/ready` answers 200 (or the process exits, or `ms` pass). */
export async function waitReady(r: Replica, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  let dead = false;
  void r.exited.then(() => (dead = true));
  while (Date.now() < end && !dead) {
    try {
      if ((await fetch(`http://127.0.0.1:${r.port}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`replica on ${r.port} not ready: ${dead ? 'exited' : 'timed out'}\n${r.stderr()}`);
}

export interface Balancer {
  readonly url: string;
  /** Requests forwarded to each port. */
  readonly forwarded: Map<number, number>;
  /** Times a replica refused or dropped a request and the balancer tried the next one. */
  readonly retriedElsewhere: number;
  close(): Promise<void>;
}

/**
 * A round-robin HTTP load balancer over `ports()`, like a Kubernetes Service behind an ingress:
 * it sends only to replicas whose `/health/ready` answered 200 at the last check (every 50 ms),
 * and when a replica refuses the connection or drops it, it tries the next one (the update is
 * idempotent, as nginx's `proxy_next_upstream error` assumes).
 */
export async function startBalancer(ports: () => number[]): Promise<Balancer> {
  const ready = new Set<number>();
  let stopped = false;
  const probe = async () => {
    while (!stopped) {
      await Promise.all(
        ports().map(async (p) => {
          try {
            const ok = (await fetch(`http://127.0.0.1:${p}/health/ready`, { signal: AbortSignal.timeout(1_000) })).ok;
            if (ok) ready.add(p);
            else ready.delete(p);
          } catch {
            ready.delete(p);
          }
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const probing = probe();
  let next = 0;
  const forwarded = new Map<number, number>();
  const state = { retriedElsewhere: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
      for (let attempt = 0; attempt < 6; attempt++) {
        const live = ports().filter((p) => ready.has(p));
        if (live.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        const port = live[next++ % live.length]!;
        try {
          const r = await fetch(`http://127.0.0.1:${port}${req.url}`, { method: req.method, headers, ...(body.length ? { body } : {}) });
          const out = Buffer.from(await r.arrayBuffer());
          forwarded.set(port, (forwarded.get(port) ?? 0) + 1);
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(out);
          return;
        } catch {
          state.retriedElsewhere++;
          ready.delete(port);
        }
      }
      res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    get retriedElsewhere() {
      return state.retriedElsewhere;
    },
    close: async () => {
      stopped = true;
      await probing;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export interface Delivery {
  /** Non-2xx answers and failed connections the sender saw before the update was accepted. */
  failures: number;
  ms: number;
}

/**
 * Delivers one update as Telegram's webhook sender does: POST with the secret header, and on a
 * non-2xx answer or a failed connection, again after a short pause (Telegram retries too).
 */
export async function deliver(url: string, secret: string, update: object, opts: { maxAttempts?: number } = {}): Promise<Delivery> {
  const started = performance.now();
  const body = JSON.stringify(update);
  let failures = 0;
  for (let attempt = 0; attempt < (opts.maxAttempts ?? 50); attempt++) {
    try {
      const r = await fetch(`${url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body,
      });
      await r.arrayBuffer();
      if (r.ok) return { failures, ms: performance.now() - started };
    } catch {
      // connection refused or reset: counted below
    }
    failures++;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`update not accepted after ${failures} attempts`);
}
