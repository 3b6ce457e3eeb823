import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Platform } from '../domain/types.js';
import { OUTBOUND_ATTEMPTS, OUTBOUND_BACKOFF_MS } from './outbound.js';
import type { OutboundMessage, Outbox } from './notifier.js';

/** The every-minute sweep and its helper jobs. */
export const TEMPLATES_QUEUE = 'templates';
/** Platforms with an outbound queue of their own (so each gets its own rate limiter). */
export const OUTBOUND_PLATFORMS = ['telegram', 'discord', 'console'] as const satisfies readonly Platform[];
export type OutboundPlatform = (typeof OUTBOUND_PLATFORMS)[number];
export const outboundQueueName = (p: OutboundPlatform): string => `outbound-${p}`;

/** Default key prefix in Redis; tests and benchmarks use their own. */
export const DEFAULT_PREFIX = 'coin';

/** A Redis connection as BullMQ wants it (blocking commands must not give up). */
export const redisConnection = (url: string): Redis => new Redis(url, { maxRetriesPerRequest: null });

/** BullMQ job ids may not contain `:`; chat ids (`dm:42`) do. */
export const jobIdOf = (key: string): string => key.replace(/:/g, '_');

/** Queue handles of one process: producers for the outbound queues, and the templates queue. */
export interface BullQueues {
  templates: Queue;
  outbound: Record<OutboundPlatform, Queue>;
  all: Queue[];
  close(): Promise<void>;
}

export function openQueues(connection: Redis, prefix: string): BullQueues {
  const templates = new Queue(TEMPLATES_QUEUE, { connection, prefix });
  const outbound = Object.fromEntries(OUTBOUND_PLATFORMS.map((p) => [p, new Queue(outboundQueueName(p), { connection, prefix })])) as Record<
    OutboundPlatform,
    Queue
  >;
  const all = [templates, ...Object.values(outbound)];
  return { templates, outbound, all, close: async () => void (await Promise.all(all.map((q) => q.close()))) };
}

/**
 * The outbox on BullMQ: a message becomes a job on its platform's queue with retries
 * (exponential backoff) and, when it has a key, that key as job id, so the same notification
 * queued twice (a retried sweep) is sent once. Completed jobs are kept an hour for that check.
 */
export function bullOutbox(queues: BullQueues): Outbox {
  return {
    async send(msg: OutboundMessage) {
      const q = queues.outbound[msg.platform as OutboundPlatform];
      if (!q) throw new Error(`no outbound queue for ${msg.platform}`);
      await q.add('send', msg, {
        ...(msg.key ? { jobId: jobIdOf(msg.key) } : {}),
        attempts: OUTBOUND_ATTEMPTS,
        backoff: { type: 'exponential', delay: OUTBOUND_BACKOFF_MS },
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    },
  };
}
