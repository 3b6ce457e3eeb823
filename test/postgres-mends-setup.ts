// Before a test file loads postgres.js (test/databases.ts imports it): the mends COIN's own
// processes get in `openPostgres` apply to the tests' pools too (drizzle/postgres-mends.mjs).
import { registerPostgresMends } from '../drizzle/db.js';

registerPostgresMends();
