import { execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** ms per clock tick of /proc's CPU times, asked once (forking `getconf` at every reading cost the bench's own process CPU that it counted as the bot's). */
let tickMs: number | undefined;
const clockTickMs = (): number => (tickMs ??= 1000 / Number(execSync('getconf CLK_TCK').toString().trim()));

/** A process's parent and CPU time (user + system) so far, ms, from `/proc/<pid>/stat`; throws where it is missing. */
function readStat(pid: number): { pid: number; ppid: number; cpuMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid, ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * clockTickMs() }; // utime, stime
}

/** CPU time (user + system) a process has used so far, ms; throws where it is missing. */
export function procCpuMs(pid: number): number {
  return readStat(pid).cpuMs;
}

/** CPU time so far of each of `pids` that is still there, ms, by pid (a PostgreSQL backend may end meanwhile). */
export function pidsCpuMs(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      out.set(pid, procCpuMs(pid));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** CPU used between two `pidsCpuMs` readings, ms: a process new in `after` counts from zero. */
export const cpuSince = (before: Map<number, number>, after: Map<number, number>): number =>
  [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);

/** Every process now, with its parent and CPU time so far (those that end during the scan are left out). */
export function processes(): { pid: number; ppid: number; cpuMs: number }[] {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      out.push(readStat(Number(name)));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU time so far of a process and all its descendants alive, ms. */
export function treeCpuMs(root: number): number {
  const all = processes();
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    for (const p of all) {
      if (p.pid === pid) total += p.cpuMs;
      if (p.ppid === pid) stack.push(p.pid);
    }
  }
  return total;
}

/**
 * Time a single-threaded process (a PostgreSQL backend) has spent on a CPU so far, ms, in
 * nanoseconds' resolution (`/proc/<pid>/schedstat`; `/proc/<pid>/stat` counts 10 ms ticks).
 */
export function onCpuMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}
