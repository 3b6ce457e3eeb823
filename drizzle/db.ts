import { mkdirSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.js';
import { lockDataDir } from './data-dir-lock.js';
import { templateFor, unpackTemplate } from './pglite-template.js';
import { migrationsFolder } from './migrations-folder.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open database: the drizzle handle, which engine it is, and how to close it. */
export interface Database {
  db: Db;
  engine: 'postgres' | 'pglite';
  /** Round-trips a trivial query; used by `/health`. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** How long opening took: connecting / starting the engine, then the migrations. */
  timings: { openMs: number; migrateMs: number };
}


let mendsRegistered = false;
/**
 * Whether statements of one transaction can be sent without waiting for the answers before
 * them: postgres.js pipelines them on the connection; PGlite runs one call at a time.
 */
export const pipelines = (db: Db): boolean => typeof (db as unknown as { $client?: { begin?: unknown } }).$client?.begin === 'function';

/**
 * Registers drizzle/postgres-mends.mjs (two mends of postgres.js 3.4.9) once. It must run before
 * postgres.js is first loaded in the process: COIN loads it only here (`openPostgres`); test and
 * benchmark processes, which import it themselves, call this first (test/postgres-mends-setup.ts,
 * bench/run.ts).
 */
export function registerPostgresMends(): void {
  if (mendsRegistered) return;
  mendsRegistered = true;
  try {
    register('./postgres-mends.mjs', import.meta.url);
  } catch (err) {
    process.emitWarning(`postgres.js mends not registered: ${String(err)}`);
  }
}

/** Connects to PostgreSQL through postgres.js and applies pending migrations. */
export async function openPostgres(
  url: string,
  /** `debug` sees every statement the pool sends, with its connection (tests count transactions with it). */
  opts: { max?: number; debug?: (connection: number, query: string) => void } = {},
): Promise<Database> {
  registerPostgresMends();
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {}, connection: { application_name: 'coin' }, ...(opts.debug ? { debug: opts.debug } : {}) });
  // drizzle runs every query through `unsafe(..., { prepare: false })` unless it was built with
  // `.prepare(name)`, so PostgreSQL would parse and plan each statement on every call (planning
  // the membership lookup alone costs over a millisecond). Our statements are parameterised and
  // few, so preparing all of them once per connection is safe and much cheaper.
  // The same inside transactions and savepoints, whose scoped clients postgres.js makes afresh
  // (the chat path runs every statement in one: issue 19).
  preparedAlways(client);
  const db = drizzle(client, { schema }) as unknown as Db;
  const t0 = performance.now();
  await client`select 1`;
  const t1 = performance.now();
  await migrateWithLock(postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: 'coin-migrate' } }), (c) =>
    migrate(drizzle(c), { migrationsFolder }),
  );
  return {
    db,
    engine: 'postgres',
    ping: async () => {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 5 }),
    timings: { openMs: t1 - t0, migrateMs: performance.now() - t1 },
  };
}

/** Makes every `unsafe` call of a postgres.js client (and of its transactions) a prepared statement. */
function preparedAlways(client: import('postgres').Sql | import('postgres').TransactionSql): void {
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((query: string, params?: unknown[], options?: { prepare?: boolean }) =>
    unsafe(query, params as never, { ...options, prepare: true })) as typeof client.unsafe;
  const scoped = <K extends 'begin' | 'savepoint'>(key: K) => {
    const target = client as unknown as Record<K, ((...args: unknown[]) => Promise<unknown>) | undefined>;
    const original = target[key]?.bind(client);
    if (!original) return;
    target[key] = (...args: unknown[]) => {
      const fn = args.pop() as (tx: import('postgres').TransactionSql) => unknown;
      return original(...args, (tx: import('postgres').TransactionSql) => {
        preparedAlways(tx);
        return fn(tx);
      });
    };
  };
  scoped('begin');
  scoped('savepoint');
}

/**
 * Several processes (bot, workers) may start together against one server; an advisory lock
 * makes them migrate one after the other instead of racing on the same DDL. The lock and the
 * migration share one connection of their own (`client` has max 1), so the app's pool may be
 * of any size, one included.
 */
async function migrateWithLock(client: import('postgres').Sql, run: (c: import('postgres').Sql) => Promise<void>): Promise<void> {
  try {
    await client`select pg_advisory_lock(7364021)`;
    await run(client);
    await client`select pg_advisory_unlock(7364021)`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/**
 * Server settings for the embedded PGlite (command-line `-c`, so nothing is written into the
 * data folder). PostgreSQL's default of 128 MB shared buffers is zeroed at start inside PGlite's
 * WebAssembly memory, so all of it is resident from the first second: most of the idle RSS of
 * embedded mode. A household's book (tens of thousands of events, a few MB of tables and
 * indexes) fits in 16 MB with room to spare, and the pages PGlite does not cache stay in the
 * operating system's page cache anyway. Durability settings are left as PGlite ships them.
 */
export const PGLITE_SETTINGS = ['shared_buffers=16MB'];

/**
 * Opens (creating if needed) an embedded PGlite database under `dataDir` (`memory://` for
 * tests). One process per folder: a folder open elsewhere (or already here) throws
 * `DataDirInUse` naming `label` before PGlite touches it.
 */
export async function openPglite(dataDir: string, opts: { label?: string } = {}): Promise<Database> {
  let unlock = () => {};
  if (!dataDir.startsWith('memory://')) {
    mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
    unlock = lockDataDir(dataDir, opts.label ?? dataDir);
    mkdirSync(dataDir, { recursive: true });
  }
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const { preparedPglite } = await import('./pglite-statements.js');
    const t0 = performance.now();
    // A new folder gets the template unpacked by Node (PGlite would unpack it through its own
    // memory, which never shrinks); in memory, or if Node could not, PGlite loads it.
    const unpacked = !dataDir.startsWith('memory://') && (await unpackTemplate(dataDir).catch(() => false));
    const template = unpacked ? undefined : templateFor(dataDir);
    const startParams = [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ['-c', s])];
    const client = await PGlite.create(dataDir, template ? { loadDataDir: template, startParams } : { startParams });
    const t1 = performance.now();
    // Statements used again run prepared (drizzle/pglite-statements.ts), as on PostgreSQL.
    const db = drizzle({ client: preparedPglite(client) as never, schema }) as unknown as Db;
    await migrate(db as never, { migrationsFolder });
    const t2 = performance.now();
    return {
      db,
      engine: 'pglite',
      ping: async () => {
        await client.query('select 1');
      },
      close: async () => {
        try {
          await client.close();
        } finally {
          unlock();
        }
      },
      timings: { openMs: t1 - t0, migrateMs: t2 - t1 },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}
