import { loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { digestMessage } from '../bot/presentation/digest-text.js';
import { FixedClock } from '../domain/clock.js';
import { digestReport } from '../domain/digests/digest.js';
import { digestRunStore } from '../drizzle/store/digest-store.js';
import { createStore } from '../drizzle/store/index.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { scratchDatabase } from '../test/databases.js';
import { createDigestSweep } from '../workers/digest-sweep.js';

const BOOKS = Number(process.env.BENCH_DIGEST_BOOKS ?? 10_000);
const SWEEPERS = 2;
/** Monday 30 November 2026, 09:00 UTC: every book's weekly digest is due. */
const RUN = new Date('2026-11-30T09:00:00Z');
const load = () => loadavg().map((n) => n.toFixed(1)).join(' / ');

/**
 * The digest run for 10,000 books (issue 18): every book (UTC, one private Telegram chat, 12
 * records in the last two weeks over three labels, a monthly #food budget) has a weekly digest
 * due at the same minute. Two sweepers (as two workers would) run it at once on the real
 * PostgreSQL: wall time until every digest is kept in the notice outbox with its next run, and
 * messages counted in SQL (exactly one per book). The statistics summary of each book is built
 * on its first read, as for a book whose first `/stats` is its digest. Drawing the chart happens
 * later, in the outbound worker at the platform's pace; its cost per digest is measured apart.
 */
export async function benchDigests(): Promise<string[]> {
  const scratch = await scratchDatabase();
  const { db } = scratch.database;
  try {
    const s0 = performance.now();
    await db.execute(sql`insert into users (name) values ('Seed')`);
    await db.execute(sql`insert into books (title, currency, timezone) select 'Book ' || g, 'EUR', 'UTC' from generate_series(1, ${BOOKS}) g`);
    await db.execute(sql`insert into accounts (book_id, name, currency) select id, 'Main', 'EUR' from books`);
    await db.execute(sql`update books set default_account_id = a.id from accounts a where a.book_id = books.id`);
    await db.execute(sql`insert into labels (book_id, name) select b.id, l from books b, unnest(array['food', 'taxi', 'rent']) l`);
    await db.execute(sql`insert into chats (platform, chat_id, book_id, kind, title) select 'telegram', (100000 + id)::text, id, 'private', title from books`);
    await db.execute(sql`
      insert into events (book_id, seq, kind, account_id, amount_minor, currency, note, author_id, occurred_at, created_at)
      select a.book_id, g, 'expense', a.id, 500 + ((a.book_id * 7 + g * 13) % 4000), 'EUR', 'seed', (select min(id) from users),
        ${RUN.toISOString()}::timestamptz - make_interval(hours => 9 + g * 27), ${RUN.toISOString()}::timestamptz - make_interval(hours => 9 + g * 27)
      from accounts a, generate_series(1, 12) g`);
    // And 12 in the week of the run, for the next Monday's digest (the steady state).
    await db.execute(sql`
      insert into events (book_id, seq, kind, account_id, amount_minor, currency, note, author_id, occurred_at, created_at)
      select a.book_id, 12 + g, 'expense', a.id, 500 + ((a.book_id * 11 + g * 17) % 4000), 'EUR', 'seed', (select min(id) from users),
        ${RUN.toISOString()}::timestamptz + make_interval(hours => 1 + g * 13), ${RUN.toISOString()}::timestamptz + make_interval(hours => 1 + g * 13)
      from accounts a, generate_series(1, 12) g`);
    await db.execute(sql`update books set last_seq = 24`);
    await db.execute(sql`
      insert into event_labels (event_id, label_id)
      select e.id, l.id from events e join labels l on l.book_id = e.book_id
      and l.name = (array['food', 'taxi', 'rent'])[1 + e.seq % 3]`);
    await db.execute(sql`
      insert into budgets (book_id, label_id, amount_minor, currency, period, created_at)
      select l.book_id, l.id, 15000, 'EUR', 'monthly', '2026-10-01T00:00:00Z' from labels l where l.name = 'food'`);
    await db.execute(sql`
      insert into digest_settings (platform, chat_id, kind, every, at_minute, next_at, set_at)
      select platform, chat_id, 'digest', 'weekly', 540, ${RUN.toISOString()}::timestamptz, '2026-11-01T00:00:00Z' from chats`);
    await db.execute(sql`analyze`);
    const seedSeconds = (performance.now() - s0) / 1000;

    const clock = new FixedClock(new Date(RUN.getTime() + 20_000));
    const logger = pino({ level: 'silent' });
    const sweeper = () => createDigestSweep({ runs: digestRunStore(db, 'bench'), ledger: createStore(db), clock, logger });
    const loadBefore = load();
    const t0 = performance.now();
    const summaries = await Promise.all(Array.from({ length: SWEEPERS }, () => sweeper()()));
    const seconds = (performance.now() - t0) / 1000;
    const loadAfter = load();

    const [kept] = rowsOf<{ n: number; distinct: number }>(
      await db.execute(sql`select count(*)::int as n, count(distinct chat_id)::int as distinct from notice_outbox where key like 'digest-%'`),
    );
    const [moved] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from digest_settings where next_at = '2026-12-07T09:00:00Z'`));
    const again = await sweeper()();

    // The next Monday: every book's statistics summary exists now (the steady state of a digest).
    clock.set(new Date(RUN.getTime() + 7 * 86_400_000 + 20_000));
    const loadBefore2 = load();
    const t1 = performance.now();
    const second = await Promise.all(Array.from({ length: SWEEPERS }, () => sweeper()()));
    const seconds2 = (performance.now() - t1) / 1000;
    const loadAfter2 = load();

    // What the outbound worker adds per digest when it sends it: drawing the chart.
    const { renderChart } = await import('../workers/charts/render-chart.js');
    const store = createStore(db);
    const book = { id: 1, title: 'Book 1', currency: 'EUR', timezone: 'UTC', language: 'en' as const, defaultAccountId: null };
    const spec = digestMessage(await digestReport(store, book, 'weekly', RUN), book, 'en').chart!;
    await renderChart(spec);
    const draws: number[] = [];
    for (let i = 0; i < 20; i++) {
      const d0 = performance.now();
      await renderChart(spec);
      draws.push(performance.now() - d0);
    }
    draws.sort((a, b) => a - b);

    const sent = summaries.reduce((s, x) => s + x.sent, 0);
    return [
      `digests: ${BOOKS.toLocaleString('en')} books with a weekly digest due at ${RUN.toISOString()}, ${SWEEPERS} sweepers at once (real PostgreSQL; seeded in ${seedSeconds.toFixed(1)} s)`,
      `all composed and kept in ${seconds.toFixed(1)} s (${Math.round(BOOKS / seconds).toLocaleString('en')} digests/s; split ${summaries.map((s) => s.sent).join(' + ')}); load average before ${loadBefore}, after ${loadAfter}`,
      `kept in the notice outbox: ${kept!.n.toLocaleString('en')} (${kept!.distinct.toLocaleString('en')} chats; sent counted ${sent.toLocaleString('en')}); moved to next Monday: ${moved!.n.toLocaleString('en')}; a sweep after: ${again.sent} sent`,
      `the next Monday (summaries built): ${second.reduce((s, x) => s + x.sent, 0).toLocaleString('en')} digests in ${seconds2.toFixed(1)} s (${Math.round(BOOKS / seconds2).toLocaleString('en')} digests/s); load average before ${loadBefore2}, after ${loadAfter2}`,
      `chart drawn at send (outbound worker): p50 ${draws[10]!.toFixed(0)} ms, max ${draws[19]!.toFixed(0)} ms per digest; load average ${load()}`,
    ];
  } finally {
    await scratch.drop();
  }
}
