import { DomainError, isDomainError } from '../errors.js';
import type { NewEvent } from '../ports.js';
import { nextOccurrence, occurrencesBetween, type Schedule } from './schedule.js';
import { readTemplateRecord } from './templates.js';
import type { NotifyTarget } from './ports.js';
import type { Account, Language, Platform } from '../types.js';
import { compileRules, type RuleMatcher } from '../rules/matcher.js';
import type { Rule } from '../rules/types.js';

/** A template claimed by a sweep: due now, locked by this sweep's transaction. */
export interface DueTemplate {
  id: number;
  bookId: number;
  kind: 'expense' | 'income';
  schedule: Schedule;
  record: string;
  authorId: number | null;
  notify: NotifyTarget | null;
  anchorAt: Date;
  nextDueAt: Date;
}

/** The parts of a book the sweep reads. */
export interface SweepBook {
  id: number;
  title: string;
  currency: string;
  timezone: string;
  language: Language;
  defaultAccountId: number | null;
}

/** One event the sweep recorded, as the chat is told about it. */
export interface AppliedEvent {
  bookId: number;
  seq: number;
  templateId: number;
  occurrenceAt: Date;
  kind: 'expense' | 'income';
  amountMinor: number;
  currency: string;
  accountId: number;
  accountName: string;
  labels: string[];
  note: string;
  authorId: number | null;
}

export interface AccountBalance {
  bookId: number;
  accountId: number;
  accountName: string;
  currency: string;
  balanceMinor: number;
}

/** A template the sweep could not apply (its record no longer fits the book); it is now paused. */
export interface FailedTemplate {
  templateId: number;
  bookId: number;
  record: string;
  kind: 'expense' | 'income';
  notify: NotifyTarget | null;
  error: DomainError;
}

/**
 * A message the sweep writes in its transaction (the notice outbox), so it exists exactly when the
 * records it tells about do; it is delivered after the commit. `message` is JSON.
 */
export interface BatchNotice {
  key: string;
  platform: Platform;
  chatId: string;
  message: unknown;
}

/** Writes of one sweep transaction (drizzle/store/template-store.ts). */
export interface DueBatch {
  templates: DueTemplate[];
  books: Map<number, SweepBook>;
  /**
   * The chats (not blocked) of each book that has a template without a chat of its own (made
   * through the API): such templates report to every chat of their book.
   */
  chats: Map<number, NotifyTarget[]>;
  /** Live accounts per book. */
  accounts: Map<number, Account[]>;
  /** Label names per book. */
  labels: Map<number, string[]>;
  /** Live rules per book (books without rules may be absent): they label records without a label. */
  rules?: Map<number, Rule[]>;
  /** Which of these (template, occurrence) pairs are recorded already, as `occurrenceKey`s. */
  recorded(keys: readonly { templateId: number; occurrenceAt: Date }[]): Promise<Set<string>>;
  /**
   * Records the events in order (sequence numbers follow the order within each book), with
   * labels and balances, in set-based statements. Returns what was recorded and the touched
   * accounts' balances afterwards.
   */
  recordAll(events: readonly NewEvent[]): Promise<{ events: AppliedEvent[]; balances: AccountBalance[] }>;
  /** Sets each template's next occurrence (and pauses failed ones). */
  advance(updates: readonly { id: number; nextDueAt: Date | null; paused: boolean }[]): Promise<void>;
  /** Keeps messages in this transaction (a key kept before is skipped). */
  keep(notices: readonly BatchNotice[]): Promise<void>;
}

/** The sweep's storage port. */
export interface SweepStore {
  /**
   * Claims up to `limit` due templates (next occurrence at or before `now`, not paused, not
   * deleted, not in `exclude`) with FOR UPDATE SKIP LOCKED, runs `fn` in the same transaction
   * and commits. Resolves undefined (without calling `fn`) when nothing is due.
   */
  withDueBatch<R>(now: Date, limit: number, exclude: readonly number[], fn: (b: DueBatch) => Promise<R>): Promise<R | undefined>;
}

/** What one committed batch did; handed to `onBatch` after the commit. */
export interface BatchResult {
  /** The templates this batch claimed (a full batch means more may be due). */
  templates: DueTemplate[];
  books: Map<number, SweepBook>;
  /** Chats of the books whose templates have no chat of their own (see `DueBatch.chats`). */
  chats: Map<number, NotifyTarget[]>;
  applied: AppliedEvent[];
  balances: AccountBalance[];
  failed: FailedTemplate[];
  /** Occurrences found recorded already (a duplicate delivery that changed nothing). */
  duplicates: number;
  /** The sweep's `now`: occurrences before it by more than a sweep interval were missed. */
  now: Date;
}

