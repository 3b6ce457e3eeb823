import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openPglite, openPostgres, type Database } from '../drizzle/db.js';

/** Server that tests create their own databases on (CI: the machine's PostgreSQL). */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const onServer = async (statement: string): Promise<void> => {
  const admin = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.end();
  }
};

/** The one way tests make a database: a new, empty one (no migrations) and its URL; `drop` removes it. */
export async function emptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `coin_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await onServer(`create database ${name}`);
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`drop database if exists ${name} with (force)`) };
}

/** Pool options for a test database (`max` defaults to 10; `debug` sees every statement sent). */
type PoolOptions = Parameters<typeof openPostgres>[1];

/** A new migrated PostgreSQL database with its URL (for child processes); `drop` closes and removes it. */
export async function scratchDatabase(opts: PoolOptions = {}): Promise<{ url: string; database: Database; drop(): Promise<void> }> {
  const empty = await emptyDatabase();
  const database = await openPostgres(empty.url, { max: 10, ...opts });
  return {
    url: empty.url,
    database,
    async drop() {
      await database.close();
      await empty.drop();
    },
  };
}

/**
 * A fresh, migrated PostgreSQL database of its own for one test file; `close` drops it.
 * Each test file gets a new database so files can run in parallel without touching each other.
 */
export async function freshPostgres(opts: PoolOptions = {}): Promise<Database> {
  const s = await scratchDatabase(opts);
  return { ...s.database, close: s.drop };
}

/** An in-memory PGlite database, migrated. */
export const freshPglite = (): Promise<Database> => openPglite('memory://');

/** Both engines, for suites that must hold on each (`describe.each(ENGINES)`). */
export const ENGINES = [
  { engine: 'postgres', open: freshPostgres },
  { engine: 'pglite', open: freshPglite },
] as const;
