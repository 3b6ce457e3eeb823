import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { Update } from 'grammy/types';
import { startTelegramDouble, type TelegramDouble } from '../test/doubles/telegram-api.js';
import { createDatabase, deliver, startBalancer, startReplica, waitReady, type Balancer, type Replica } from '../test/replicas/cluster.js';
import { median, percentile } from './stats-util.js';
import { cpuSince, pidsCpuMs, procCpuMs } from './proc-cpu.js';

const CHATS = 60;
const PER_CHAT = 10; // timed updates per chat (after one untimed sign-up update): 600 per run
const SECRET = `bench-${randomBytes(8).toString('hex')}`;

/**
 * Issue 16: 1, 2 and 3 COIN replicas in Telegram webhook mode behind a round-robin balancer,
 * one PostgreSQL, Redis for the shared rate limits — the production shape on one machine.
 * Telegram's sender is modelled as it behaves: one chat's updates one after the other (the next
 * once the previous was answered), 60 chats at once. Reported: updates/s, update→answer p50/p99
 * (the webhook's answer: it comes once the update is held in the inbox), CPU per update of the replicas and of PostgreSQL,
 * and PostgreSQL connections held. One chat's order across replicas comes from the inbox (its
 * per-chat lock in `applyNext`) and the outbox (`journal.turn`); the webhook takes no lock of its own.
 * Every replica runs on this same machine: more replicas add processes, not cores.
 */
export async function benchReplicas(): Promise<string[]> {
  const tg = await startTelegramDouble();
  const lines: string[] = [
    `cores: ${Number(execSync('nproc').toString().trim())}; ${CHATS} chats × ${PER_CHAT} updates per run, Telegram-like sender; ` +
      `each figure the median of ${REPEATS} runs`,
  ];
  let chatBase = 7_000_000;
  // One cluster with a database of its own (so connections and PostgreSQL CPU are its own);
  // the replicas beyond `active` idle while fewer run.
  let c: Cluster | undefined;
  try {
    c = await startCluster(tg, 18_500);
    const results = new Map<number, RunResult[]>();
    for (const n of [1, 2, 3]) {
      for (let rep = 0; rep < REPEATS; rep++) {
        c.active = n;
        await new Promise((resolve) => setTimeout(resolve, 200)); // the balancer's next readiness round
        const r = await run(tg, c.lb.url, chatBase, c.replicas.slice(0, n), c.sql);
        chatBase += CHATS;
        results.set(n, [...(results.get(n) ?? []), r]);
      }
    }
    const med = (rs: RunResult[], f: (r: RunResult) => number) => median(rs.map(f));
    for (const n of [1, 2, 3]) {
      const rs = results.get(n)!;
      lines.push(
        `${n} replica${n > 1 ? 's' : ''}: ${med(rs, (r) => r.rate).toFixed(0)} updates/s; update→answer p50 ${med(rs, (r) => r.p50).toFixed(1)} ms, ` +
          `p99 ${med(rs, (r) => r.p99).toFixed(1)} ms; CPU per update: replicas ${med(rs, (r) => r.replicaCpuMs).toFixed(2)} ms, ` +
          `PostgreSQL ${med(rs, (r) => r.pgCpuMs).toFixed(2)} ms; PostgreSQL connections ${Math.max(...rs.map((r) => r.connections))}`,
      );
    }
    // A webhook answers once the update is held: let the inbox finish applying before counting.
    for (let i = 0; i < 600; i++) {
      const [{ left } = { left: 0 }] = await c.sql<{ left: number }[]>`select count(*)::int as left from chat_inbox where done_at is null`;
      if (left === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [{ n } = { n: 0 }] = await c.sql<{ n: number }[]>`select count(*)::int as n from events`;
    lines.push(`events recorded: ${n} of ${3 * REPEATS * CHATS * (PER_CHAT + 1)}`);
  } finally {
    await c?.close();
    await tg.close();
  }
  return lines;
}

const REPEATS = 3;

interface Cluster {
  replicas: Replica[];
  active: number;
  lb: Balancer;
  sql: postgres.Sql;
  close(): Promise<void>;
}

type RunResult = Awaited<ReturnType<typeof run>>;

async function startCluster(tg: TelegramDouble, base: number): Promise<Cluster> {
  const db = await createDatabase();
  const c = { replicas: [] as Replica[], active: 1 } as Cluster;
  c.sql = postgres(db.url, { max: 1, onnotice: () => {} });
  c.lb = await startBalancer(() => c.replicas.slice(0, c.active).map((r) => r.port));
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    ROLES: 'bot,api',
    LOG_LEVEL: 'error',
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.apiRoot,
    TELEGRAM_WEBHOOK_URL: `${c.lb.url}/telegram/webhook`,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    // As in the Telegram benchmark: the outbound throttle would measure Telegram's 30 messages/s.
    TELEGRAM_THROTTLE: 'off',
  };
  c.replicas.push(startReplica(base, env));
  await waitReady(c.replicas[0]!);
  c.replicas.push(startReplica(base + 1, env), startReplica(base + 2, env));
  await Promise.all(c.replicas.map((r) => waitReady(r)));
  c.close = async () => {
    for (const r of c.replicas) r.child.kill('SIGTERM');
    await Promise.all(c.replicas.map((r) => r.exited));
    await c.lb.close();
    await c.sql.end();
    await db.drop();
  };
  return c;
}

async function run(tg: TelegramDouble, url: string, chatBase: number, replicas: Replica[], sql: postgres.Sql) {
  const update = (chatId: number, text: string): Update => {
    tg.sendText({ id: chatId, type: 'private' }, { id: chatId, first_name: `U${chatId}` }, text);
    return tg.takeUpdates()[0]!;
  };
  const ids = Array.from({ length: CHATS }, (_, i) => chatBase + i);
  // Sign-up is not the steady state: each chat's first update is untimed.
  await Promise.all(ids.map((id) => deliver(url, SECRET, update(id, '1 start'))));
  const cpu0 = replicas.map((r) => procCpuMs(r.child.pid!));
  const pg0 = await backendsCpu(sql);
  let peakConnections = 0;
  const sampling = setInterval(() => {
    void sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database()`.then(([r]) => {
      peakConnections = Math.max(peakConnections, r?.n ?? 0);
    });
  }, 100);
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      for (let k = 0; k < PER_CHAT; k++) latencies.push((await deliver(url, SECRET, update(id, `${k + 2} item`))).ms);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampling);
  const total = CHATS * PER_CHAT;
  const replicaCpu = replicas.reduce((s, r, i) => s + procCpuMs(r.child.pid!) - cpu0[i]!, 0);
  latencies.sort((a, b) => a - b);
  tg.clearRecords();
  return {
    rate: total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    replicaCpuMs: replicaCpu / total,
    // Backends opened during the run count from zero; those that closed meanwhile are lost (pools keep theirs).
    pgCpuMs: cpuSince(pg0, await backendsCpu(sql)) / total,
    connections: peakConnections,
  };
}

/**
 * CPU time so far of each PostgreSQL backend serving this benchmark's database (the server is
 * shared with other work, so the server's total would not do), by pid.
 */
async function backendsCpu(sql: postgres.Sql): Promise<Map<number, number>> {
  return pidsCpuMs((await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`).map((r) => r.pid));
}
