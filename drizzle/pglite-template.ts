import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationsFolder, migrationsKey } from './migrations-folder.js';

/**
 * A new PGlite data folder starts from `initdb` and then every migration, which takes PGlite
 * many seconds. The same empty, migrated database, made once per installed PGlite version and
 * set of migrations (`npm install` runs `drizzle/pglite-template-cli.ts`; the Docker image at
 * build time) and unpacked into each new folder (`loadDataDir`), makes a first start several
 * seconds quicker. Without it (another PGlite, a new migration) a new folder is made by
 * `initdb` as before; the migrations run after either way (nothing to do when they match).
 */
export function templatePath(): string | undefined {
  // The node_modules that holds PGlite, found upwards from here (src or dist/).
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const pkgFile = path.join(dir, 'node_modules', '@electric-sql', 'pglite', 'package.json');
    if (existsSync(pkgFile)) {
      const { version } = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string };
      return path.join(dir, 'node_modules', '.cache', 'coin', `pglite-${version}-${migrationsKey()}.tar.gz`);
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The template to unpack into a new, empty data folder, if there is one. */
export function templateFor(dataDir: string): Blob | undefined {
  if (!dataDir.startsWith('memory://') && existsSync(dataDir) && readdirSync(dataDir).length > 0) return undefined;
  const file = templatePath();
  if (!file || !existsSync(file)) return undefined;
  return new Blob([readFileSync(file)]);
}

/** Makes the template (an empty database, migrated) unless it exists; returns its path. */
export async function makeTemplate(): Promise<string | undefined> {
  const file = templatePath();
  if (!file || existsSync(file)) return file;
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const client = await PGlite.create('memory://');
  await migrate(drizzle(client), { migrationsFolder });
  const blob = await client.dumpDataDir('gzip');
  await client.close();
  mkdirSync(path.dirname(file), { recursive: true });
  const draft = `${file}.${process.pid}.tmp`;
  writeFileSync(draft, Buffer.from(await blob.arrayBuffer()));
  renameSync(draft, file);
  return file;
}
