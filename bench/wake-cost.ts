import postgres from 'postgres';
import { onCpuMs } from './proc-cpu.js';

/** CPU per query, µs: the PostgreSQL backend's and this process's. */
export interface QueryCpu {
  backendUs: number;
  clientUs: number;
}

/**
 * What the same small query costs in CPU when queries come back to back and when each comes
 * after a pause (`gapMs`) — the machine's own price of waking a process for little work. On the
 * 2-core VM of session 13 (on-CPU time from `schedstat`, three rounds): the backend 29–35 µs back
 * to back, 53–71 µs with 3 ms pauses; the client 99–139 → 157–318 µs. A bot below saturation
 * wakes its processes for every few updates, so its CPU per update is higher than at saturation
 * for the same work per update (docs/scaling.md). One connection, `n` queries each way.
 */
export async function wakeCost(url: string, gapMs = 3, n = 600): Promise<{ busy: QueryCpu; gapped: QueryCpu }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [{ pid }] = (await sql`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
    const query = (i: number) => sql`select count(*) from pg_class where relname = ${`wake-${i % 50}`}`;
    for (let i = 0; i < 300; i++) await query(i); // prepared and warm
    const measure = async (gap: number): Promise<QueryCpu> => {
      const b0 = onCpuMs(pid);
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) {
        await query(i);
        if (gap) await new Promise((r) => setTimeout(r, gap));
      }
      const c = process.cpuUsage(c0);
      return { backendUs: ((onCpuMs(pid) - b0) * 1000) / n, clientUs: (c.user + c.system) / n };
    };
    const busy = await measure(0);
    const gapped = await measure(gapMs);
    return { busy, gapped };
  } finally {
    await sql.end();
  }
}
