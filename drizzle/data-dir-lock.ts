import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A second process (or a second open in this one) on an embedded data folder that is in use. */
export class DataDirInUse extends Error {
  override readonly name = 'DataDirInUse';
  constructor(
    readonly label: string,
    readonly pid: number,
  ) {
    super(`${label} is in use by process ${pid}${pid === process.pid ? ' (this process)' : ''}; one process per data folder: stop it first or use another DATA_DIR`);
  }
}

interface Owner {
  pid: number;
  /** The owner's start time in clock ticks since boot (Linux), so a reused pid is not mistaken for it. */
  start?: number | undefined;
}

/** Lock files this process holds, by path. */
const held = new Set<string>();
let exitHookSet = false;

/**
 * Takes the one-process lock of an embedded data folder: `<dir>.lock` holding the owner's pid
 * (created whole with `link`, which fails if the file exists). A lock whose owner is gone
 * (`kill -9`, a crash, a container restarted with the same pid) is taken over; a live owner,
 * or this process having the folder open already, throws `DataDirInUse` before anything
 * touches the data. Returns the release function (also run on exit).
 */
export function lockDataDir(dir: string, label = dir): () => void {
  const file = path.resolve(dir) + '.lock';
  if (held.has(file)) throw new DataDirInUse(label, process.pid);
  const me: Owner = { pid: process.pid, start: startTicks(process.pid) };
  const draft = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(draft, JSON.stringify(me) + '\n');
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(draft, file);
        held.add(file);
        setExitHook();
        return () => release(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readOwner(file);
      if (owner && alive(owner)) throw new DataDirInUse(label, owner.pid);
      // The owner is gone: move its lock aside (atomic, so two newcomers cannot both do it),
      // and put it back if what we moved turns out to be a newcomer's live lock.
      const aside = `${file}.${process.pid}.${Date.now()}.stale`;
      try {
        renameSync(file, aside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const moved = readOwner(aside);
      if (moved && alive(moved) && (moved.pid !== owner?.pid || moved.start !== owner?.start)) {
        try {
          linkSync(aside, file);
        } catch {
          // someone took the place meanwhile; either way the folder is in use
        }
        rmSync(aside, { force: true });
        throw new DataDirInUse(label, moved.pid);
      }
      rmSync(aside, { force: true });
    }
    throw new Error(`${label}: could not take the data folder lock ${file}`);
  } finally {
    rmSync(draft, { force: true });
  }
}

function release(file: string): void {
  if (!held.delete(file)) return;
  const owner = readOwner(file);
  if (owner?.pid === process.pid) rmSync(file, { force: true });
}

function setExitHook(): void {
  if (exitHookSet) return;
  exitHookSet = true;
  process.on('exit', () => {
    for (const file of [...held]) release(file);
  });
}

function readOwner(file: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<Owner>;
    if (typeof o.pid !== 'number' || !Number.isInteger(o.pid) || o.pid <= 0) return undefined;
    return { pid: o.pid, start: typeof o.start === 'number' ? o.start : undefined };
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote a lock still runs. */
function alive(o: Owner): boolean {
  // Our own pid on a lock we do not hold: written by an earlier life of this pid (a container
  // restarted as PID 1 again), so its owner is gone.
  if (o.pid === process.pid) return false;
  try {
    process.kill(o.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTicks(o.pid);
  return o.start === undefined || now === undefined || now === o.start;
}

/** Field 22 of /proc/PID/stat (start time since boot); undefined where there is no /proc. */
function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(fields[19]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
