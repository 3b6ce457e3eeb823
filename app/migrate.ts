import { ConfigError } from './config.js';
import { openPostgres } from '../drizzle/db.js';

/**
 * `node app/cli.js migrate` (`npm run migrate`): applies pending migrations to DATABASE_URL and
 * exits, under the same advisory lock every process takes when it starts (a Kubernetes init
 * container runs it, so a pod whose migrations fail never becomes ready). Resolves when the
 * schema is current.
 */
export async function migrateOnly(env: Record<string, string | undefined>): Promise<void> {
  const url = env.DATABASE_URL?.trim();
  if (!url) throw new ConfigError('DATABASE_URL is required to migrate (PGlite migrates when COIN starts)');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  const database = await openPostgres(url, { max: 1 });
  await database.close();
}
