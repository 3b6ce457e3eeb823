import { makeTemplate } from './pglite-template.js';

/**
 * `npm install` (prepare) and the Docker build: makes the empty PGlite cluster new data
 * folders start from. Never fails the install: without the template a first start only
 * takes longer.
 */
try {
  const file = await makeTemplate();
  if (file) process.stdout.write(`PGlite template ready: ${file}\n`);
} catch (err) {
  process.stdout.write(`PGlite template not made (first starts will run initdb): ${err instanceof Error ? err.message : String(err)}\n`);
}
