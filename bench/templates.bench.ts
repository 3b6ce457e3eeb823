import { sql } from 'drizzle-orm';
import { rowsOf } from '../drizzle/store/rows.js';
import {
  TEST_REDIS_URL,
  dropPrefix,
  seedDueTemplates,
  spawnWorker,
  templateEventCounts,
  uniquePrefix,
  waitUntil,
} from '../test/worker-kit.js';
import { scratchDatabase } from '../test/databases.js';

const TEMPLATES = 100_000;
const BOOKS = 10_000;
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);

/**
 * 100,000 templates (10 per book in 10,000 books) due at the same minute, two worker
 * processes (`app/cli.ts` with ROLES=worker on BullMQ, the real every-minute job scheduler): time from
 * the due minute until every occurrence is recorded, and duplicates counted in SQL (must be 0).
 * Chats are not notified (no notify chat), so this measures applying, not the outbound queue.
 * `BENCH_WORKERS=1 npm run bench -- templates` measures one worker for comparison.
 */
export async function benchTemplates(): Promise<string[]> {
  const scratch = await scratchDatabase();
  const prefix = uniquePrefix('bench');
  const workers: ReturnType<typeof spawnWorker>[] = [];
  try {
    // The next whole minute at least 25 s away: time to seed and to start the workers idle.
    const due = new Date(Math.ceil((Date.now() + 25_000) / 60_000) * 60_000);
    const s0 = performance.now();
    await seedDueTemplates(scratch.database, { count: TEMPLATES, books: BOOKS, dueAt: due });
    const seedSeconds = (performance.now() - s0) / 1000;
    const env = { DATABASE_URL: scratch.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'error' };
    for (let i = 0; i < WORKERS; i++) workers.push(spawnWorker(env));
    if (Date.now() >= due.getTime()) throw new Error('seeding took past the due minute; nothing measured');

    await waitUntil(async () => Date.now() >= due.getTime(), 90_000, 20);
    // Progress is read from the due index (cheap); counting events while they are written would
    // take a CPU core from the machine being measured.
    let first: number | undefined;
    const stillDue = async () => {
      const [r] = rowsOf<{ n: number }>(
        await scratch.database.db.execute(
          sql`select count(*)::int as n from templates where next_due_at <= ${due.toISOString()}::timestamptz and paused = false and deleted_at is null`,
        ),
      );
      if (r!.n < TEMPLATES && first === undefined) first = Date.now() - due.getTime();
      return r!.n;
    };
    await waitUntil(async () => (await stillDue()) === 0, 300_000, 100);
    const seconds = (Date.now() - due.getTime()) / 1000;

    const counts = await templateEventCounts(scratch.database);
    const [gaps] = rowsOf<{ n: number }>(
      await scratch.database.db.execute(sql`select count(*)::int as n from (select book_id from events group by book_id having max(seq) <> count(*)) g`),
    );
    for (const w of workers) w.kill('SIGTERM');
    const codes = await Promise.all(workers.map((w) => w.exited));
    return [
      `templates: ${TEMPLATES.toLocaleString('en')} due at ${due.toISOString()} in ${BOOKS.toLocaleString('en')} books, ${WORKERS} worker processes (BullMQ, real Redis and PostgreSQL)`,
      `seeded set-based in ${seedSeconds.toFixed(1)} s`,
      `first batch committed ${((first ?? 0) / 1000).toFixed(2)} s after the due minute`,
      `all applied ${seconds.toFixed(1)} s after the due minute (${Math.round(TEMPLATES / seconds).toLocaleString('en')} occurrences/s; target ≤ 60 s)`,
      `duplicates: ${counts.events - counts.distinct} (events ${counts.events.toLocaleString('en')}, distinct occurrences ${counts.distinct.toLocaleString('en')}); books with sequence gaps: ${gaps!.n}`,
      `workers stopped with SIGTERM, exit codes ${codes.join(', ')}`,
    ];
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await dropPrefix(prefix);
    await scratch.drop();
  }
}
