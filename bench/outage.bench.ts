import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import { seedApiBook } from '../test/api-book.js';
import { killGroup, startCoin } from '../test/coin-process.js';
import { scratchDatabase } from '../test/databases.js';
import { startRedisBlackhole, type RedisBlackhole } from '../test/redis-blackhole.js';
import { startRedisServer } from '../test/redis-server.js';
import { rowsOf } from '../drizzle/store/rows.js';
import { percentile } from './stats-util.js';

/** The benchmark's own Redis port (t12out's fault-test range 6395–6396). */
const REDIS_PORT = 6396;
const HTTP_PORT = 18_990;
const PER_PHASE = Number(process.env.BENCH_OUTAGE_RECORDS ?? 1000);
const CONCURRENCY = 10;
/** Each token is a rate-limit bucket of its own (60 at once, then 10/s): enough that none refuses. */
const TOKENS = 40;

/**
 * Issue 12, "nothing on the request path waits on Redis (API p99 under 100 ms with Redis
 * down)": the real COIN process (API and worker roles) on a scratch database and a Redis of its
 * own. API records (`POST /events`, 10 at a time) with Redis up, stopped (connections refused),
 * and hanging (a server that accepts connections and never answers). In each phase one record,
 * sent alone, crosses 80% of its label's budget (its alert is written to the notice outbox in
 * PostgreSQL on the request path); its latency is reported beside the phase's p50/p99.
 */
export async function benchOutage(): Promise<string[]> {
  const redis = await startRedisServer(REDIS_PORT);
  const db = await scratchDatabase();
  const { bookId, tokens } = await seedApiBook(db.database, TOKENS);
  const coin = startCoin({
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `bench-outage-${randomBytes(3).toString('hex')}`,
    ROLES: 'api,worker',
    PORT: String(HTTP_PORT),
    LOG_LEVEL: 'error',
  });
  const base = `http://127.0.0.1:${HTTP_PORT}`;
  let next = 0;
  const api = async (method: string, path: string, json: unknown): Promise<number> => {
    const r = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[next++ % tokens.length]}`, 'content-type': 'application/json' },
      body: JSON.stringify(json),
      signal: AbortSignal.timeout(60_000),
    });
    await r.arrayBuffer();
    return r.status;
  };
  const alerts = async () => rowsOf<{ n: number }>(await db.database.db.execute(sql`select count(*)::int as n from notice_outbox`))[0]!.n;
  const lines: string[] = [];
  let hole: RedisBlackhole | undefined;
  try {
    for (let i = 0; i < 600; i++) {
      if ((await fetch(`${base}/health/ready`).then((r) => r.status, () => 0)) === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    /** One record timed; throws on anything but 201. */
    const record = async (label: string): Promise<number> => {
      const t0 = performance.now();
      const status = await api('POST', `/books/${bookId}/events`, { amount: '1', labels: [label] });
      if (status !== 201) throw new Error(`record answered ${status}`);
      return performance.now() - t0;
    };
    const many = async (label: string, n: number): Promise<number[]> => {
      const out: number[] = [];
      let left = n;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (left-- > 0) out.push(await record(label));
        }),
      );
      return out;
    };
    const phase = async (name: string, label: string) => {
      // The label's first record, then its budget: 80% is crossed by the phase's record PER_PHASE/2.
      await record(label);
      const limit = ((1 + PER_PHASE / 2) / 0.8).toFixed(2);
      const put = await api('PUT', `/books/${bookId}/budgets/${label}`, { amount: limit, period: 'monthly' });
      if (put !== 200) throw new Error(`budget answered ${put}`);
      return { name, label };
    };
    const p99s: number[] = [];
    const run = async (p: { name: string; label: string }) => {
      const before = await alerts();
      const load = loadavg()[0]!.toFixed(1);
      const t0 = performance.now();
      const first = await many(p.label, PER_PHASE / 2 - 1);
      const crossing = await record(p.label);
      const rest = await many(p.label, PER_PHASE / 2);
      const seconds = (performance.now() - t0) / 1000;
      const all = [...first, crossing, ...rest].sort((a, b) => a - b);
      const crossed = (await alerts()) - before;
      p99s.push(percentile(all, 99));
      lines.push(
        `Redis ${p.name}: ${PER_PHASE} API records (${CONCURRENCY} at a time) in ${seconds.toFixed(1)} s → ${(PER_PHASE / seconds).toFixed(0)}/s; ` +
          `p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms, max ${all.at(-1)!.toFixed(0)} ms; ` +
          `the record crossing 80% of its budget: ${crossing.toFixed(1)} ms (alerts kept in PostgreSQL, 80% and 100%: ${crossed}); load average ${load}`,
      );
    };
    const up = await phase('up', 'up');
    const stopped = await phase('stopped (connections refused)', 'stopped');
    const hanging = await phase('hanging (accepts, never answers)', 'hanging');
    await many('up', 100); // warm-up
    await run(up);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 500));
    await run(stopped);
    hole = await startRedisBlackhole(REDIS_PORT);
    for (let i = 0; i < 100 && hole.accepted === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await run(hanging);
    lines.push(`COIN's Redis connections held by the hanging server: ${hole.accepted}, given up meanwhile: ${hole.givenUp}`);
    const [upP99, stoppedP99, hangingP99] = p99s as [number, number, number];
    lines.push(`same-run ratio of p99 to Redis up: stopped ${(stoppedP99 / upP99).toFixed(2)}, hanging ${(hangingP99 / upP99).toFixed(2)}`);
    await hole.close();
    hole = undefined;
    await redis.start();
    const t0 = performance.now();
    const pending = async () =>
      rowsOf<{ n: number }>(await db.database.db.execute(sql`select count(*)::int as n from notice_outbox where done_at is null`))[0]!.n;
    while ((await pending()) > 0 && performance.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
    lines.push(`alerts delivered ${((performance.now() - t0) / 1000).toFixed(1)} s after Redis came back (empty); left undelivered: ${await pending()}`);
  } finally {
    killGroup(coin.child.pid);
    await coin.exited;
    await hole?.close();
    await redis.stop();
    await db.drop();
  }
  return lines;
}
