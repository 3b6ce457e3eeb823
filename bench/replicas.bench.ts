import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import type { Update } from 'grammy/types';
import { startTelegramDouble, type TelegramDouble } from '../test/doubles/telegram-api.js';
import { createDatabase, deliver, startBalancer, startReplica, waitReady, type Replica } from '../test/replicas/cluster.js';
import { percentile } from './stats-util.js';

const CHATS = 60;
const PER_CHAT = 10; // timed updates per chat (after one untimed sign-up update): 600 per run
const SECRET = `bench-${randomBytes(8).toString('hex')}`;

/**
 * Issue 16: 1, 2 and 3 COIN replicas in Telegram webhook mode behind a round-robin balancer,
 * one PostgreSQL, Redis for the shared rate limits — the production shape on one machine.
 * Telegram's sender is modelled as it behaves: one chat's updates one after the other (the next
 * once the previous was answered), 60 chats at once. Reported: updates/s, update→answer p50/p99
 * (the answer comes after the reply was sent), CPU per update of the replicas and of PostgreSQL,
 * and PostgreSQL connections held. Each configuration runs with the per-chat order lock
 * (TELEGRAM_CHAT_LOCK=on, the default) and without it, so its cost shows on its own.
 * Every replica runs on this same machine: more replicas add processes, not cores.
 */
export async function benchReplicas(): Promise<string[]> {
  const tg = await startTelegramDouble();
  const db = await createDatabase();
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  const lines: string[] = [`cores: ${Number(execSync('nproc').toString().trim())}; ${CHATS} chats × ${PER_CHAT} updates per run, Telegram-like sender`];
  let chatBase = 7_000_000;
  const results: { replicas: number; lock: string; rate: number; p99: number }[] = [];
  try {
    for (const lock of ['on', 'off']) {
      const replicas: Replica[] = [];
      let active = 1;
      const lb = await startBalancer(() => replicas.slice(0, active).map((r) => r.port));
      const env = {
        DATABASE_URL: db.url,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
        ROLES: 'bot,api',
        LOG_LEVEL: 'error',
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_API_ROOT: tg.apiRoot,
        TELEGRAM_WEBHOOK_URL: `${lb.url}/telegram/webhook`,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_CHAT_LOCK: lock,
        // As in the Telegram benchmark: the outbound throttle would measure Telegram's 30 messages/s.
        TELEGRAM_THROTTLE: 'off',
      };
      const base = 18_500 + (lock === 'on' ? 0 : 10);
      replicas.push(startReplica(base, env));
      await waitReady(replicas[0]!);
      replicas.push(startReplica(base + 1, env), startReplica(base + 2, env));
      await Promise.all(replicas.map((r) => waitReady(r)));
      for (const n of [1, 2, 3]) {
        active = n;
        await new Promise((resolve) => setTimeout(resolve, 200)); // the balancer's next readiness round
        const r = await run(tg, lb.url, chatBase, replicas.slice(0, n), sql);
        chatBase += CHATS;
        results.push({ replicas: n, lock, rate: r.rate, p99: r.p99 });
        lines.push(
          `${n} replica${n > 1 ? 's' : ''}, order lock ${lock}: ${r.rate.toFixed(0)} updates/s; update→answer p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; ` +
            `CPU per update: replicas ${r.replicaCpuMs.toFixed(2)} ms, PostgreSQL ${r.pgCpuMs.toFixed(2)} ms; PostgreSQL connections ${r.connections}`,
        );
      }
      for (const r of replicas) r.child.kill('SIGTERM');
      await Promise.all(replicas.map((r) => r.exited));
      await lb.close();
    }
    for (const n of [1, 2, 3]) {
      const on = results.find((r) => r.replicas === n && r.lock === 'on')!;
      const off = results.find((r) => r.replicas === n && r.lock === 'off')!;
      lines.push(`cost of per-chat order at ${n} replica${n > 1 ? 's' : ''}: throughput ${((on.rate / off.rate - 1) * 100).toFixed(0)}%, p99 ${(on.p99 - off.p99).toFixed(1)} ms (on ÷ off ${(on.rate / off.rate).toFixed(2)})`);
    }
    const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from events`;
    lines.push(`events recorded: ${n} of ${results.length * CHATS * (PER_CHAT + 1)}`);
  } finally {
    await sql.end();
    await db.drop();
    await tg.close();
  }
  return lines;
}

async function run(tg: TelegramDouble, url: string, chatBase: number, replicas: Replica[], sql: postgres.Sql) {
  const update = (chatId: number, text: string): Update => {
    tg.sendText({ id: chatId, type: 'private' }, { id: chatId, first_name: `U${chatId}` }, text);
    return tg.takeUpdates()[0]!;
  };
  const ids = Array.from({ length: CHATS }, (_, i) => chatBase + i);
  // Sign-up is not the steady state: each chat's first update is untimed.
  await Promise.all(ids.map((id) => deliver(url, SECRET, update(id, '1 start'))));
  const cpu0 = replicas.map((r) => processCpuMs(r.child.pid!));
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
  const replicaCpu = replicas.reduce((s, r, i) => s + processCpuMs(r.child.pid!) - cpu0[i]!, 0);
  latencies.sort((a, b) => a - b);
  tg.clearRecords();
  return {
    rate: total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    replicaCpuMs: replicaCpu / total,
    // Backends opened during the run count from zero; those that closed meanwhile are lost (pools keep theirs).
    pgCpuMs: [...(await backendsCpu(sql)).entries()].reduce((sum, [pid, ms]) => sum + ms - (pg0.get(pid) ?? 0), 0) / total,
    connections: peakConnections,
  };
}

const tickMs = (): number => 1000 / Number(execSync('getconf CLK_TCK').toString().trim());

/** CPU time (user + system) of one process so far, ms. */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * tickMs();
}

/**
 * CPU time so far of each PostgreSQL backend serving this benchmark's database (the server is
 * shared with other work, so the server's total would not do), by pid.
 */
async function backendsCpu(sql: postgres.Sql): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const { pid } of await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`) {
    try {
      out.set(pid, processCpuMs(pid));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}
