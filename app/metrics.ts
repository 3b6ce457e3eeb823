import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Latency buckets, seconds: fine below 50 ms (the target at 1,000 updates/s), coarse above. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Prometheus metrics of one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'coin_' });
  return {
    registry,
    updates: new Counter({ name: 'coin_updates_total', help: 'Messages and button presses handled', labelNames: ['platform', 'outcome'], registers: [registry] }),
    latency: new Histogram({
      name: 'coin_update_seconds',
      help: 'Time from receiving an update to its effect and replies committed',
      labelNames: ['platform'],
      buckets: BUCKETS,
      registers: [registry],
    }),
    /** The same time in its parts (Telegram): `hold` received → held in the inbox, `wait` → its batch began, `apply` → committed. */
    stage: new Histogram({
      name: 'coin_update_stage_seconds',
      help: 'Time an update spent in each stage: hold (received to held in the inbox), wait (to its batch beginning), apply (to committed)',
      labelNames: ['platform', 'stage'],
      buckets: BUCKETS,
      registers: [registry],
    }),
    replyWait: new Histogram({
      name: 'coin_reply_wait_seconds',
      help: 'Time from a committed reply reaching the sender to the platform accepting it (coalescing, per-chat order, rate limits, the call)',
      labelNames: ['platform'],
      buckets: BUCKETS,
      registers: [registry],
    }),
    jobs: new Counter({ name: 'coin_jobs_total', help: 'Worker jobs processed', labelNames: ['queue', 'outcome'], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** A histogram's `count`, `sum` or one `bucket` (with `le`) for the labels given, as /metrics shows it (0 when absent). */
export async function histogramValue(h: Histogram<string>, part: 'count' | 'sum' | 'bucket', labels: Record<string, string>, le?: number): Promise<number> {
  const { values } = await h.get();
  const v = values.find((x) => {
    const l = x.labels as Record<string, unknown>;
    return x.metricName?.endsWith(`_${part}`) && Object.entries(labels).every(([k, want]) => String(l[k]) === want) && (le === undefined || l.le === le);
  });
  return v?.value ?? 0;
}
