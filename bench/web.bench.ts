import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { buildAssets } from '../adapters/web/assets.js';
import { mountWeb } from '../adapters/web/web-app.js';
import { openSession } from '../domain/access/web-access.js';
import { systemClock } from '../domain/clock.js';
import { createStore } from '../drizzle/store/index.js';
import { drainStats } from '../drizzle/store/stats-rollup.js';
import { freshPostgres } from '../test/databases.js';
import { median, percentile } from './stats-util.js';

/** How the web benchmark runs; the defaults are what `npm run bench -- web` reports. */
export interface WebBenchOptions {
  events?: number;
  requests?: number;
}

/**
 * Issue 15: the web app on a book of 100,000 events (a year of history, 10 labels, a budget and
 * a template) in a throwaway PostgreSQL database, its statistics rollup built as the minute
 * upkeep builds it (then, for comparison, the overview and statistics before it is built).
 * Server time is measured in-process (`app.request`, no network), one request at a time after a
 * warm-up, p50/p99 of `requests` each. Then the bytes of script and style a page ships (gzip), and first contentful paint of
 * the overview in headless Chromium over loopback (median of 5 cold page loads).
 */
export async function benchWeb(opts: WebBenchOptions = {}): Promise<string[]> {
  const n = opts.events ?? 100_000;
  const requests = opts.requests ?? 300;
  const database = await freshPostgres();
  const store = createStore(database.db);
  const lines: string[] = [];
  try {
    const user = await store.resolveUser({ platform: 'console', externalId: 'bench', name: 'Bench' });
    const book = await store.resolveChat({ platform: 'console', chatId: 'bench', kind: 'private', title: 'Bench' }, { currency: 'EUR', timezone: 'Europe/Berlin', language: 'en' });
    await store.ensureMember(book.id, user.id, false);
    const account = await store.createAccount(book.id, { name: 'Main', currency: 'EUR', openingMinor: 0 });
    const seedStart = performance.now();
    await database.db.execute(sql`insert into labels (book_id, name) select ${book.id}, 'label' || g from generate_series(0, 9) g`);
    // One event every ~5 minutes from 2026-01-01, 1 in 10 an income; amounts vary deterministically.
    await database.db.execute(sql`
      insert into events (book_id, seq, kind, account_id, amount_minor, currency, note, author_id, occurred_at)
      select ${book.id}, g, case when g % 10 = 0 then 'income' else 'expense' end, ${account.id},
        (g * 37) % 5000 + 1, 'EUR', 'bench note ' || g, ${user.id},
        timestamptz '2026-01-01 00:00:00+00' + (g * interval '5 minutes')
      from generate_series(1, ${n}) g`);
    await database.db.execute(sql`
      insert into event_labels (event_id, label_id)
      select e.id, l.id from events e join labels l on l.book_id = e.book_id and l.name = 'label' || (e.seq % 10)
      where e.book_id = ${book.id}`);
    await database.db.execute(sql`update books set last_seq = ${n} where id = ${book.id}`);
    await database.db.execute(sql`
      update accounts set balance_minor = (select coalesce(sum(case when kind = 'income' then amount_minor else -amount_minor end), 0)
        from events where account_id = ${account.id}) where id = ${account.id}`);
    await database.db.execute(sql`analyze`);
    lines.push(`seeded ${n.toLocaleString('en')} events in ${((performance.now() - seedStart) / 1000).toFixed(1)} s (load average ${loadavg()[0]!.toFixed(1)})`);

    const app = new Hono();
    mountWeb(app, { store, clock: systemClock, logger: pino({ level: 'silent' }), defaults: { currency: 'EUR', timezone: 'UTC', language: 'en' } });
    const { secret } = await openSession(store, systemClock, user.id, 'link', 'bench');
    const cookie = `coin_session=${secret}`;
    const { addBudgetAndTemplate } = await import('./web-bench-seed.js');
    await addBudgetAndTemplate(store, book.id, user.id);
    // The statistics rollup as the minute upkeep leaves a book (`drainStats`, a month of days per
    // transaction): the pages read it as they would a minute after an import. The seed above went
    // round the event writer, so only the triggers' dirty marks know of its events.
    const drainStart = performance.now();
    await drainStats(database.db, book.id);
    lines.push(`rollup built by the upkeep's drain in ${((performance.now() - drainStart) / 1000).toFixed(1)} s`);

    const base = `/app/b/${book.id}`;
    const pages: [string, string][] = [
      ['overview', base],
      ['records (newest 30)', `${base}/records`],
      ['records (#label3, 2026-11, text)', `${base}/records?label=label3&period=2026-11&q=note`],
      ['records (page 2 by cursor)', ''],
      ['statistics (pie, month)', `${base}/stats?kind=pie&period=2026-11`],
    ];
    // The second page's address comes from the first page's "Older" link.
    const first = await (await app.request(`http://bench${base}/records`, { headers: { cookie } })).text();
    const older = /href="([^"]+cursor=[^"]+)"/.exec(first)?.[1]?.replace(/&amp;/g, '&');
    if (!older) throw new Error('no cursor link on the records page');
    pages[3]![1] = older;
    const measure = async (name: string, path: string) => {
      const once = async () => {
        const t0 = performance.now();
        const res = await app.request(`http://bench${path}`, { headers: { cookie } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${name}: ${res.status}`);
        return performance.now() - t0;
      };
      for (let i = 0; i < 20; i++) await once();
      const times: number[] = [];
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < requests; i++) times.push(await once());
      const cpu = process.cpuUsage(cpu0);
      times.sort((a, b) => a - b);
      // CPU of this process per request: what the page costs COIN, whatever else the machine runs.
      const cpuMs = (cpu.user + cpu.system) / 1000 / requests;
      lines.push(
        `${name}: server p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, ` +
          `CPU ${cpuMs.toFixed(1)} ms a request (${requests} requests, one at a time; load average ${loadavg()[0]!.toFixed(1)})`,
      );
    };
    for (const [name, path] of pages) await measure(name, path);
    // The same book before the upkeep has built its rollup (the first minute after an import, or
    // the first statistics read of a book): every day is marked, and a read of a month with more
    // than SYNC_PATCH_DAYS marked days is totalled from its events.
    await database.db.execute(sql`delete from stat_books where book_id = ${book.id}`);
    await measure('overview, rollup not yet built', pages[0]![1]);
    await measure('statistics (pie, month), rollup not yet built', pages[4]![1]);

    // Same-run yardsticks: a page that reads nothing, and one database round trip.
    const yard = async (name: string, f: () => Promise<unknown>) => {
      for (let i = 0; i < 20; i++) await f();
      const times: number[] = [];
      for (let i = 0; i < requests; i++) {
        const t0 = performance.now();
        await f();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      lines.push(`${name}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`);
    };
    await yard('yardstick: sign-in page (no database)', async () => (await app.request('http://bench/app/sign-in')).arrayBuffer());
    await yard('yardstick: one database round trip (select 1)', () => database.db.execute(sql`select 1`));

    const assets = await buildAssets();
    const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
    const size = (logical: string) => assets.byLogical.get(logical)!;
    lines.push(
      `shipped (gzip): page script ${kb(size('app.js').gzip.length)}, stylesheet ${kb(size('app.css').gzip.length)}; ` +
        `statistics page adds Chart.js bundle ${kb(size('charts.js').gzip.length)}`,
    );

    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
    try {
      const fcp: number[] = [];
      for (let i = 0; i < 5; i++) {
        const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
        await context.addCookies([{ name: 'coin_session', value: secret, url: origin }]);
        const page = await context.newPage();
        await page.goto(`${origin}${base}`, { waitUntil: 'load' });
        const ms = await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const hit = performance.getEntriesByName('first-contentful-paint')[0];
              if (hit) return resolve(hit.startTime);
              new PerformanceObserver((list) => resolve(list.getEntries()[0]!.startTime)).observe({ type: 'paint', buffered: true });
            }),
        );
        fcp.push(ms);
        await context.close();
      }
      lines.push(`first contentful paint (overview, headless Chromium, loopback): median ${median(fcp).toFixed(0)} ms of 5 cold loads`);
    } finally {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  } finally {
    await database.close();
  }
  return lines;
}