export interface SweepOptions {
  now: () => Date;
  /** Templates claimed per transaction. */
  batchSize?: number;
  /** Occurrences applied per template per transaction; the rest follow in the next batch. */
  maxPerTemplate?: number;
  /** Stops between batches (SIGTERM). */
  signal?: AbortSignal;
  /**
   * The messages a batch sends (notices), built inside its transaction and kept there, so they
   * are delivered exactly when the batch commits. A failure here rolls the batch back.
   */
  noticesOf?: (r: BatchResult) => BatchNotice[];
  /** Called after each commit: notifications, budget alerts. Failures are reported, never undo. */
  onBatch?: (r: BatchResult) => Promise<void> | void;
  /** A batch failed for a reason that is not the user's (it was rolled back). */
  onError?: (err: unknown, templateIds: number[]) => void;
}

export interface SweepSummary {
  applied: number;
  duplicates: number;
  failed: number;
  batches: number;
}

/** `templateId@epochMs`: the identity of an occurrence. */
export const occurrenceKey = (templateId: number, at: Date): string => `${templateId}@${at.getTime()}`;

/** After this many unexpected failures in a row the sweep gives up until the next trigger. */
const MAX_CONSECUTIVE_FAILURES = 5;

/**
 * Applies every due template occurrence exactly once, oldest first, in batches: claim (SKIP
 * LOCKED, so any number of workers share the work), record each due occurrence under its
 * unique (template, occurrence) key, advance the template's next occurrence, commit. A crash or
 * a second worker can only ever repeat a whole uncommitted batch, and an occurrence found
 * recorded already is skipped, never recorded twice. Missed occurrences (downtime) are all
 * due at once and applied one by one, oldest first.
 *
 * A template whose record no longer fits the book (its account was deleted, the currency
 * changed) is paused and reported, so it neither blocks the others nor fails every minute.
 * A batch failing for another reason is retried one template at a time to find and set aside
 * the culprit; the others still go through.
 */
export async function sweepTemplates(store: SweepStore, opts: SweepOptions): Promise<SweepSummary> {
  const batchSize = opts.batchSize ?? 500;
  const maxPerTemplate = opts.maxPerTemplate ?? 100;
  const summary: SweepSummary = { applied: 0, duplicates: 0, failed: 0, batches: 0 };
  const exclude: number[] = [];
  let singles = 0;
  let failuresInARow = 0;
  const schedules = new ScheduleMemo();

  while (!opts.signal?.aborted) {
    const now = opts.now();
    const limit = singles > 0 ? 1 : batchSize;
    let claimed: number[] = [];
    let result: BatchResult | undefined;
    try {
      result = await store.withDueBatch(now, limit, exclude, async (b) => {
        claimed = b.templates.map((t) => t.id);
        const r = await applyBatch(b, now, maxPerTemplate, schedules);
        if (opts.noticesOf) await b.keep(opts.noticesOf(r));
        return r;
      });
    } catch (err) {
      opts.onError?.(err, claimed);
      if (++failuresInARow >= MAX_CONSECUTIVE_FAILURES || claimed.length === 0) throw err;
      if (claimed.length === 1) exclude.push(claimed[0]!);
      else singles = claimed.length;
      continue;
    }
    if (!result) break;
    failuresInARow = 0;
    if (singles > 0) singles--;
    summary.batches++;
    summary.applied += result.applied.length;
    summary.duplicates += result.duplicates;
    summary.failed += result.failed.length;
    if (opts.onBatch) {
      try {
        await opts.onBatch(result);
      } catch (err) {
        opts.onError?.(err, claimed);
      }
    }
  }
  return summary;
}

/**
 * The due occurrences of a template (its next due one and any later ones up to `now`, at most
 * `max`) and the first one after them. Templates that share a schedule, zone and due instant
 * (many books paying rent on the 1st at 09:00) get the same answer, so it is computed once per
 * sweep: timezone arithmetic costs far more than the rest of planning an occurrence.
 */
class ScheduleMemo {
  private readonly cache = new Map<string, { due: Date[]; next: Date | null }>();

