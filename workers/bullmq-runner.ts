import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimited, type OutboundMessage } from './notifier.js';
import { PLATFORM_LIMITS, SendingElsewhere, type DeliveryOutcome } from './outbound.js';
import { OUTBOUND_PLATFORMS, TEMPLATES_QUEUE, jobIdOf, outboundQueueName, type BullQueues } from './queues.js';
import type { TemplateSweep } from './template-sweep.js';

export interface BullWorkersOptions {
  /** The workers' connection (waits out outages: `maxRetriesPerRequest: null`). */
  connection: Redis;
  /**
   * The connection of `queues` (fails fast). Each time it (re)connects, the sweep's job scheduler
   * is declared again and a catch-up sweep queued: a Redis that comes back empty has lost both.
   */
  producer?: Redis;
  prefix: string;
  queues: BullQueues;
  /** Runs the sweep; omit to run no template worker in this process. */
  sweep?: TemplateSweep;
  /** Delivers one message; omit to run no outbound worker in this process. */
  deliver?: (msg: OutboundMessage) => Promise<DeliveryOutcome>;
  logger: Logger;
  /** Cron pattern of the sweep trigger (default every minute, on the minute). */
  sweepPattern?: string;
  /** Extra sweep jobs queued when a sweep finds a full batch, so idle workers join in. */
  helpers?: number;
  /** Parallel sends per process and platform. */
  outboundConcurrency?: number;
  /**
   * How often the worker checks that Redis still has the sweep's job scheduler (default every
   * minute) and declares it again, with a catch-up sweep, if not: a Redis emptied without a
   * reconnect (FLUSHALL, a failover to an empty replica) gets it back.
   */
  reconcileMs?: number;
}

/** Default period of the scheduler reconcile. */
export const DEFAULT_RECONCILE_MS = 60_000;
/** Id of the sweep's job scheduler in Redis. */
export const SWEEP_SCHEDULER_ID = 'template-sweep';

export interface BullWorkers {
  /** Lets the jobs in hand finish (a sweep stops after its current batch), then disconnects. */
  close(): Promise<void>;
}

/**
 * Reserves the next send slot of a chat: the later of now and the chat's next free moment, which
 * moves one gap on. Atomic in Redis, so any number of workers keep one chat's pace together.
 * Returns the slot and the chat's shift (KEYS[2], see SHIFT_CHAT) at that moment.
 */
const RESERVE_SLOT = `
local now = tonumber(ARGV[1])
local gap = tonumber(ARGV[2])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, free)
redis.call('SET', KEYS[1], slot + gap, 'PX', slot + gap - now + 1000)
return {slot, tonumber(redis.call('GET', KEYS[2]) or '0')}`;

/**
 * A 429 held one of the chat's messages: the chat's timeline moves on by ARGV[1] ms. Its next
 * free moment moves as far (and at least to ARGV[3], the held message's return plus a gap), and
 * its shift (KEYS[2], a running total kept a day) grows by as much, so the chat's messages
 * already given a slot see they must move on too. Returns the new shift.
 */
const SHIFT_CHAT = `
local moved = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local free = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') + moved, tonumber(ARGV[3]))
redis.call('SET', KEYS[1], free, 'PX', math.max(1000, free - now + 1000))
local shift = redis.call('INCRBY', KEYS[2], moved)
redis.call('PEXPIRE', KEYS[2], 86400000)
return shift`;

/** A message rate-limited more often than this in a row fails like any other error. */
const MAX_RATE_LIMITED = 50;

/** `slotAt`: the chat slot this job holds; `shift`: its chat's shift when it got it (SHIFT_CHAT). */
type OutboundJob = Job<OutboundMessage & { slotAt?: number; shift?: number; rateLimited?: number }>;

