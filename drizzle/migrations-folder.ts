import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the SQL migrations and their journal live (beside this file, in dist/ too). */
export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** A short hash of every migration and the journal: changes whenever the schema does. */
export function migrationsKey(): string {
  const hash = createHash('sha256');
  for (const f of readdirSync(migrationsFolder).filter((n) => n.endsWith('.sql')).sort()) hash.update(f).update(readFileSync(path.join(migrationsFolder, f)));
  hash.update(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json')));
  return hash.digest('hex').slice(0, 12);
}