  after(t: DueTemplate, tz: string, now: Date, max: number): { due: Date[]; next: Date | null } {
    // Only `every:` and rrule count from the anchor; other schedules ignore it.
    const anchored = t.schedule.kind === 'every' || t.schedule.kind === 'rrule';
    const key = `${JSON.stringify(t.schedule)}|${tz}|${t.nextDueAt.getTime()}|${anchored ? t.anchorAt.getTime() : ''}`;
    const hit = this.cache.get(key);
    // Valid while only the due occurrence itself has come (the answer does not depend on now).
    if (hit && (hit.next === null || hit.next > now)) return hit;
    const fresh = compute(t, tz, now, max);
    if (fresh.due.length === 1) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(key, fresh);
    }
    return fresh;
  }
}

function compute(t: DueTemplate, tz: string, now: Date, max: number): { due: Date[]; next: Date | null } {
  const following = nextOccurrence(t.schedule, t.nextDueAt, tz, t.anchorAt);
  // The usual case: only the due occurrence itself is at or before now.
  if (following === null || following > now) return { due: [t.nextDueAt], next: following };
  const due = [t.nextDueAt, ...occurrencesBetween(t.schedule, t.nextDueAt, now, tz, t.anchorAt, max - 1)];
  return { due, next: nextOccurrence(t.schedule, due[due.length - 1]!, tz, t.anchorAt) };
}

/** The work of one transaction: plan every due occurrence, record them, move the schedules on. */
async function applyBatch(b: DueBatch, now: Date, maxPerTemplate: number, schedules: ScheduleMemo): Promise<BatchResult> {
  const planned: { event: NewEvent; template: DueTemplate }[] = [];
  const updates: { id: number; nextDueAt: Date | null; paused: boolean }[] = [];
  const failed: FailedTemplate[] = [];
  // Each book's rules compiled once per batch.
  const matchers = new Map<number, RuleMatcher | undefined>();
  const matcherFor = (bookId: number): RuleMatcher | undefined => {
    if (!matchers.has(bookId)) {
      const rules = b.rules?.get(bookId);
      matchers.set(bookId, rules?.length ? compileRules(rules) : undefined);
    }
    return matchers.get(bookId);
  };

  for (const t of b.templates) {
    const book = b.books.get(t.bookId);
    if (!book) continue;
    try {
      const { due, next } = schedules.after(t, book.timezone, now, maxPerTemplate);
      const read = readTemplateRecord(t.record, book, b.accounts.get(t.bookId) ?? [], b.labels.get(t.bookId) ?? [], now, true, matcherFor(t.bookId));
      const account = read.account;
      if (!account) throw new DomainError('account_unknown', { account: 'Main', accounts: [] });
      for (const at of due) {
        planned.push({
          template: t,
          event: {
            bookId: t.bookId,
            kind: t.kind,
            accountId: account.id,
            amountMinor: read.amountMinor,
            currency: account.currency,
            labels: read.labels,
            note: read.note,
            authorId: t.authorId,
            occurredAt: at,
            templateId: t.id,
            occurrenceAt: at,
          },
        });
      }
      updates.push({ id: t.id, nextDueAt: next, paused: false });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      failed.push({ templateId: t.id, bookId: t.bookId, record: t.record, kind: t.kind, notify: t.notify, error: err });
      updates.push({ id: t.id, nextDueAt: t.nextDueAt, paused: true });
    }
  }

  const already = planned.length
    ? await b.recorded(planned.map((p) => ({ templateId: p.template.id, occurrenceAt: p.event.occurrenceAt! })))
    : new Set<string>();
  const fresh = planned
    .filter((p) => !already.has(occurrenceKey(p.template.id, p.event.occurrenceAt!)))
    // Oldest first within a book, so sequence numbers follow the calendar.
    .sort((x, y) => x.event.bookId - y.event.bookId || x.event.occurredAt.getTime() - y.event.occurredAt.getTime() || x.template.id - y.template.id)
    .map((p) => p.event);
  const written = fresh.length ? await b.recordAll(fresh) : { events: [], balances: [] };
  if (updates.length) await b.advance(updates);
  return {
    templates: b.templates,
    books: b.books,
    chats: b.chats,
    applied: written.events,
    balances: written.balances,
    failed,
    duplicates: planned.length - fresh.length,
    now,
  };
}
