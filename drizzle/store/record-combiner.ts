import type { NewEvent, Recorded } from '../../domain/ports.js';
import { balancesAfterEach } from '../../domain/ledger/balance-effect.js';
import { balanceEffect, writeEvents, type Writer } from './event-writer.js';
import { ledgerEventOf } from './batch-writer.js';

interface Waiting {
  e: NewEvent;
  resolve(r: Recorded): void;
  reject(err: unknown): void;
}

/**
 * The records of one shared transaction (a batch of chats applied together, issue 19), written
 * together: every plain record asked for in the same turn of the event loop — the chats' handlers
 * run side by side and reach their record at about the same moment — waits for that turn to end
 * and all of them go to the event writer as ONE statement (one `#N` move per book, one pass of the
 * statistics triggers, one result to read) instead of one statement each.
 *
 * Each caller still gets its own answer: its event, and its accounts' balances right after ITS
 * event ({@link balancesAfterEach}, when two chats of one book record in the same turn). A write
 * that fails fails every caller of the turn with the same error; inside a transaction that is the
 * transaction's end anyway (the chat journal applies the batch again one update per transaction,
 * where each record is written alone and a balance past its bound is answered as such).
 * One record in a turn takes the one-event statement, as outside a batch.
 */
export function recordCombiner(q: Writer, one: (e: NewEvent) => Promise<Recorded>) {
  let waiting: Waiting[] = [];

  async function flush(): Promise<void> {
    const items = waiting;
    waiting = [];
    if (items.length === 1) {
      const [it] = items as [Waiting];
      return one(it.e).then(it.resolve, it.reject);
    }
    try {
      const written = await writeEvents(
        q,
        items.map((it) => it.e),
      );
      const moved = items.map((it) => ({ ...it.e, toAmountMinor: it.e.kind === 'transfer' ? (it.e.toAmountMinor ?? it.e.amountMinor) : null }));
      const own = balancesAfterEach(
        moved,
        written.balances.map((b) => ({ accountId: b.accountId, accountName: b.accountName, currency: b.currency, balanceMinor: b.balanceMinor })),
      );
      items.forEach((it, k) => {
        const byAccount = new Map(own[k]!.map((b) => [b.accountId, b]));
        it.resolve({
          created: true,
          balances: balanceEffect(moved[k]!).map((x) => byAccount.get(x.accountId)!),
          event: ledgerEventOf(it.e, written.events[k]!),
        });
      });
    } catch (err) {
      for (const it of items) it.reject(err);
    }
  }

  return (e: NewEvent): Promise<Recorded> =>
    new Promise<Recorded>((resolve, reject) => {
      waiting.push({ e, resolve, reject });
      if (waiting.length === 1) setImmediate(() => void flush());
    });
}
