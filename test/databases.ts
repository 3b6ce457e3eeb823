import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openPglite, openPostgres, type Database } from '../drizzle/db.js';

/** Server that tests create their own databases on (CI: the machine's PostgreSQL). */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh, migrated PostgreSQL database of its own for one test file; `close` drops it.
 * Each test file gets a new database so files can run in parallel without touching each other.
 */
export async function freshPostgres(): Promise<Database> {
  const name = `coin_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString(), { max: 10 });
  return {
    ...db,
    close: async () => {
      await db.close();
      const a = postgres(TEST_PG_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** An in-memory PGlite database, migrated. */
export const freshPglite = (): Promise<Database> => openPglite('memory://');

/** Both engines, for suites that must hold on each (`describe.each(ENGINES)`). */
export const ENGINES = [
  { engine: 'postgres', open: freshPostgres },
  { engine: 'pglite', open: freshPglite },
] as const;
