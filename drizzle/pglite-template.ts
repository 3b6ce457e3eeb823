import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationsFolder, migrationsKey } from './migrations-folder.js';
import { untarGz } from './untar.js';

/**
 * A new PGlite data folder starts from `initdb` and then every migration, which takes PGlite
 * many seconds. The same empty, migrated database, made once per installed PGlite version and
 * set of migrations (`npm install` runs `drizzle/pglite-template-cli.ts`; the Docker image at
 * build time) and unpacked into each new folder (`unpackTemplate`), makes a first start several
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

/** A data folder that does not exist yet or is empty: a first start. */
const isNew = (dataDir: string): boolean => !existsSync(dataDir) || readdirSync(dataDir).length === 0;

/** The template for PGlite to load into a new in-memory database (`memory://`), if there is one. */
export function templateFor(dataDir: string): Blob | undefined {
  if (!dataDir.startsWith('memory://') && !isNew(dataDir)) return undefined;
  const file = templatePath();
  if (!file || !existsSync(file)) return undefined;
  return new Blob([readFileSync(file)]);
}

/**
 * Unpacks the template into a new (missing or empty) data folder with Node, before PGlite opens
 * it: a first start is then a warm start. Handing the tarball to PGlite instead (`loadDataDir`)
 * unpacks it through PGlite's WebAssembly memory, which never shrinks: a first start stayed
 * ≈ 100 MB higher for as long as it ran (issue 19). The files go into a folder beside it that is
 * renamed into place when complete, so an interrupted first start leaves no half database.
 * False when the folder is not new or there is no template (PGlite then runs `initdb`).
 */
export async function unpackTemplate(dataDir: string): Promise<boolean> {
  const file = templatePath();
  if (!file || !existsSync(file) || !isNew(dataDir)) return false;
  const draft = `${path.resolve(dataDir)}.unpacking`;
  rmSync(draft, { recursive: true, force: true });
  mkdirSync(draft, { recursive: true, mode: 0o700 });
  try {
    await untarGz(file, draft);
    if (existsSync(dataDir)) rmdirSync(dataDir);
    renameSync(draft, dataDir);
    return true;
  } finally {
    rmSync(draft, { recursive: true, force: true });
  }
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
