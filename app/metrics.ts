import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'coin_' });
  return {
    registry,
    updates: new Counter({ name: 'coin_updates_total', help: 'Messages and button presses handled', labelNames: ['platform', 'outcome'], registers: [registry] }),
    latency: new Histogram({
      name: 'coin_update_seconds',
      help: 'Time from receiving an update to having its replies',
      labelNames: ['platform'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    jobs: new Counter({ name: 'coin_jobs_total', help: 'Worker jobs processed', labelNames: ['queue', 'outcome'], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
