import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeCpuMs } from './proc-cpu.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);

/** How one variant is started: the command and the folder it runs in. */
interface Variant {
  name: string;
  cwd: string;
  cmd: string;
  args: string[];
}

interface Sample {
  /** From spawn to the reply to a message typed at once into the terminal chat. */
  answerMs: number;
  /** CPU time (user + system) the process tree had used by then: what a busy machine does not inflate. */
  cpuMs: number;
  /** The phases COIN logs in its `started` line (absent for builds that do not log them). */
  phases?: Record<string, number>;
}

/**
 * Starts COIN with no tokens on embedded PGlite, types `4.50 coffee` into the terminal chat at
 * once, and waits for the answer; then SIGTERM.
 */
async function sample(v: Variant, dataDir: string): Promise<Sample> {
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const t0 = performance.now();
  const child = spawn(v.cmd, v.args, {
    cwd: v.cwd,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.write('4.50 coffee\n');
  let out = '';
  let err = '';
  let cpuMs = 0;
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const answerMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${v.name}: no answer in 120 s\n${out}\n${err}`)), 120_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('−4.50 EUR')) {
        clearTimeout(timer);
        cpuMs = treeCpuMs(child.pid!);
        resolve(performance.now() - t0);
      }
    });
    child.once('exit', (code) => reject(new Error(`${v.name} exited ${code}\n${out}\n${err}`)));
  });
  child.kill('SIGTERM');
  await exited;
  const started = out.split('\n').find((l) => l.includes('"msg":"started"'));
  const phases = started ? (JSON.parse(started) as { ms: Record<string, number> }).ms : undefined;
  return phases ? { answerMs, cpuMs, phases } : { answerMs, cpuMs };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

function summary(v: Variant, kind: string, samples: Sample[]): string {
  const answer = median(samples.map((s) => s.answerMs));
  const keys = samples[0]?.phases ? Object.keys(samples[0].phases) : [];
  const phases = keys.map((k) => `${k} ${median(samples.map((s) => s.phases?.[k] ?? 0))}`).join(', ');
  const cpu = median(samples.map((s) => s.cpuMs));
  return `${v.name} ${kind}: first answer ${(answer / 1000).toFixed(2)} s wall, ${(cpu / 1000).toFixed(2)} s CPU (median of ${samples.length})${phases ? `; phases ms: ${phases}` : ''}`;
}

/**
 * Issue 11 §4: warm start (an existing DATA_DIR) and first start (a new one) to the first
 * answered message in the terminal chat, split into module loading, database open, migrations
 * and bot start (from the `started` log line). Variants: `npm start`'s command, the compiled
 * image command when `dist/` is built (`npm run build`), and with `BENCH_STARTUP_BEFORE=<dir>`
 * an older checkout (its `npm start` command), interleaved run by run so load on the machine
 * hits both alike. Targets: warm ≤ 1.5 s, first ≤ 4 s. The CPU time of the process tree up to
 * the answer is printed too: on a machine busy with other work the wall time says little.
 */
export async function benchStartup(): Promise<string[]> {
  const variants: Variant[] = [{ name: 'npm start (node --import tsx app/cli.ts)', cwd: ROOT, cmd: process.execPath, args: ['--import', 'tsx', 'app/cli.ts'] }];
  if (existsSync(path.join(ROOT, 'dist/app/cli.js'))) variants.push({ name: 'image (node dist/app/cli.js)', cwd: ROOT, cmd: process.execPath, args: ['dist/app/cli.js'] });
  const before = process.env.BENCH_STARTUP_BEFORE;
  if (before) {
    const old = existsSync(path.join(before, 'app/cli.ts')) ? ['--import', 'tsx', 'app/cli.ts'] : [path.join(before, 'node_modules/.bin/tsx'), 'bot/main.ts'];
    variants.push({ name: `before (${path.basename(before)})`, cwd: before, cmd: old[0]!.startsWith('--') ? process.execPath : old[0]!, args: old[0]!.startsWith('--') ? old : old.slice(1) });
  }
  const scratch = mkdtempSync(path.join(tmpdir(), 'coin-bench-startup-'));
  const first = new Map<Variant, Sample[]>(variants.map((v) => [v, []]));
  const warm = new Map<Variant, Sample[]>(variants.map((v) => [v, []]));
  const failures = new Map<string, string[]>();
  // A start that fails (the old hidden second worker damaged its own PGlite folder) is counted
  // and reported; the warm folder is then made anew.
  const warmDir = new Map<Variant, string>();
  let made = 0;
  const newWarm = async (v: Variant) => {
    const dir = path.join(scratch, `warm-${made++}`);
    warmDir.set(v, dir);
    await sample(v, dir).catch(() => {});
  };
  const attempt = async (v: Variant, kind: string, dir: string, into: Sample[]) => {
    try {
      into.push(await sample(v, dir));
      return true;
    } catch (err) {
      const key = `${v.name} ${kind}`;
      failures.set(key, [...(failures.get(key) ?? []), (err instanceof Error ? err.message : String(err)).split('\n').filter(Boolean).slice(0, 3).join(' / ')]);
      return false;
    }
  };
  try {
    // Warm-up: module caches (tsx's transform cache, the OS page cache) as after any earlier start.
    for (const v of variants) await newWarm(v);
    for (let i = 0; i < RUNS; i++)
      for (const v of variants) {
        await attempt(v, 'first start', path.join(scratch, `first-${made++}`), first.get(v)!);
        if (!(await attempt(v, 'warm start', warmDir.get(v)!, warm.get(v)!))) await newWarm(v);
      }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const lines: string[] = [];
  for (const v of variants)
    for (const [kind, samples] of [['warm start', warm.get(v)!], ['first start', first.get(v)!]] as const) {
      if (samples.length) lines.push(summary(v, kind, samples));
      const failed = failures.get(`${v.name} ${kind}`);
      if (failed) lines.push(`${v.name} ${kind}: ${failed.length} of ${RUNS} starts FAILED: ${failed[0]}`);
    }
  return lines;
}
