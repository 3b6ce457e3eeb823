import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { untarGz } from './untar.js';

const scratch: string[] = [];
const temp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'coin-untar-'));
  scratch.push(d);
  return d;
};
afterEach(() => {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Every file under `dir` with its bytes, by relative path. */
function tree(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, { [path.relative(base, full) + '/']: '' }, tree(full, base));
    else out[path.relative(base, full)] = readFileSync(full).toString('base64');
  }
  return out;
}

describe('untarGz', () => {
  it('GIVEN a gzipped ustar archive of folders and files of every size around a block THEN the same tree and modes come out', async () => {
    const src = path.join(temp(), 'src');
    const long = path.join(src, 'a'.repeat(60), 'b'.repeat(60));
    mkdirSync(long, { recursive: true });
    mkdirSync(path.join(src, 'empty'));
    const sizes = [0, 1, 511, 512, 513, 1024, 70_000, 1_000_000];
    for (const n of sizes) writeFileSync(path.join(src, `f${n}`), Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + n) % 256)));
    writeFileSync(path.join(long, 'deep.txt'), 'deep');
    execFileSync('chmod', ['600', path.join(src, 'f1')]);
    const archive = path.join(temp(), 'a.tar.gz');
    execFileSync('tar', ['--format=ustar', '-czf', archive, '-C', src, '.']);
    const into = temp();
    await untarGz(archive, into);
    expect(tree(into)).toEqual(tree(src));
    expect(statSync(path.join(into, 'f1')).mode & 0o777).toBe(0o600);
  });

  it('GIVEN an archive holding a symbolic link THEN it is refused', async () => {
    const src = temp();
    writeFileSync(path.join(src, 'x'), 'x');
    symlinkSync('x', path.join(src, 'link'));
    const archive = path.join(temp(), 'l.tar.gz');
    execFileSync('tar', ['--format=ustar', '-czf', archive, '-C', src, 'link']);
    await expect(untarGz(archive, temp())).rejects.toThrow(/type '2' not supported: link/);
  });

  it('GIVEN an entry named outside the folder THEN it is refused and nothing is written there', async () => {
    const root = temp();
    mkdirSync(path.join(root, 'inner'));
    writeFileSync(path.join(root, 'secret'), 'x');
    const archive = path.join(root, 'p.tar.gz');
    execFileSync('tar', ['--format=ustar', '-P', '-czf', archive, '../secret'], { cwd: path.join(root, 'inner') });
    const into = path.join(temp(), 'a', 'b');
    mkdirSync(into, { recursive: true });
    await expect(untarGz(archive, into)).rejects.toThrow(/outside the folder: \.\.\/secret/);
    expect(readdirSync(path.dirname(into))).toEqual(['b']);
  });

  it('GIVEN an archive cut short THEN it is refused', async () => {
    const src = temp();
    writeFileSync(path.join(src, 'big'), Buffer.alloc(100_000, 1));
    const tar = path.join(temp(), 'c.tar');
    execFileSync('tar', ['--format=ustar', '-cf', tar, '-C', src, 'big']);
    const cut = path.join(temp(), 'c.tar.gz');
    writeFileSync(path.join(path.dirname(cut), 'part.tar'), readFileSync(tar).subarray(0, 50_000));
    execFileSync('sh', ['-c', `gzip -c "${path.join(path.dirname(cut), 'part.tar')}" > "${cut}"`]);
    await expect(untarGz(cut, temp())).rejects.toThrow(/ends in the middle/);
  });
});
