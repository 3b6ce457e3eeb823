import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPostgres } from './db.js';

/**
 * `node --import tsx drizzle/migrate.ts`: applies pending migrations to DATABASE_URL and exits,
 * under the same advisory lock every process takes when it starts (a Kubernetes init container
 * runs it, so a pod whose migrations fail never becomes ready). Exit 0 when the schema is current.
 */
export async function migrateOnly(env: Record<string, string | undefined>): Promise<void> {
  const url = env.DATABASE_URL?.trim();
  if (!url) throw new ConfigError('DATABASE_URL is required to migrate (PGlite migrates when COIN starts)');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  const database = await openPostgres(url, { max: 1 });
  await database.close();
}

/** A configuration mistake: one line, exit 2 (as COIN's start-up does). */
class ConfigError extends Error {}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  migrateOnly(process.env).then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${err instanceof ConfigError ? 'Configuration error' : 'Migration failed'}: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof ConfigError ? 2 : 1);
    },
  );
}
