import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where `npm start` runs). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A COIN process a test started: its output so far, how it ended. */
export interface CoinProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  out(): string;
  err(): string;
  /** Resolves when stdout (or stderr, when `stream` says so) contains `text`. */
  waitFor(text: string | RegExp, ms?: number, stream?: 'out' | 'err'): Promise<void>;
  /** Writes one line to the terminal chat. */
  say(line: string): void;
}

/** How to start COIN: the README's `npm start`, the entry point under tsx, or the compiled one. */
export type Launch = 'npm' | 'tsx' | 'dist';

const COMMANDS: Record<Launch, [string, string[]]> = {
  npm: ['npm', ['start', '--silent']],
  tsx: [process.execPath, ['--import', 'tsx', 'app/cli.ts']],
  dist: [process.execPath, ['dist/app/cli.js']],
};

/**
 * Starts COIN as a user or a container does (its own process group, so a test can see every
 * process it started), with only the given environment plus PATH and HOME.
 */
export function startCoin(env: Record<string, string>, opts: { launch?: Launch } = {}): CoinProcess {
  const [cmd, args] = COMMANDS[opts.launch ?? 'tsx'];
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  child.stdin!.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => out,
    err: () => err,
    say: (line) => void child.stdin!.write(line + '\n'),
    async waitFor(text, ms = 30_000, stream = 'out') {
      const end = Date.now() + ms;
      const has = () => {
        const s = stream === 'out' ? out : err;
        return typeof text === 'string' ? s.includes(text) : text.test(s);
      };
      while (!has()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${String(text)}\nstdout: ${out.slice(-2000)}\nstderr: ${err.slice(-2000)}`);
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before ${String(text)}\nstdout: ${out.slice(-2000)}\nstderr: ${err.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Pids of every live process in a process group (the group a detached child leads). */
export function groupPids(pgid: number): number[] {
  const ps = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 3 && Number(f[1]) === pgid && !f[2]!.startsWith('Z'))
    .map((f) => Number(f[0]));
}

/** Kills whatever is left of a process group (test clean-up). */
export function killGroup(pgid: number | undefined): void {
  if (!pgid) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * A TCP port free for a COIN process to listen on, for a test that must know the port before the
 * start (the `/app` link names it). Chosen below the kernel's ephemeral range (32768+), where the
 * suite's own outgoing connections take local ports: a random port there could be in use by one
 * of them and the start refused.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found in 20000-32000');
}
