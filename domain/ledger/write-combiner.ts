import type { Actor } from '../access/actor.js';
import { assertCan } from '../access/permissions.js';
import { balancesAfterEach } from './balance-effect.js';
import { recordBatch } from './record-batch.js';
import { recordEntry, type EntryRecorded, type EntryStore } from './record-entry.js';
import type { RecordInput } from './record-input.js';

/** The most waiting records one combined write takes; the rest wait for the next. */
export const MAX_COMBINED = 200;

interface Waiting {
  a: Actor<EntryStore>;
  input: RecordInput;
  resolve(r: EntryRecorded): void;
  reject(err: unknown): void;
}

/** Records one field input alone: the single path, exactly as without the combiner. */
const alone = (a: Actor<EntryStore>, input: RecordInput) => recordEntry(a, { fields: input });

/**
 * Group commit for single field records (issue 19), in one process. Concurrent records into one
 * book queue on its `#N` counter row and the account's balance row, each holding them until it
 * commits; so a record that arrives while a record of the same book and user is being written
 * waits, and when that write ends the waiting ones are written together: one `recordBatch`, one
 * statement, one commit, `#N` in arrival order (at most `max` a time; later ones wait for the
 * next). A record that finds no write in flight takes the single path (`recordEntry`) at once.
 *
 * Each record still gets what it would alone: its event and its accounts' balances right after
 * it (not after the group), its own refusal (the same `DomainError`), and the group's budget
 * alerts ride on one of them (announce each answer's `alerts`: the group's are told once). If the
 * combined write itself fails (a balance beyond its bound, the database), nothing was written and
 * each waiting record is written alone, in arrival order, for its own answer.
 *
 * Records with an idempotency key (`sourceKey`) always take the single path.
 */
export function writeCombiner(opts: { max?: number } = {}) {
  const max = opts.max ?? MAX_COMBINED;
  /** Per book and user with a write in flight: the records waiting for it. */
  const queues = new Map<string, Waiting[]>();

  async function writeGroup(group: Waiting[]): Promise<void> {
    if (group.length === 1) {
      const [w] = group;
      return alone(w!.a, w!.input).then(w!.resolve, w!.reject);
    }
    // The newest request's actor: its snapshot of the book's accounts is the freshest.
    const a = group[group.length - 1]!.a;
    let r: Awaited<ReturnType<typeof recordBatch>>;
    try {
      r = await recordBatch(a, group.map((w) => w.input));
    } catch {
      // Nothing was written: each on its own, so only the one at fault is refused.
      for (const w of group) await alone(w.a, w.input).then(w.resolve, w.reject);
      return;
    }
    const created = r.items.map((x) => (x.outcome === 'created' ? x.event : undefined));
    const balances = balancesAfterEach(created, r.balances);
    let alerts = true;
    for (const [i, w] of group.entries()) {
      const x = r.items[i]!;
      if (x.outcome === 'failed') w.reject(x.error);
      else if (x.outcome !== 'created') w.reject(new Error(`combined record answered ${x.outcome}`));
      else {
        const out: EntryRecorded = { event: x.event, balances: balances[i]!, created: true, alerts: [] };
        if (alerts) {
          out.alerts = r.alerts;
          if (r.alertError !== undefined) out.alertError = r.alertError;
          alerts = false;
        }
        w.resolve(out);
      }
    }
  }

  async function drain(key: string, queue: Waiting[]): Promise<void> {
    while (queue.length) {
      const group = queue.splice(0, max);
      // A fault here must not leave anyone waiting (a settled answer stays as it is).
      await writeGroup(group).catch((err: unknown) => group.forEach((w) => w.reject(err)));
    }
    queues.delete(key);
  }

  /** Records `input` as `a` would alone, together with others of its book and user when they overlap. */
  return function record(a: Actor<EntryStore>, input: RecordInput): Promise<EntryRecorded> {
    if (input.sourceKey !== undefined) return alone(a, input);
    const key = `${a.book.id}:${a.userId}`;
    const queue = queues.get(key);
    if (queue) {
      try {
        // Each request's own role decides, as alone.
        assertCan(a.role, 'record');
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise((resolve, reject) => queue.push({ a, input, resolve, reject }));
    }
    const waiting: Waiting[] = [];
    queues.set(key, waiting);
    const first = alone(a, input);
    const done = () => drain(key, waiting);
    void first.then(done, done);
    return first;
  };
}