/**
 * The worker role on BullMQ. Templates: a job scheduler (`upsertJobScheduler`, so every worker
 * process may declare it) queues a sweep every minute, plus one at start-up (and at every
 * reconnect) for occurrences missed while no worker ran. The scheduler is declared at every
 * reconnect and, when Redis no longer has it, at the next check (every `reconcileMs`), so a Redis
 * that comes back empty has it again within a minute; the database decides what is due, so a sweep job
 * delivered twice or run by two workers at once applies nothing twice. A sweep that finds a full
 * batch queues `helpers` more sweep jobs, which idle worker processes pick up and share the work
 * through SKIP LOCKED.
 *
 * Outbound: one queue per platform, each with BullMQ's limiter at the platform's overall rate;
 * one chat's messages are spaced by a slot reserved in Redis (a job early for its chat is moved
 * back to delayed until its slot). A blocked chat or a refused message ends the job with
 * UnrecoverableError (no retries); anything else retries with exponential backoff.
 */
export async function startBullWorkers(opts: BullWorkersOptions): Promise<BullWorkers> {
  const { connection, prefix, queues, logger } = opts;
  const abort = new AbortController();
  const workers: Worker[] = [];
  const helpers = opts.helpers ?? 3;

  const watch = (w: Worker, what: string) => {
    w.on('error', (err) => logger.error({ err: String(err), worker: what }, 'queue worker error'));
    w.on('failed', (job, err) => {
      if (err instanceof DelayedError || err?.name === 'DelayedError') return;
      // Another job of the same notice is sending it (see outbound.ts): this one retries and finds it done.
      if (err instanceof SendingElsewhere) return void logger.debug({ worker: what, job: job?.id }, 'notice being sent by another job; retried later');
      logger.warn({ worker: what, job: job?.id, attempts: job?.attemptsMade, err: String(err) }, 'job failed');
    });
    workers.push(w);
  };

  const timers: NodeJS.Timeout[] = [];
  const detach: (() => void)[] = [];
  if (opts.sweep) {
    const sweep = opts.sweep;
    const pattern = opts.sweepPattern ?? '* * * * *';
    /**
     * On a (re)connect: declares the every-minute sweep (idempotent for the schedule) and queues a
     * catch-up sweep for occurrences that fell due while no trigger existed. Every `reconcileMs`:
     * declares it again only if Redis lost it (FLUSHALL, a failover to an empty replica), again with
     * a catch-up sweep. Declaring an existing schedule is not harmless: BullMQ replaces its waiting
     * job with the next slot after now, so a declaration landing between a slot and a worker taking
     * its job (milliseconds after the slot: +7 to +22 ms traced) skipped that sweep, and a periodic
     * declaration keeps its phase, so it went on skipping them. Failures (Redis down)
     * are retried by the next reconcile or reconnect; nothing waits for them.
     */
    const reconcile = async (connected: boolean) => {
      try {
        if (!connected && (await queues.templates.getJobScheduler(SWEEP_SCHEDULER_ID))) return;
        if (!connected) logger.warn('the template sweep schedule was missing from Redis (emptied?); declared again with a catch-up sweep');
        await queues.templates.upsertJobScheduler(SWEEP_SCHEDULER_ID, { pattern }, { name: 'sweep', opts: { removeOnComplete: 100, removeOnFail: 100 } });
        await queues.templates.add('sweep', {}, { jobId: jobIdOf(`catch-up-${Date.now()}-${process.pid}`), removeOnComplete: true, removeOnFail: 100 });
      } catch (err) {
        logger.warn({ err: String(err) }, 'could not declare the template sweep schedule; will retry');
      }
    };
    const onReady = () => void reconcile(true);
    if (opts.producer) {
      opts.producer.on('ready', onReady);
      detach.push(() => opts.producer!.off('ready', onReady));
      // Already connected: declare now; otherwise the 'ready' event does it, and nothing here waits for Redis.
      if (opts.producer.status === 'ready') onReady();
    } else await reconcile(true);
    const every = setInterval(() => void reconcile(false), opts.reconcileMs ?? DEFAULT_RECONCILE_MS);
    every.unref();
    timers.push(every);
    watch(
      new Worker(
        TEMPLATES_QUEUE,
        async (job) => {
          const summary = await sweep({
            signal: abort.signal,
            onBusy: () => {
              if (job.name !== 'sweep' || helpers <= 0) return;
              void queues.templates
                .addBulk(
                  Array.from({ length: helpers }, (_, i) => ({
                    name: 'help',
                    data: {},
                    opts: { jobId: jobIdOf(`help-${job.id}-${i}`), removeOnComplete: true, removeOnFail: true },
                  })),
                )
                .catch((err) => logger.warn({ err: String(err) }, 'could not queue sweep helpers'));
            },
          });
          return summary;
        },
        { connection, prefix, concurrency: 1, lockDuration: 60_000 },
      ),
      'templates',
    );
  }

  if (opts.deliver) {
    const deliver = opts.deliver;
    const sentKeyOf = (msg: OutboundMessage) => `${prefix}:chat-sent:${msg.platform}:${msg.chatId}`;
    for (const platform of OUTBOUND_PLATFORMS) {
      const limits = PLATFORM_LIMITS[platform];
      watch(
        new Worker(
          outboundQueueName(platform),
          async (job: OutboundJob, token?: string) => {
            const msg = job.data;
            const gap = limits.chatGapMs(msg.chatId);
            const slotKey = `${prefix}:chat-slot:${msg.platform}:${msg.chatId}`;
            const shiftKey = `${prefix}:chat-shift:${msg.platform}:${msg.chatId}`;
            /** This message's place in its chat's timeline (its slot), once it has one. */
            let slotAt = Date.now();
            if (gap > 0) {
              const now = Date.now();
              const later = async (at: number, shift: number | undefined): Promise<never> => {
                await job.updateData({ ...job.data, slotAt: at, shift });
                await job.moveToDelayed(at, token);
                throw new DelayedError();
              };
              // A job that comes back at its reserved slot goes; one early (or retried much later) reserves one.
              const own = job.data.slotAt !== undefined && job.data.slotAt <= now + 20 && job.data.slotAt > now - 2 * gap;
              let shift = job.data.shift;
              if (own) {
                // A 429 held an earlier message of the chat since this slot was given: move on as far.
                const moved = Number((await connection.get(shiftKey)) ?? 0) - (shift ?? 0);
                if (moved > 0) await later(job.data.slotAt! + moved, (shift ?? 0) + moved);
                slotAt = job.data.slotAt!;
              } else {
                const [slot, shiftNow] = (await connection.eval(RESERVE_SLOT, 2, slotKey, shiftKey, String(now), String(gap))) as [number, number];
                shift = Number(shiftNow);
                if (slot > now + 20) await later(Number(slot), shift);
                slotAt = Number(slot);
              }
              // Slots are reserved ahead; a send that went out late must still be a gap before the next.
              const last = Number((await connection.get(sentKeyOf(msg))) ?? 0);
              if (last + gap > Date.now() + 20) await later(last + gap, shift);
            }
            let outcome: DeliveryOutcome;
            try {
              outcome = await deliver(msg);
              if (gap > 0) await connection.set(sentKeyOf(msg), String(Date.now()), 'PX', 2 * gap);
            } catch (err) {
              const times = (job.data.rateLimited ?? 0) + 1;
              if (!(err instanceof RateLimited) || times > MAX_RATE_LIMITED) throw err;
              // The platform said when: hold this job (not an attempt). The chat's later messages,
              // those already given a slot and those to come, move on as far, so they keep their order.
              const now = Date.now();
              const at = now + err.retryAfterMs;
              let shift = job.data.shift;
              if (gap > 0)
                shift = Number(await connection.eval(SHIFT_CHAT, 2, slotKey, shiftKey, String(Math.max(0, at - slotAt)), String(now), String(at + gap)));
              logger.info({ platform: msg.platform, chat: msg.chatId, retryAfterMs: err.retryAfterMs }, 'rate limited by the platform; message held');
              await job.updateData({ ...job.data, slotAt: at, shift, rateLimited: times });
              await job.moveToDelayed(at, token);
              throw new DelayedError();
            }
            if (outcome === 'blocked') throw new UnrecoverableError('chat blocked the bot; marked');
            if (outcome === 'undeliverable') throw new UnrecoverableError('message refused by the platform');
            return outcome;
          },
          {
            connection,
            prefix,
            concurrency: opts.outboundConcurrency ?? 10,
            limiter: { max: limits.perSecond, duration: 1000 },
          },
        ),
        `outbound-${platform}`,
      );
    }
  }

  return {
    async close() {
      abort.abort();
      timers.forEach((t) => clearInterval(t));
      detach.forEach((f) => f());
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
