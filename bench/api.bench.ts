import { serve } from '@hono/node-server';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { mountApi } from '../adapters/http/api/api-app.js';
import { issueToken } from '../domain/access/api-tokens.js';
import { systemClock } from '../domain/clock.js';
import { createStore } from '../drizzle/store/index.js';
import { freshPostgres } from '../test/databases.js';

interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

/**
 * Runs autocannon in its own process: in this one it would compete with the server for the
 * event loop and the figures would measure both.
 */
function cannon(url: string, headers: Record<string, string>, connections: number, seconds: number): Promise<CannonResult> {
  const cli = createRequire(import.meta.url).resolve('autocannon');
  const args = [cli, '-j', '-c', String(connections), '-d', String(seconds), ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), url];
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      try {
        resolve(JSON.parse(stdout) as CannonResult);
      } catch (e) {
        reject(new Error(`autocannon output: ${stdout.slice(0, 200)} (${String(e)})`));
      }
    }),
  );
}

/** How the API benchmark runs; the defaults are what `npm run bench` reports. */
export interface ApiBenchOptions {
  events?: number;
  seconds?: number;
  connections?: number;
}

/**
 * GET events and GET stats under concurrent load. The API listens on an ephemeral
 * loopback port against a throwaway PostgreSQL database holding one book with 100,000 events
 * (10 labels, a year of history); autocannon (in a child process) keeps 50 connections busy for
 * 10 s per route.
 * The per-token rate limit is off: it would measure the limiter, not the API.
 * Then the writes (`api-write.bench.ts`): single POST, batches, commits per event, raw INSERT.
 */
export async function benchApi(opts: ApiBenchOptions = {}): Promise<string[]> {
  const n = opts.events ?? 100_000;
  const seconds = opts.seconds ?? 10;
  const connections = opts.connections ?? 50;
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
    // One event every ~5 minutes through 2026, 1 in 10 an income; amounts vary deterministically.
    // Events and their labels in one statement, as the event writer writes a batch: the
    // statistics triggers fold them into the rollup (issue 19).
    await database.db.execute(sql`
      with ins as (
        insert into events (book_id, seq, kind, account_id, amount_minor, currency, note, author_id, occurred_at)
        select ${book.id}, g, case when g % 10 = 0 then 'income' else 'expense' end, ${account.id},
          (g * 37) % 5000 + 1, 'EUR', 'bench note ' || g, ${user.id},
          timestamptz '2026-01-01 00:00:00+00' + (g * interval '5 minutes')
        from generate_series(1, ${n}) g
        returning id, seq
      )
      insert into event_labels (event_id, label_id)
      select ins.id, l.id from ins join labels l on l.book_id = ${book.id} and l.name = 'label' || (ins.seq % 10)`);
    await database.db.execute(sql`update books set last_seq = ${n} where id = ${book.id}`);
    await database.db.execute(sql`
      update accounts set balance_minor = (select coalesce(sum(case when kind = 'income' then amount_minor else -amount_minor end), 0)
        from events where account_id = ${account.id}) where id = ${account.id}`);
    await database.db.execute(sql`analyze`);
    lines.push(`seeded ${n.toLocaleString('en')} events in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    const { token } = await issueToken(store, systemClock, user.id, 'bench', 1);
    const app = new Hono();
    mountApi(app, { store, clock: systemClock, logger: pino({ level: 'silent' }), rateLimit: false });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/books/${book.id}`;
    const headers = { authorization: `Bearer ${token}` };
    try {
      const routes: [string, string][] = [
        ['GET events (newest 50)', `${base}/events?limit=50`],
        ['GET events (#label3, Nov 2026)', `${base}/events?limit=50&label=label3&period=2026-11`],
        ['GET stats (year)', `${base}/stats?period=2026`],
      ];
      for (const [name, url] of routes) {
        // Warm-up: connection pool, JIT, and the stats rollup's first build.
        const warm = await fetch(url, { headers });
        if (warm.status !== 200) throw new Error(`${name}: ${warm.status} ${await warm.text()}`);
        await cannon(url, headers, connections, 1);
        const r = await cannon(url, headers, connections, seconds);
        const bad = r.non2xx + r.errors + r.timeouts;
        lines.push(
          `${name}: ${Math.round(r.requests.average).toLocaleString('en')} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms ` +
            `at ${connections} connections for ${seconds} s${bad ? ` (${bad} failed)` : ''}`,
        );
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  } finally {
    await database.close();
  }
  const { benchApiWrites } = await import('./api-write.bench.js');
  lines.push(...(await benchApiWrites({ seconds })));
  return lines;
}
