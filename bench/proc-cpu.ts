import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** ms per clock tick of /proc's CPU times, asked once (forking `getconf` at every reading cost the bench's own process CPU that it counted as the bot's). */
let tickMs: number | undefined;
const clockTickMs = (): number => (tickMs ??= 1000 / Number(execSync('getconf CLK_TCK').toString().trim()));

/** CPU time (user + system) a process has used so far, ms, from `/proc/<pid>/stat`; throws where it is missing. */
export function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * clockTickMs(); // utime, stime
}

/**
 * Time a single-threaded process (a PostgreSQL backend) has spent on a CPU so far, ms, in
 * nanoseconds' resolution (`/proc/<pid>/schedstat`; `/proc/<pid>/stat` counts 10 ms ticks).
 */
export function onCpuMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}
