import { eventLine } from '../bot/format.js';
import { t } from '../bot/i18n/index.js';
import { messageFor } from '../bot/messages.js';
import type { Reply } from '../bot/reply.js';
import { formatMoney } from '../domain/money/money.js';
import type { AppliedEvent, BatchResult, SweepBook } from '../domain/schedules/sweep.js';
import { displayRecord } from '../domain/schedules/templates.js';
import type { NotifyTarget } from '../domain/schedules/ports.js';
import type { LedgerEvent } from '../domain/types.js';

/** Lines of events in one notification; the rest are counted (a message has 4096 characters). */
const MAX_LINES = 30;
/** An occurrence this much older than the sweep was missed (downtime), not just applied on time. */
export const MISSED_AFTER_MS = 5 * 60_000;

/** The applied event as the ledger's event record, for formatting and budget checks. */
export function asLedgerEvent(a: AppliedEvent, createdAt: Date): LedgerEvent {
  return {
    id: 0,
    bookId: a.bookId,
    seq: a.seq,
    kind: a.kind,
    accountId: a.accountId,
    accountName: a.accountName,
    amountMinor: a.amountMinor,
    currency: a.currency,
    toAccountId: null,
    toAccountName: null,
    toAmountMinor: null,
    toCurrency: null,
    labels: a.labels,
    note: a.note,
    authorId: a.authorId,
    authorName: null,
    occurredAt: a.occurrenceAt,
    createdAt,
    deletedAt: null,
    templateId: a.templateId,
  };
}

/** A chat to tell something, and what. */
export interface Notice {
  target: NotifyTarget;
  reply: Reply;
  /** Idempotency key of the message. */
  key: string;
}

const targetKey = (n: NotifyTarget) => `${n.platform}:${n.chatId}`;

/**
 * What a committed batch tells each chat: one message per chat listing the records made there
 * (oldest first, with their `#N`, marked when they were missed during downtime) and the new
 * balances of the accounts they touched; and one message per template that had to be paused.
 */
export function templateNotices(r: BatchResult): Notice[] {
  const notifyOf = new Map(r.templates.map((x) => [x.id, x.notify]));
  const byChat = new Map<string, { target: NotifyTarget; book: SweepBook; events: AppliedEvent[] }>();
  for (const e of r.applied) {
    const target = notifyOf.get(e.templateId);
    const book = r.books.get(e.bookId);
    if (!target || !book) continue;
    const k = targetKey(target);
    const entry = byChat.get(k) ?? { target, book, events: [] };
    entry.events.push(e);
    byChat.set(k, entry);
  }

  const notices: Notice[] = [];
  for (const { target, book, events } of byChat.values()) {
    const lang = book.language;
    const missed = events.filter((e) => r.now.getTime() - e.occurrenceAt.getTime() > MISSED_AFTER_MS).length;
    const lines = [missed ? t(lang, 'template.applied_missed', { count: missed }) : t(lang, 'template.applied')];
    for (const e of events.slice(0, MAX_LINES)) lines.push(`${eventLine(asLedgerEvent(e, r.now), book.timezone, lang)} (T${e.templateId})`);
    if (events.length > MAX_LINES) lines.push(t(lang, 'template.applied_more', { count: events.length - MAX_LINES }));
    const accounts = new Set(events.map((e) => e.accountId));
    for (const b of r.balances)
      if (b.bookId === book.id && accounts.has(b.accountId))
        lines.push(t(lang, 'record.balance', { account: b.accountName, balance: formatMoney(b.balanceMinor, b.currency, { lang }) }));
    const seqs = events.map((e) => e.seq);
    notices.push({
      target,
      reply: { text: lines.join('\n'), ...(events.length === 1 ? { buttons: [[{ label: t(lang, 'record.undo'), action: `undo:${events[0]!.seq}` }]] } : {}) },
      key: `tpl-${book.id}-${Math.min(...seqs)}-${Math.max(...seqs)}-${targetKey(target)}`,
    });
  }

  for (const f of r.failed) {
    const book = r.books.get(f.bookId);
    if (!f.notify || !book) continue;
    notices.push({
      target: f.notify,
      reply: {
        text: t(book.language, 'template.failed', {
          id: f.templateId,
          record: displayRecord(f.kind, f.record),
          reason: messageFor(f.error, book.language),
        }),
      },
      key: `tpl-failed-${f.templateId}-${r.now.getTime()}`,
    });
  }
  return notices;
}
