import type { NewEvent, Recorded } from '../../domain/ports.js';
import { balancesAfterEach } from '../../domain/ledger/balance-effect.js';
import { balanceEffect, writeEvents, type Writer } from './event-writer.js';
import { ledgerEventOf } from './batch-writer.js';
import { turnBatch } from './turn-batch.js';

/**
 * The records of one shared transaction (a batch of chats applied together, issue 19), written
 * together: the plain records asked for in the same turn of the event loop ({@link turnBatch}) go
 * to the event writer as ONE statement (one `#N` move per book, one pass of the statistics
 * triggers, one result to read) instead of one statement each.
 *
 * Each caller still gets its own answer: its event, and its accounts' balances right after ITS
 * event ({@link balancesAfterEach}, when two chats of one book record in the same turn). A write
 * that fails fails every caller of the turn with the same error; inside a transaction that is the
 * transaction's end anyway (the chat journal applies the batch again one update per transaction,
 * where each record is written alone and a balance past its bound is answered as such).
 * One record in a turn takes `one` (the one-event statement), as outside a batch.
 */
export function recordCombiner(q: Writer, one: (e: NewEvent) => Promise<Recorded>): (e: NewEvent) => Promise<Recorded> {
  return turnBatch(one, async (items) => {
    const written = await writeEvents(q, items);
    const moved = items.map((e) => ({ ...e, toAmountMinor: e.kind === 'transfer' ? (e.toAmountMinor ?? e.amountMinor) : null }));
    const own = balancesAfterEach(
      moved,
      written.balances.map((b) => ({ accountId: b.accountId, accountName: b.accountName, currency: b.currency, balanceMinor: b.balanceMinor })),
    );
    return items.map((e, k) => {
      const byAccount = new Map(own[k]!.map((b) => [b.accountId, b]));
      return {
        created: true,
        balances: balanceEffect(moved[k]!).map((x) => byAccount.get(x.accountId)!),
        event: ledgerEventOf(e, written.events[k]!),
      };
    });
  });
}
