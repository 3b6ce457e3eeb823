import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUse, lockDataDir } from './data-dir-lock.js';
import { openPglite } from './db.js';

const dirs: string[] = [];
const scratch = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'coin-lock-'));
  dirs.push(d);
  return path.join(d, 'pglite');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A pid that is certainly not running: a child that has exited. */
async function deadPid(): Promise<number> {
  const c = spawn('true');
  await new Promise((r) => c.once('exit', r));
  return c.pid!;
}

describe('one process per embedded data folder', () => {
  it('GIVEN a folder open in this process THEN a second open is refused with one line naming the folder and the pid, and the first keeps working', async () => {
    const dir = scratch();
    const first = await openPglite(dir, { label: 'DATA_DIR /x' });
    try {
      const err = await openPglite(dir, { label: 'DATA_DIR /x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataDirInUse);
      expect((err as Error).message).toMatch(new RegExp(`^DATA_DIR /x is in use by process ${process.pid} \\(this process\\)`));
      expect((err as Error).message.split('\n')).toHaveLength(1);
      await first.db.execute(sql`select 1`);
    } finally {
      await first.close();
    }
    // Closed: the lock is gone and the folder opens again with its data.
    expect(existsSync(dir + '.lock')).toBe(false);
    const again = await openPglite(dir);
    await again.close();
  });

  it('GIVEN a lock left by a process that is gone (kill -9) THEN the next open takes it over', async () => {
    const dir = scratch();
    writeFileSync(dir + '.lock', JSON.stringify({ pid: await deadPid(), start: 1 }));
    const release = lockDataDir(dir);
    expect(JSON.parse(readFileSync(dir + '.lock', 'utf8')).pid).toBe(process.pid);
    release();
    expect(existsSync(dir + '.lock')).toBe(false);
  });

  it('GIVEN a lock of a live process THEN it is refused; the same pid started anew (reused) does not count as the owner', async () => {
    const dir = scratch();
    const sleeper = spawn('sleep', ['30']);
    try {
      const start = Number(readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
      writeFileSync(dir + '.lock', JSON.stringify({ pid: sleeper.pid, start }));
      expect(() => lockDataDir(dir, 'DATA_DIR d')).toThrow(`DATA_DIR d is in use by process ${sleeper.pid};`);
      // Same pid, another start time: the pid was reused by an unrelated process.
      writeFileSync(dir + '.lock', JSON.stringify({ pid: sleeper.pid, start: start - 1 }));
      lockDataDir(dir)();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('GIVEN a lock with our own pid that this process does not hold (a container restarted as PID 1) THEN it is stale', () => {
    const dir = scratch();
    writeFileSync(dir + '.lock', JSON.stringify({ pid: process.pid }));
    lockDataDir(dir)();
    writeFileSync(dir + '.lock', 'garbage');
    lockDataDir(dir)();
  });
});
