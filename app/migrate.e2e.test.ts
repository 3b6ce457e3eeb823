import { spawnSync } from 'node:child_process';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../test/replicas/cluster.js';

const migrate = (env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'app/cli.ts', 'migrate'], { env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, encoding: 'utf8', timeout: 60_000 });

/** The migration step of a Kubernetes init container: migrate, exit 0, start nothing. */
describe('app/cli.ts migrate', () => {
  it('GIVEN an empty database THEN it is migrated and the command exits 0; again, nothing to do, 0', async () => {
    const db = await createDatabase();
    try {
      expect(migrate({ DATABASE_URL: db.url }).status).toBe(0);
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
      await sql.end();
      expect(n).toBeGreaterThan(0);
      expect(migrate({ DATABASE_URL: db.url }).status).toBe(0);
    } finally {
      await db.drop();
    }
  }, 60_000);

  it('GIVEN no DATABASE_URL THEN one line saying so and exit 2', () => {
    const r = migrate({});
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('Configuration error: DATABASE_URL is required to migrate (PGlite migrates when COIN starts)');
  });
});
