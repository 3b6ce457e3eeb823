import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';

/** The real entry point, as `npm start` runs it (read from package.json, wherever it moves). */
function entryPoint(): string[] {
  const pkg = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts.start!.trim().split(/\s+/);
  // `tsx app/main.ts` (or `node dist/...`): run the same file in ONE node process with tsx as a
  // loader (the tsx CLI would put a parent process in between, and kill -9 must hit COIN itself).
  const file = words.find((w) => /\.(ts|js|mjs)$/.test(w));
  if (!file) throw new Error(`cannot find the entry file in "npm start": ${pkg.scripts.start}`);
  return [process.execPath, '--import', 'tsx', path.resolve(file)];
}

export interface CoinProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** Resolves once the process logged that Telegram started (it polls or takes webhooks). */
  ready: Promise<void>;
  pid: number;
}

/**
 * Starts a real COIN process (the entry point `npm start` runs) with `env`, its log appended to
 * `logFile`. Only the variables given (and PATH/HOME) reach it.
 */
export function startCoin(env: Record<string, string>, logFile: string): CoinProcess {
  const [cmd, ...args] = entryPoint();
  const child = spawn(cmd!, args, {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  let seen = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const watch = (d: Buffer) => {
    log.write(d);
    if (seen !== 'done') {
      seen = (seen + d.toString()).slice(-4000);
      if (seen.includes('telegram started') || seen.includes('http listening')) {
        seen = 'done';
        onReady();
      }
    }
  };
  child.stdout!.on('data', watch);
  child.stderr!.on('data', watch);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => (log.end(), resolve(code ?? signal ?? -1))));
  return { child, exited, ready, pid: child.pid! };
}
