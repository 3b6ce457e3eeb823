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

/**
 * A Redis connection for BullMQ workers: blocking commands wait out an outage and carry on
 * (BullMQ requires `maxRetriesPerRequest: null` there). Never used on a request path.
 */
export const redisConnection = (url: string): Redis => new Redis(url, { maxRetriesPerRequest: null });

/** How long a producer command may take before it counts as failed (Redis hung, not refused). */
export const PRODUCER_COMMAND_TIMEOUT_MS = 1_000;

/**
 * A Redis connection for producers (queue handles that add jobs): it fails fast instead of
 * waiting for Redis, as BullMQ's "failing fast when Redis is down" pattern advises: no offline
 * queue (a command while disconnected rejects at once), one retry, and a command timeout for a
 * Redis that accepts connections but does not answer. Callers check {@link isReady} first,
 * because BullMQ itself waits for the first connection before any command.
 */
export const producerConnection = (url: string): Redis =>
  new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS });

/** The connection is up now (ioredis status), so a command can be tried without waiting. */
export const isReady = (connection: Redis): boolean => connection.status === 'ready';

/**
 * Ready now, or (while a connection attempt is under way, e.g. just after start-up) ready within
 * `ms`; never waits on a connection that is down and retrying, nor past a refused attempt.
 */
export async function readyWithin(connection: Redis, ms: number): Promise<boolean> {
  if (isReady(connection)) return true;
  if (connection.status !== 'connecting' && connection.status !== 'connect' && connection.status !== 'wait') return false;
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      connection.off('ready', onReady);
      connection.off('close', onClose);
      resolve(ok);
    };
    const onReady = () => done(true);
    // The attempt failed (refused): Redis is down, do not wait for the retries.
    const onClose = () => done(false);
    const timer = setTimeout(() => done(isReady(connection)), ms);
    connection.on('ready', onReady);
    connection.on('close', onClose);
  });
}

/** Redis is not connected: the caller falls back (PostgreSQL outbox, in-process rendering). */
export class RedisUnavailable extends Error {
  override readonly name = 'RedisUnavailable';
}

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
 * With `connection`, a send while Redis is not connected throws {@link RedisUnavailable} at
 * once (the notice relay keeps the message in PostgreSQL and tries again).
 */
export function bullOutbox(queues: BullQueues, connection?: Redis): Outbox {
  const jobOf = (msg: OutboundMessage) => ({
    name: 'send',
    data: msg,
    opts: {
      ...(msg.key ? { jobId: jobIdOf(msg.key) } : {}),
      attempts: OUTBOUND_ATTEMPTS,
      backoff: { type: 'exponential' as const, delay: OUTBOUND_BACKOFF_MS },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  const queueOf = (msg: OutboundMessage) => {
    const q = queues.outbound[msg.platform as OutboundPlatform];
    if (!q) throw new Error(`no outbound queue for ${msg.platform}`);
    return q;
  };
  const check = () => {
    if (connection && !isReady(connection)) throw new RedisUnavailable(`redis is ${connection.status}`);
  };
  return {
    async send(msg: OutboundMessage) {
      const q = queueOf(msg);
      check();
      const j = jobOf(msg);
      await q.add(j.name, j.data, j.opts);
    },
    async sendMany(msgs: readonly OutboundMessage[]) {
      check();
      const by = new Map<Queue, ReturnType<typeof jobOf>[]>();
      for (const m of msgs) by.set(queueOf(m), [...(by.get(queueOf(m)) ?? []), jobOf(m)]);
      for (const [q, jobs] of by) await q.addBulk(jobs);
    },
  };
}
