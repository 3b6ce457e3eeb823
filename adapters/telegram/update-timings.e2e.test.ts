import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createMetrics, histogramValue, type Metrics } from '../../app/metrics.js';
import { startTelegramKit, type TelegramKit } from '../../test/telegram-kit.js';

const ann = { id: 701, first_name: 'Ann', language_code: 'en' };
const annChat = { id: 701, type: 'private' as const };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Where an update's time goes, as an operator sees it on /metrics (issue 19): received → held in
 * the inbox (`hold`) → its batch began (`wait`) → committed (`apply`), their total, and a committed
 * reply's wait until Telegram accepted it. Real grammY client, Bot API double, PostgreSQL.
 */
describe('Telegram update timings in the metrics', () => {
  let k: TelegramKit;
  let metrics: Metrics;

  beforeAll(async () => {
    metrics = createMetrics();
    k = await startTelegramKit({}, { metrics });
  });
  afterAll(() => k?.close());

  const tg = { stage: (stage: string) => ({ platform: 'telegram', stage }), all: { platform: 'telegram' } };

  it('GIVEN records through the bot THEN each update is timed in every stage, the stages add up to its total, and each reply is timed', async () => {
    for (const n of [1, 2, 3]) {
      k.tg.sendText(annChat, ann, `${n}.50 coffee`);
      await k.tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes(`#${n} `));
    }
    for (const stage of ['hold', 'wait', 'apply']) expect(await histogramValue(metrics.stage, 'count', tg.stage(stage))).toBe(3);
    expect(await histogramValue(metrics.latency, 'count', tg.all)).toBe(3);
    const parts = (await histogramValue(metrics.stage, 'sum', tg.stage('hold'))) + (await histogramValue(metrics.stage, 'sum', tg.stage('wait'))) + (await histogramValue(metrics.stage, 'sum', tg.stage('apply')));
    expect(await histogramValue(metrics.latency, 'sum', tg.all)).toBeCloseTo(parts, 6);
    await expect.poll(() => histogramValue(metrics.replyWait, 'count', tg.all), { timeout: 5_000, interval: 20 }).toBe(3);
  });

  it('GIVEN the database holds a record back (its book locked by another transaction) THEN the time shows in the apply stage, not in hold', async () => {
    const applyBefore = await histogramValue(metrics.stage, 'sum', tg.stage('apply'));
    const holdBefore = await histogramValue(metrics.stage, 'sum', tg.stage('hold'));
    const fastBefore = await histogramValue(metrics.latency, 'bucket', tg.all, 0.25);
    const countBefore = await histogramValue(metrics.latency, 'count', tg.all);
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const lock = k.h.database.db.transaction(async (tx) => {
      await tx.execute(sql`select id from books for update`);
      locked();
      await sleep(600);
    });
    await isLocked;
    k.tg.sendText(annChat, ann, '4.50 lunch');
    await lock;
    await k.tg.waitForOutbox((m) => m.chat_id === annChat.id && !!m.text?.includes('#4 '));
    expect((await histogramValue(metrics.stage, 'sum', tg.stage('apply'))) - applyBefore).toBeGreaterThan(0.3);
    expect((await histogramValue(metrics.stage, 'sum', tg.stage('hold'))) - holdBefore).toBeLessThan(0.3);
    // Counted once, above the 250 ms bucket.
    expect(await histogramValue(metrics.latency, 'count', tg.all)).toBe(countBefore + 1);
    expect(await histogramValue(metrics.latency, 'bucket', tg.all, 0.25)).toBe(fastBefore);
  });
});
