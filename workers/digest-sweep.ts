import type { Logger } from 'pino';
import { digestMessage, reminderText } from '../bot/presentation/digest-text.js';
import type { Clock } from '../domain/clock.js';
import { digestReport, dueDecision, reminderOwed } from '../domain/digests/digest.js';
import type { LedgerStore } from '../domain/ports.js';
import type { DigestRunStore, DueDigest, DueOutcome } from '../drizzle/store/digest-store.js';
import { outbound, toWire, type OutboundMessage } from './notifier.js';

export interface DigestSweepDeps {
  runs: DigestRunStore;
  /** Reads the figures of a digest. */
  ledger: LedgerStore;
  clock: Clock;
  logger: Logger;
  /** Settings claimed per transaction (default 200). */
  batchSize?: number;
  /** Digests composed at once within a batch (default 8: each is a few queries). */
  concurrency?: number;
  /** A committed batch kept messages: the relay can move them on. */
  onKept?: () => void;
}

export interface DigestSweepSummary {
  /** Digests and reminders kept for sending. */
  sent: number;
  /** Runs handled without a message: a reminder on a day with records, a late one, a repeat. */
  skipped: number;
  /** Settings turned off because the chat blocked the bot or left. */
  off: number;
  /** Runs that failed to compose (retried five minutes later). */
  failed: number;
}

/** One sweep of due digests and reminders: what the minute job runs after the template sweep. */
export type DigestSweep = (opts?: { signal?: AbortSignal }) => Promise<DigestSweepSummary>;

/** A failed run is tried again this much later (a bug or an outage must not spin the sweep). */
const RETRY_MS = 5 * 60_000;

/** Idempotency key of one run's message: the notice outbox keeps it once. */
export const digestKey = (d: Pick<DueDigest, 'platform' | 'chatId' | 'kind'>, run: Date): string => `${d.kind}-${d.platform}-${d.chatId}-${run.getTime()}`;

/**
 * Due digests and reminders, on the template scheduler's minute job (BullMQ's job scheduler or
 * the in-process timer). Each batch (`digestRunStore.runDue`): the settings are claimed with a
 * lease (SKIP LOCKED), each run is decided (`dueDecision`) and composed, then one transaction
 * keeps the messages in the notice outbox and moves the settings to their next run — so each run
 * is sent once, under any number of workers and across restarts (a dead worker's lease ends and
 * another does its runs), and the relay and the outbound queue keep the platform's rates. A chat marked blocked has its settings removed here
 * (the outbound worker removes them when a send finds it blocked).
 */
export function createDigestSweep(deps: DigestSweepDeps): DigestSweep {
  const batchSize = deps.batchSize ?? 200;
  const concurrency = deps.concurrency ?? 8;

  async function decide(d: DueDigest, now: Date, summary: DigestSweepSummary): Promise<DueOutcome> {
    if (d.blocked || (d.kind === 'reminder' && d.chatKind !== 'private')) {
      summary.off++;
      deps.logger.warn({ platform: d.platform, chat: d.chatId, kind: d.kind }, 'chat blocked the bot or left; its digest/reminder is turned off');
      return { off: true };
    }
    try {
      const setting = { every: d.every, atMinute: d.atMinute };
      const decision = dueDecision(setting, d.kind, d.book.timezone, now, { lastRunAt: d.lastRunAt, setAt: d.setAt });
      const keep = (msg: OutboundMessage) => ({ key: msg.key!, platform: d.platform, chatId: d.chatId, message: msg });
      let message: OutboundMessage | undefined;
      if (decision.send && d.kind === 'digest') {
        const report = await digestReport(deps.ledger, d.book, d.every === 'monthly' ? 'monthly' : 'weekly', decision.run);
        const m = digestMessage(report, d.book, d.book.language);
        const reply = toWire(m.reply);
        if (m.chart) reply.chart = { spec: m.chart, name: 'digest.png', alt: m.chart.title };
        message = { ...outbound(d.platform, d.chatId, m.reply, digestKey(d, decision.run)), reply };
      } else if (decision.send && (await reminderOwed(deps.runs, d.book, decision.run)))
        message = outbound(d.platform, d.chatId, { text: reminderText(d.book, d.book.language) }, digestKey(d, decision.run));
      if (message) summary.sent++;
      else summary.skipped++;
      return { notices: message ? [keep(message)] : [], nextAt: decision.nextAt, lastRunAt: decision.run };
    } catch (err) {
      summary.failed++;
      deps.logger.error({ err: String(err), platform: d.platform, chat: d.chatId, kind: d.kind }, 'digest run failed; retried later');
      return { notices: [], nextAt: new Date(now.getTime() + RETRY_MS) };
    }
  }

  return async (opts = {}) => {
    const summary: DigestSweepSummary = { sent: 0, skipped: 0, off: 0, failed: 0 };
    for (;;) {
      if (opts.signal?.aborted) break;
      const now = deps.clock.now();
      const { claimed, kept } = await deps.runs.runDue(now, batchSize, async (rows) => {
        const out: DueOutcome[] = new Array(rows.length);
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
            while (next < rows.length) {
              const i = next++;
              out[i] = await decide(rows[i]!, now, summary);
            }
          }),
        );
        return out;
      });
      if (kept) deps.onKept?.();
      if (claimed < batchSize) break;
    }
    if (summary.sent || summary.off || summary.failed) deps.logger.info(summary, 'digests and reminders');
    return summary;
  };
}
