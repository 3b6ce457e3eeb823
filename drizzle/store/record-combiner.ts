import { PgTransaction } from 'drizzle-orm/pg-core';
import type { NewEvent, Recorded } from '../../domain/ports.js';
import { balancesAfterEach } from '../../domain/ledger/balance-effect.js';
import type { Db } from '../db.js';
import { writeEvents } from './event-writer.js';
import { ledgerEventOf } from './batch-writer.js';
import { Failed, turnBatch } from './turn-batch.js';

/**
 * The records of one shared transaction (a batch of chats applied together, issue 19), written
 * together: the plain records asked for in the same turn of the event loop ({@link turnBatch}) go
 * to the event writer as ONE statement (one `#N` move per book, one pass of the statistics
 * triggers, one result to read) instead of one statement each.
 *
 * The same on the pool outside any transaction (the API's single records from many books): the
 * combined write runs in a transaction of its own, one commit for all of them.
 *
 * Each caller still gets its own answer: its event, and its accounts' balances right after ITS
 * event ({@link balancesAfterEach}, when two of one book record in the same turn). A combined
 * write that fails wrote nothing. Inside a transaction it fails every caller of the turn with its
 * error: the transaction is over anyway (the chat journal applies the batch again one update per
 * transaction, where each record is written alone and a balance past its bound is answered as
 * such). Outside one, each record is then written alone, in the order asked, for its own answer.
 * One record in a turn takes `one` (the one-event statement).
 */
export function recordCombiner(q: Db, one: (e: NewEvent) => Promise<Recorded>): (e: NewEvent) => Promise<Recorded> {
  const inTransaction = q instanceof PgTransaction;
  return turnBatch(one, async (items) => {
    let written: Awaited<ReturnType<typeof writeEvents>>;
    try {
      // A failure leaves nothing to write twice below: the statement is all or nothing by itself
      // (the writer checks in SQL that every book was found). Outside a transaction it still runs
      // in one of its own: one statement alone (no BEGIN/COMMIT) measured 10-20 % fewer records a
      // second into ONE book at 50 connections (bench/README.md, session 8) — probably because
      // holding the book's row until the COMMIT lets more records gather for the next combined write.
      written = inTransaction ? await writeEvents(q, items) : await q.transaction((tx) => writeEvents(tx as unknown as Db, items));
    } catch (err) {
      if (inTransaction) throw err;
      return alone(items, one);
    }
    // balanceEffect itself takes a transfer's missing `toAmountMinor` as its amount.
    const own = balancesAfterEach(
      items,
      written.balances.map((b) => ({ accountId: b.accountId, accountName: b.accountName, currency: b.currency, balanceMinor: b.balanceMinor })),
    );
    // Each event's own balances come in its effects' order, as a record written alone answers them.
    return items.map((e, k) => ({ created: true, balances: own[k]!, event: ledgerEventOf(e, written.events[k]!) }));
  });
}

/** Each record written on its own, in order; a refusal is that record's answer only. */
async function alone(items: readonly NewEvent[], one: (e: NewEvent) => Promise<Recorded>): Promise<(Recorded | Failed)[]> {
  const out: (Recorded | Failed)[] = [];
  for (const e of items) out.push(await one(e).catch((err: unknown) => new Failed(err)));
  return out;
}
