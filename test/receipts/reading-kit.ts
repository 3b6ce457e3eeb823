import pino from 'pino';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../drizzle/store/rows.js';
import type { ReceiptReader } from '../../bot/services.js';
import { receiptStore } from '../../drizzle/store/receipt-store.js';
import type { Notifier } from '../../workers/notifier.js';
import { startReceiptReading } from '../../workers/receipts/receipts-queue.js';
import { startWorkerRole, type WorkerRole } from '../../workers/worker-role.js';
import type { Harness } from '../harness.js';
import { TEST_REDIS_URL, dropPrefix, uniquePrefix } from '../worker-kit.js';

/** The worker side of the receipt chat tests: outbound delivery and receipt reading. */
export interface ReceiptWorker {
  role: WorkerRole;
  reader: ReceiptReader;
  close(): Promise<void>;
}

/**
 * Starts the worker role (outbox relay and delivery through `notifier`) and receipt reading for a
 * harness, as a worker process would: with `redis` the outbound and `receipts` queues are BullMQ
 * under a prefix of their own, else both run in this process. The harness's chats read receipts
 * through it.
 */
export async function startReceiptWorker(h: Harness, notifier: Notifier, redis: boolean): Promise<ReceiptWorker> {
  const prefix = uniquePrefix('receipts');
  const logger = pino({ level: 'silent' });
  const redisUrl = redis ? TEST_REDIS_URL : undefined;
  const role = await startWorkerRole({ db: h.database.db, store: h.services.store, clock: h.clock, logger, notifier, redisUrl, prefix, runWorkers: true, relayIntervalMs: 100 });
  const reader = await startReceiptReading({
    redisUrl,
    prefix,
    logger,
    runWorkers: true,
    deps: { store: { ...receiptStore(h.database.db), listRules: (b) => h.services.store.listRules(b) }, outbox: role.outbox },
  });
  h.services.receipts = reader;
  return {
    role,
    reader,
    async close() {
      await reader.close();
      await role.close();
      if (redis) await dropPrefix(prefix);
    },
  };
}

/** Live records, or receipt scans (photos held or kept), in the harness's database. */
export async function countRows(h: Harness, table: 'events' | 'receipt_scans'): Promise<number> {
  const where = table === 'events' ? sql`deleted_at is null` : sql`true`;
  return Number(rowsOf<{ n: number }>(await h.database.db.execute(sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`))[0]!.n);
}
