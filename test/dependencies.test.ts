import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const FOLDERS = ['app', 'domain', 'drizzle', 'bot', 'adapters', 'workers', 'test', 'bench', 'chaos'].filter((d) => existsSync(path.join(ROOT, d)));

/** The import rules of `.dependency-cruiser.cjs` (domain pure, adapters apart, no cycles, …) hold. */
describe('import directions', () => {
  it('GIVEN the source tree THEN dependency-cruiser finds no rule broken', () => {
    const r = spawnSync(process.execPath, [CLI, '--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...FOLDERS], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('no dependency violations found');
    expect(r.status).toBe(0);
  }, 60_000);
});
