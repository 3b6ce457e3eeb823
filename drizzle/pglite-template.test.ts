import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openPglite } from './db.js';
import { migrationsFolder } from './migrations-folder.js';
import { makeTemplate, templateFor, unpackTemplate } from './pglite-template.js';
import { rowsOf } from './store/rows.js';

describe('new PGlite folders start from the migrated template', () => {
  it('GIVEN the template THEN a new folder gets every migration, no rows, and keeps what is written across a reopen', async () => {
    const file = await makeTemplate();
    expect(file).toMatch(/pglite-[\d.]+-[0-9a-f]{12}\.tar\.gz$/);
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'coin-template-')), 'pglite');
    try {
      expect(templateFor(dir)).toBeInstanceOf(Blob);
      const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
      const first = await openPglite(dir);
      const applied = rowsOf<{ n: number }>(await first.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`))[0]!.n;
      expect(applied).toBe(journal.entries.length);
      expect(rowsOf<{ n: number }>(await first.db.execute(sql`select count(*)::int as n from events`))[0]!.n).toBe(0);
      await first.db.execute(sql`create table t_keep (v int)`);
      await first.db.execute(sql`insert into t_keep values (42)`);
      await first.close();
      // Unpacked in place by Node: nothing left beside the folder but its lock's place.
      expect(readdirSync(path.dirname(dir)).filter((f) => f !== 'pglite.lock')).toEqual(['pglite']);
      // The folder is no longer new: it is opened as it is, never overwritten from the template.
      expect(templateFor(dir)).toBeUndefined();
      expect(await unpackTemplate(dir)).toBe(false);
      const again = await openPglite(dir);
      expect(rowsOf<{ v: number }>(await again.db.execute(sql`select v from t_keep`))).toEqual([{ v: 42 }]);
      await again.close();
    } finally {
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  }, 60_000);

  it('GIVEN a first start that stopped while unpacking THEN the next start unpacks afresh and opens a whole database', async () => {
    await makeTemplate();
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'coin-template-')), 'pglite');
    try {
      // What an interrupted unpack leaves: a half-written folder beside an empty data folder.
      mkdirSync(path.join(`${dir}.unpacking`, 'base'), { recursive: true });
      writeFileSync(path.join(`${dir}.unpacking`, 'PG_VERSION'), '17\n');
      mkdirSync(dir);
      const db = await openPglite(dir);
      expect(rowsOf<{ n: number }>(await db.db.execute(sql`select count(*)::int as n from books`))[0]!.n).toBe(0);
      await db.close();
      expect(existsSync(`${dir}.unpacking`)).toBe(false);
    } finally {
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  }, 60_000);
});
