import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** PostgreSQL binaries of the newest installed major version (Debian layout), else from PATH. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const v = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
    if (v) return path.join(root, v, 'bin');
  }
  return '';
}

/**
 * A throw-away PostgreSQL server of the chaos suite's own (so it may be restarted and stopped):
 * `initdb` in a temp directory, listening on 127.0.0.1:`port` only. As root it runs as `postgres`.
 */
export function createCluster(port: number) {
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'coin-chaos-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) => {
    const exe = bin ? path.join(bin, tool) : tool;
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
    return execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir() }).toString();
  };
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60 -c shared_buffers=32MB`;
  const ctl = (...args: string[]) => run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', ...args]);
  return {
    url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    start: () => void ctl('-o', opts, 'start'),
    stop: (mode: 'fast' | 'immediate' = 'fast') => void ctl('-m', mode, 'stop'),
    restart: (mode: 'fast' | 'immediate') => void ctl('-m', mode, '-o', opts, 'restart'),
    /** Stops the server (if up) and removes its directory. */
    destroy() {
      try {
        ctl('-m', 'immediate', 'stop');
      } catch {
        /* already down */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Cluster = ReturnType<typeof createCluster>;
